import type { Logger } from '../logger/index.js';
import type { HttpService } from './http-service.js';

/** Closes one resource a service opened (a connection, a consumer, a relay…). */
export type Closer = () => Promise<unknown>;

export interface ServiceApp {
  /** Opens every dependency, then listens; resolves with the address. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish, then closes every dependency, newest first. */
  stop(): Promise<void>;
}

export interface ServiceAppOptions {
  name: string;
  logger: Logger;
  port: number;
  host?: string;
  /**
   * Opens the service's dependencies and builds its HTTP service. Register each resource's closer with
   * `onClose` right after opening it, so a start that fails halfway closes exactly what it opened.
   */
  build(onClose: (closer: Closer) => void): Promise<HttpService>;
}

async function closeAll(closers: Closer[], logger: Logger): Promise<void> {
  // Newest first: a consumer closes before the connection it runs on. One failure must not strand the rest.
  for (const close of closers.splice(0).reverse()) {
    await close().catch((err: unknown) => logger.error({ err }, 'close failed'));
  }
}

/** The start/stop lifecycle every service shares: nothing connects until start(). */
export function createServiceApp(opts: ServiceAppOptions): ServiceApp {
  const closers: Closer[] = [];
  let http: HttpService | undefined;
  return {
    async start() {
      if (http) throw new Error(`${opts.name} already started`);
      try {
        http = await opts.build((closer) => closers.push(closer));
        return await http.start(opts.port, opts.host);
      } catch (err) {
        http = undefined;
        await closeAll(closers, opts.logger);
        throw err;
      }
    },
    async stop() {
      const running = http;
      http = undefined;
      await running?.stop();
      await closeAll(closers, opts.logger);
    },
  };
}
