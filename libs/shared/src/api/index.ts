// HTTP request and reply schemas: the services validate with them and the gateway describes them (OpenAPI).
export * from './auth.js';
export * from './common.js';
export * from './messages.js';
export * from './users.js';
