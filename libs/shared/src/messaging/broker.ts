import { Writable } from 'node:stream';
import amqp, { type AmqpConnectionManager, type Channel, type ChannelWrapper } from 'amqp-connection-manager';
import type { Logger } from 'pino';
import { brokerNames, deadLetterQueueOf, type RoutingKey } from '../events/index.js';
import { startConsumer } from './consumer.js';
import { reportDeadLetterDepths } from './dead-letter-gauge.js';
import { createPublisher } from './publisher.js';
import { assertExchanges } from './topology.js';
import type { Broker, ConsumeOptions, Consumer } from './types.js';

export interface BrokerOptions {
  url: string;
  logger: Logger;
  /** Connection name shown in the RabbitMQ management UI and in logs. */
  name: string;
  /** AMQP heartbeat interval (default 10 s): a dead peer is noticed within about two intervals. */
  heartbeatSeconds?: number;
  /** Delay between reconnection attempts (default 1 s). */
  reconnectSeconds?: number;
  /** Prefix of every exchange and queue name, so stacks sharing one broker stay apart (default none). */
  namespace?: string;
}

/** A {@link Broker} that also exposes its amqp-connection-manager (for diagnostics and tests). */
export interface ManagedBroker extends Broker {
  readonly manager: AmqpConnectionManager;
}

function watchConnection(manager: AmqpConnectionManager, log: Logger): void {
  let failing = false;
  manager.on('connect', () => {
    failing = false;
    log.info('amqp connected');
  });
  manager.on('disconnect', ({ err }) => log.warn({ err }, 'amqp disconnected; reconnecting'));
  // Logged once per outage, not once per retry.
  manager.on('connectFailed', ({ err }) => {
    if (!failing) log.warn({ err }, 'amqp connection failed; retrying');
    failing = true;
  });
  manager.on('blocked', ({ reason }) => log.warn({ reason }, 'amqp connection blocked by the broker'));
  manager.on('unblocked', () => log.info('amqp connection unblocked'));
}

/** The socket under an amqplib connection, as amqp-connection-manager's `connect` event hands it over. */
interface ConnectedModel {
  connection?: { stream?: unknown };
}

function isCorkable(stream: unknown): stream is Writable {
  return stream instanceof Writable;
}

/**
 * The frames amqplib writes in one go leave in one system call: it writes every frame (each publish of a
 * relay's batch, each ack) to the socket on its own, so a batch of N publishes cost N writes here and N
 * reads in the broker. The socket is corked at the first write of a turn and uncorked right after it.
 */
function coalesceWrites(model: unknown): void {
  const stream = (model as ConnectedModel).connection?.stream;
  if (!isCorkable(stream)) return;
  const write = stream.write;
  let corked = false;
  stream.write = function (this: Writable, ...args: Parameters<Writable['write']>) {
    if (!corked) {
      corked = true;
      this.cork();
      process.nextTick(() => {
        corked = false;
        this.uncork();
      });
    }
    return write.apply(this, args);
  } as Writable['write'];
}

/**
 * Connect to RabbitMQ through amqp-connection-manager (heartbeats on, reconnects forever). Every
 * (re)connection declares the events exchange and the dead-letter exchange before anything is published.
 */
export function createBroker(opts: BrokerOptions): ManagedBroker {
  const log = opts.logger.child({ component: 'amqp', broker: opts.name });
  const names = brokerNames(opts.namespace);
  const manager = amqp.connect([opts.url], {
    heartbeatIntervalInSeconds: opts.heartbeatSeconds ?? 10,
    reconnectTimeInSeconds: opts.reconnectSeconds ?? 1,
    connectionOptions: { clientProperties: { connection_name: opts.name } },
  });
  watchConnection(manager, log);
  manager.on('connect', ({ connection }) => coalesceWrites(connection));
  const publishChannel = manager.createChannel({
    name: `publisher:${opts.name}`,
    confirm: true,
    setup: (channel: Channel) => assertExchanges(channel, names),
  });
  publishChannel.on('error', (err: Error) => log.error({ err }, 'publisher channel error'));
  const publisher = createPublisher(publishChannel, names.exchange);
  const consumers = new Set<Consumer>();
  const deadLetterQueues = new Set<string>();
  // Its own channel: a queue deleted under us (404) closes the channel it was checked on.
  let monitor: ChannelWrapper | undefined;
  const stopReporting = reportDeadLetterDepths(async () => {
    if (deadLetterQueues.size === 0 || !manager.isConnected()) return [];
    if (!monitor) {
      monitor = manager.createChannel({ name: `monitor:${opts.name}`, confirm: false });
      monitor.on('error', (err: Error) => log.debug({ err }, 'dead-letter monitor channel error'));
    }
    const channel = monitor;
    await withTimeout(channel.waitForConnect(), 1_000, opts.url);
    const replies = await Promise.allSettled(
      [...deadLetterQueues].map(async (queue) => {
        const reply = await withTimeout(channel.checkQueue(queue), 1_000, opts.url);
        return { queue, messages: reply.messageCount };
      }),
    );
    return replies.flatMap((reply) => (reply.status === 'fulfilled' ? [reply.value] : []));
  });
  let closing: Promise<void> | undefined;

  const close = async () => {
    stopReporting();
    await monitor?.close().catch(() => undefined);
    await Promise.allSettled([...consumers].map((c) => c.cancel()));
    await publishChannel
      .close()
      .catch((err: unknown) => log.warn({ err }, 'closing publisher channel failed'));
    await manager.close();
    log.info('amqp closed');
  };

  return {
    manager,
    publisher: () => publisher,
    async consume<K extends RoutingKey>(consumeOpts: ConsumeOptions<K>) {
      if (closing) throw new Error('broker is closed');
      const inner = await startConsumer(manager, log, consumeOpts, names);
      const consumer: Consumer = {
        cancel: async () => {
          consumers.delete(consumer);
          await inner.cancel();
        },
      };
      consumers.add(consumer);
      deadLetterQueues.add(deadLetterQueueOf(names.queue(consumeOpts.queue)));
      return consumer;
    },
    isConnected: () => manager.isConnected(),
    waitForConnect: (timeoutMs = 10_000) => withTimeout(publishChannel.waitForConnect(), timeoutMs, opts.url),
    close() {
      closing ??= close();
      return closing;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, url: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const safeUrl = url.replace(/\/\/[^@/]*@/, '//');
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`RabbitMQ not reachable at ${safeUrl} within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
