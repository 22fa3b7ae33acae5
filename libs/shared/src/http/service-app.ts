import { createLogger, type Logger } from '../logger/index.js';
import type { HttpService } from './http-service.js';

/** Closes one resource a service opened (a connection, a consumer, a relay…). */
export type Closer = () => Promise<unknown>;

export interface ServiceApp {
  /** Opens every dependency, then listens; resolves with the address (and the internal port's, if any). */
  start(): Promise<{ url: string; port: number; internalUrl?: string }>;
  /** Runs the drain steps, stops accepting, lets in-flight requests finish, then closes every dependency. */
  stop(): Promise<void>;
  /**
   * Tests only: dies as a crash would. Runs the crash steps instead of the drain steps and cuts every
   * connection at once, then closes every dependency so the process frees what it held.
   */
  kill(): Promise<void>;
}

/** What happens before the HTTP server stops accepting, when stop() or kill() begins. */
export interface StopSteps {
  /** Run in registration order by stop(), e.g. stop consuming, then send clients to another node. */
  drain(step: Closer): void;
  /** Run in registration order by kill() instead: halt what would outlive the crash, clean nothing up. */
  crash(step: Closer): void;
}

/** The settings every service's config has (see the shared config fragments). */
export interface ServiceSettings {
  PORT: number;
  HOST?: string;
  LOG_LEVEL?: string;
}

/** What a service's build step works with. */
export interface ServiceContext<C extends ServiceSettings> {
  config: C;
  logger: Logger;
  /**
   * Register each resource's closer right after opening it, so a start that fails halfway closes exactly
   * what it opened, and stop() closes everything newest first.
   */
  onClose(closer: Closer): void;
  steps: StopSteps;
}

export interface ServiceAppOptions<C extends ServiceSettings> {
  name: string;
  /** Listens on PORT (and HOST); logs at LOG_LEVEL. */
  config: C;
  /** Where the service logs (a test passes its own); default a logger named `name` at LOG_LEVEL. */
  logger?: Logger | undefined;
  /** Fields on every log line of this instance (a realtime node's id). */
  bindings?: Record<string, unknown>;
  /** The operators' listener of a service whose HTTP service serves its probes there (`probes: 'internal'`). */
  internal?: { port: number; host?: string };
  /** Opens the service's dependencies and builds its HTTP service. */
  build(ctx: ServiceContext<C>): Promise<HttpService>;
}

/** Runs every step in order; one failure must not strand the rest. Resolves with the failures. */
async function runAll(steps: Closer[], logger: Logger, failure: string): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const step of steps) {
    await step().catch((err: unknown) => {
      logger.error({ err }, failure);
      failures.push(err);
    });
  }
  return failures;
}

/** The start/stop lifecycle every service shares: nothing connects until start(). */
export function createServiceApp<C extends ServiceSettings>(opts: ServiceAppOptions<C>): ServiceApp {
  const { config } = opts;
  const base = opts.logger ?? createLogger({ service: opts.name, level: config.LOG_LEVEL ?? 'info' });
  const logger = opts.bindings ? base.child(opts.bindings) : base;
  const closers: Closer[] = [];
  const drainSteps: Closer[] = [];
  const crashSteps: Closer[] = [];
  const steps: StopSteps = { drain: (step) => drainSteps.push(step), crash: (step) => crashSteps.push(step) };
  let http: HttpService | undefined;
  let stopping: Promise<void> | undefined;
  // Newest first: a consumer closes before the connection it runs on.
  const closeAll = () => runAll(closers.splice(0).reverse(), logger, 'close failed');

  const shutDown = async (how: 'drain' | 'crash') => {
    const running = http;
    http = undefined;
    const [drain, crash] = [drainSteps.splice(0), crashSteps.splice(0)];
    const drainFailures = how === 'drain' ? await runAll(drain, logger, 'drain step failed') : [];
    if (how === 'crash') {
      await runAll(crash, logger, 'crash step failed');
      running?.server.closeAllConnections();
    }
    await running?.stop();
    await closeAll();
    // Everything is closed, but a drain that failed halfway still fails stop(): the exit code tells.
    if (drainFailures.length > 0) throw new AggregateError(drainFailures, `${opts.name}: drain failed`);
  };

  return {
    async start() {
      if (http) throw new Error(`${opts.name} already started`);
      stopping = undefined;
      try {
        const onClose = (closer: Closer) => {
          closers.push(closer);
        };
        http = await opts.build({ config, logger, onClose, steps });
        return await http.start(config.PORT, config.HOST, opts.internal);
      } catch (err) {
        http = undefined;
        drainSteps.length = 0;
        crashSteps.length = 0;
        await closeAll();
        throw err;
      }
    },
    stop() {
      stopping ??= shutDown('drain');
      return stopping;
    },
    kill() {
      stopping ??= shutDown('crash');
      return stopping;
    },
  };
}
