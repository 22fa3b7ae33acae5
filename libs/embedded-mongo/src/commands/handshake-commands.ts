import type { CommandHandler } from './command-context.js';

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
const MAX_WIRE_VERSION = 21; // MongoDB 7.0
const VERSION = '7.0.0';

/** A standalone, writable server without compression, auth or streaming monitoring. */
const hello: CommandHandler = (cmd, ctx) => {
  const legacy = cmd.isMaster !== undefined || cmd.ismaster !== undefined;
  return {
    ...(cmd.helloOk === true ? { helloOk: true } : {}),
    ...(legacy ? { ismaster: true } : {}),
    isWritablePrimary: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
  };
};

const buildInfo: CommandHandler = () => ({
  version: VERSION,
  gitVersion: 'embedded',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  storageEngines: ['memory'],
  modules: [],
  javascriptEngine: 'none',
  debug: false,
});

const getParameter: CommandHandler = (cmd) =>
  cmd.featureCompatibilityVersion !== undefined ? { featureCompatibilityVersion: { version: '7.0' } } : {};

const ok: CommandHandler = () => ({});

export const handshakeCommands: Record<string, CommandHandler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  getLog: () => ({ totalLinesWritten: 0, log: [] }),
  endSessions: ok,
  refreshSessions: ok,
  getCmdLineOpts: () => ({ argv: ['embedded-mongo'], parsed: {} }),
  hostInfo: () => ({ system: { currentTime: new Date() }, os: {}, extra: {} }),
  serverStatus: () => ({
    host: 'embedded',
    version: VERSION,
    process: 'embedded-mongo',
    uptime: process.uptime(),
  }),
  whatsmyuri: () => ({ you: '127.0.0.1' }),
};
