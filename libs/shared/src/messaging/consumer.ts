import { setTimeout as sleep } from 'node:timers/promises';
import type { AmqpConnectionManager, Channel, ChannelWrapper } from 'amqp-connection-manager';
import type { ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { BrokerNames, RoutingKey } from '../events/index.js';
import { type AckBatcher, createAckBatcher } from './ack-batcher.js';
import { parseEvent } from './publisher.js';
import { assertConsumerQueue, checkQueueShard } from './topology.js';
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
 * AMQP soft errors: the broker refused this request on this channel (the queue exists with other arguments,
 * access refused, ...). A reconnection would meet the same refusal. Anything else seen while subscribing
 * (a pending call ended because the connection closed, a 5xx connection error, a closed channel) is the
 * connection going away: amqp-connection-manager reconnects and runs the setup and the subscription again.
 */
const REFUSALS = new Set([311, 312, 313, 403, 404, 405, 406]);

function isRefusal(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'number' && REFUSALS.has(code);
}

/**
 * Subscribe, and when connected wait until the channel's setup ran, so the queue exists when this resolves.
 * Rejects if the broker refused the setup (e.g. the queue exists with other arguments); the channel is then
 * closed. A connection lost during the setup is not a refusal: this then waits for the reconnection's setup.
 */
async function subscribe(
  manager: AmqpConnectionManager,
  wrapper: ChannelWrapper,
  log: Logger,
  queue: string,
  onMessage: (msg: ConsumeMessage) => void,
): Promise<void> {
  let refuse = (_err: Error) => {};
  const refused = new Promise<never>((_, reject) => {
    refuse = reject;
  });
  let interrupted = false;
  const interrupt = (err: unknown) => {
    if (!interrupted)
      log.warn({ err }, 'connection lost while subscribing; subscribing again once reconnected');
    interrupted = true;
  };
  // Attached before the setup can run: its error is emitted before `consume` resolves.
  const onError = (err: Error) => (isRefusal(err) ? refuse(err) : interrupt(err));
  wrapper.on('error', onError);
  const subscribed = (async () => {
    // The wrapper registers the consumer before its first attempt, and re-subscribes it on reconnection.
    await wrapper.consume(queue, onMessage, { noAck: false }).catch((err: unknown) => {
      if (isRefusal(err)) throw err;
      interrupt(err);
    });
    if (interrupted || manager.isConnected()) await wrapper.waitForConnect();
  })();
  subscribed.catch(() => {}); // settled through the race below
  try {
    await Promise.race([subscribed, refused]);
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
  acks: AckBatcher,
  msg: ConsumeMessage,
  outcome: 'ack' | 'requeue' | 'reject',
): void {
  try {
    if (outcome === 'ack') acks.ack(msg);
    else acks.nack(msg, outcome === 'requeue');
  } catch (err) {
    log.warn(
      { err, messageId: msg.properties.messageId },
      'could not settle message; the broker will redeliver it',
    );
  }
}

/** Parse, run the handler, then ack / requeue / dead-letter on the channel that delivered the message. */
async function deliver<K extends RoutingKey>(ctx: DeliveryContext<K>, acks: AckBatcher, msg: ConsumeMessage) {
  const { log } = ctx;
  const messageId: unknown = msg.properties.messageId;
  if (ctx.stopping.aborted) return settle(log, acks, msg, 'requeue');
  const parsed = parseBody(ctx.routingKey, msg);
  if (!parsed.ok) {
    log.warn({ messageId, reason: parsed.reason }, 'invalid message dead-lettered');
    return settle(log, acks, msg, 'reject');
  }
  const meta = deliveryMetaOf(msg);
  try {
    await ctx.handler(parsed.event, meta);
    settle(log, acks, msg, 'ack');
  } catch (err) {
    log.warn({ err, messageId, deliveryCount: meta.deliveryCount }, 'handler failed, message requeued');
    // Back off so a short outage does not burn the delivery limit; the limit then dead-letters it.
    const delayMs = Math.min(MAX_RETRY_DELAY_MS, ctx.retryDelayMs * 2 ** (meta.deliveryCount - 1));
    await sleep(delayMs, undefined, { signal: ctx.stopping }).catch(() => {});
    settle(log, acks, msg, 'requeue');
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
  if (opts.shard) checkQueueShard(opts.shard);
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
  // Acks go to the channel that delivered the message (a delivery tag means nothing on a newer channel).
  let current: AckBatcher | undefined;

  const wrapper = manager.createChannel({
    name: `consumer:${queue}`,
    confirm: false,
    setup: async (channel: Channel) => {
      await assertConsumerQueue(channel, names, queue, routingKey, limits, opts.shard);
      // Here, awaited, rather than as consume's `prefetch` option: amqp-connection-manager sends that one
      // without awaiting it, and a connection lost while it is pending rejects where nothing catches it
      // (the process exits). The setup runs before the consumer is (re)established on every connection.
      await channel.prefetch(prefetch);
      current = createAckBatcher(channel, (err) =>
        log.warn({ err }, 'could not ack; the broker will redeliver those messages'),
      );
    },
  });
  wrapper.on('error', (err: Error) => log.error({ err }, 'consumer channel error'));
  const onMessage = (msg: ConsumeMessage) => {
    const acks = current;
    if (!acks) return;
    acks.delivered(msg);
    const task = deliver(ctx, acks, msg).finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  await subscribe(manager, wrapper, log, queue, onMessage);
  log.info({ routingKey, prefetch, deliveryLimit }, 'consumer started');

  return {
    async cancel() {
      if (stopping.signal.aborted) return;
      stopping.abort();
      await wrapper.cancelAll().catch((err: unknown) => log.warn({ err }, 'cancel failed'));
      await Promise.allSettled([...inFlight]);
      current?.flush();
      await wrapper.close();
      log.info('consumer stopped');
    },
  };
}
