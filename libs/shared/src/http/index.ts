export { AppError } from './app-error.js';
export { errorHandler, notFoundHandler } from './error-handler.js';
export { createHttpService, type HttpService, type HttpServiceOptions } from './http-service.js';
export type { UpgradeHandler } from './listener.js';
export { createHttpMetrics, type HttpMetrics } from './metrics.js';
export type { ReadinessChecks } from './readiness.js';
export { REQUEST_ID_HEADER, requestId, requestIdOf, requestLogger } from './request-id.js';
export { runService } from './run-service.js';
export {
  type Closer,
  createServiceApp,
  type ServiceApp,
  type ServiceAppOptions,
  type ServiceContext,
  type ServiceSettings,
  type StopSteps,
} from './service-app.js';
export { installShutdown } from './shutdown.js';
export { validate } from './validate.js';
