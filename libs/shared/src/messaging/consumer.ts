import { setTimeout as sleep } from 'node:timers/promises';
import type { AmqpConnectionManager, Channel, ChannelWrapper } from 'amqp-connection-manager';
import type { ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { BrokerNames, RoutingKey } from '../events/index.js';
import { parseEvent } from './publisher.js';
import { assertConsumerQueue } from './topology.js';
import type { ConsumeOptions, Consumer, DeliveryMeta } from './types.js';

const DEFAULT_PREFETCH = 20;
const DEFAULT_DELIVERY_LIMIT = 5;
const DEFAULT_MAX_LENGTH = 100_000;
const DEFAULT_DEAD_LETTER_MAX_LENGTH = 10_000;
const DEFAULT_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 2_000;

function deliveryMetaOf(msg: ConsumeMessage): DeliveryMeta {
  const headers: Record<string, unknown> = msg.properties.headers ?? {};
  const previous = headers['x-delivery-count'];
  return {
    redelivered: msg.fields.redelivered,
    deliveryCount: (typeof previous === 'number' ? previous : 0) + 1,
    headers,
  };
}

function parseBody<K extends RoutingKey>(routingKey: K, msg: ConsumeMessage) {
  try {
    return { ok: true as const, event: parseEvent(routingKey, JSON.parse(msg.content.toString('utf8'))) };
  } catch (err) {
    return { ok: false as const, reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Subscribe, and when connected wait until the channel's setup ran, so the queue exists when this resolves.
 * Rejects if the setup failed (e.g. the queue exists with other arguments); the channel is then closed.
 */
async function subscribe(
  manager: AmqpConnectionManager,
  wrapper: ChannelWrapper,
  queue: string,
  onMessage: (msg: ConsumeMessage) => void,
  prefetch: number,
): Promise<void> {
  let onError = (_err: Error) => {};
  const failed = new Promise<never>((_, reject) => {
    onError = reject;
  });
  // Attached before the setup can run: its error is emitted before `consume` resolves.
  wrapper.once('error', onError);
  const subscribed = (async () => {
    await wrapper.consume(queue, onMessage, { prefetch, noAck: false });
    if (manager.isConnected()) await wrapper.waitForConnect();
  })();
  subscribed.catch(() => {}); // settled through the race below
  try {
    await Promise.race([subscribed, failed]);
  } catch (err) {
    await wrapper.close().catch(() => {});
    throw err;
  } finally {
    wrapper.removeListener('error', onError);
  }
}

interface DeliveryContext<K extends RoutingKey> {
  routingKey: K;
  handler: ConsumeOptions<K>['handler'];
  log: Logger;
  retryDelayMs: number;
  /** Aborted by cancel(): stops waiting before a requeue. */
  stopping: AbortSignal;
}

function settle(
  log: Logger,
  channel: Channel,
  msg: ConsumeMessage,
  outcome: 'ack' | 'requeue' | 'reject',
): void {
  try {
    if (outcome === 'ack') channel.ack(msg);
    else channel.nack(msg, false, outcome === 'requeue');
  } catch (err) {
    log.warn(
      { err, messageId: msg.properties.messageId },
      'could not settle message; the broker will redeliver it',
    );
  }
}

/** Parse, run the handler, then ack / requeue / dead-letter on the channel that delivered the message. */
async function deliver<K extends RoutingKey>(ctx: DeliveryContext<K>, channel: Channel, msg: ConsumeMessage) {
  const { log } = ctx;
  const messageId: unknown = msg.properties.messageId;
  if (ctx.stopping.aborted) return settle(log, channel, msg, 'requeue');
  const parsed = parseBody(ctx.routingKey, msg);
  if (!parsed.ok) {
    log.warn({ messageId, reason: parsed.reason }, 'invalid message dead-lettered');
    return settle(log, channel, msg, 'reject');
  }
  const meta = deliveryMetaOf(msg);
  try {
    await ctx.handler(parsed.event, meta);
    settle(log, channel, msg, 'ack');
  } catch (err) {
    log.warn({ err, messageId, deliveryCount: meta.deliveryCount }, 'handler failed, message requeued');
    // Back off so a short outage does not burn the delivery limit; the limit then dead-letters it.
    const delayMs = Math.min(MAX_RETRY_DELAY_MS, ctx.retryDelayMs * 2 ** (meta.deliveryCount - 1));
    await sleep(delayMs, undefined, { signal: ctx.stopping }).catch(() => {});
    settle(log, channel, msg, 'requeue');
  }
}

/**
 * Start a consumer on its own channel. The channel's setup (re-run on every reconnection) declares the
 * queue topology; amqp-connection-manager then re-subscribes. Acks go to the channel that delivered the
 * message: a delivery tag is meaningless on a newer channel, and its message is redelivered anyway.
 */
export async function startConsumer<K extends RoutingKey>(
  manager: AmqpConnectionManager,
  logger: Logger,
  opts: ConsumeOptions<K>,
  names: BrokerNames,
): Promise<Consumer> {
  const { routingKey } = opts;
  const queue = names.queue(opts.queue);
  const prefetch = opts.prefetch ?? DEFAULT_PREFETCH;
  const deliveryLimit = opts.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
  const limits = {
    deliveryLimit,
    maxLength: opts.maxLength ?? DEFAULT_MAX_LENGTH,
    deadLetterMaxLength: opts.deadLetterMaxLength ?? DEFAULT_DEAD_LETTER_MAX_LENGTH,
  };
  const log = logger.child({ queue });
  const stopping = new AbortController();
  const ctx: DeliveryContext<K> = {
    routingKey,
    handler: opts.handler,
    log,
    retryDelayMs: opts.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
    stopping: stopping.signal,
  };
  const inFlight = new Set<Promise<void>>();
  let current: Channel | undefined;

  const wrapper = manager.createChannel({
    name: `consumer:${queue}`,
    confirm: false,
    setup: async (channel: Channel) => {
      await assertConsumerQueue(channel, names, queue, routingKey, limits, opts.shard);
      current = channel;
    },
  });
  wrapper.on('error', (err: Error) => log.error({ err }, 'consumer channel error'));
  const onMessage = (msg: ConsumeMessage) => {
    if (!current) return;
    const task = deliver(ctx, current, msg).finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  await subscribe(manager, wrapper, queue, onMessage, prefetch);
  log.info({ routingKey, prefetch, deliveryLimit }, 'consumer started');

  return {
    async cancel() {
      if (stopping.signal.aborted) return;
      stopping.abort();
      await wrapper.cancelAll().catch((err: unknown) => log.warn({ err }, 'cancel failed'));
      await Promise.allSettled([...inFlight]);
      await wrapper.close();
      log.info('consumer stopped');
    },
  };
}
