export * from './schemas.js';
export * from './topology.js';
