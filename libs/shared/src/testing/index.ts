export { mongoUrlWithDb, newObjectId, testEnv, testMongoUrl, uniqueName } from './env.js';
export * from './events.js';
export { userRegisteredFixture } from './fixtures.js';
export * from './openapi-contract.js';
export { rawRequest, rawUpgrade, type UpgradeOutcome } from './raw-http.js';
export { type CodedErrorReply, codedErrorReply } from './replies.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { bearerFor, TEST_SECRETS } from './tokens.js';
export { waitFor } from './wait-for.js';
