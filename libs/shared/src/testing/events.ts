import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import amqplib, { type MessageProperties } from 'amqplib';
import {
  brokerNames,
  type EventOf,
  eventSchemas,
  type MessageCreatedEvent,
  newEventEnvelope,
  type RoutingKey,
  type UserRegisteredEvent,
} from '../events/index.js';

export interface CollectedMessage<K extends RoutingKey> {
  event: EventOf<K>;
  properties: MessageProperties;
}

export interface EventCollector<K extends RoutingKey> {
  /** Every event received so far, parsed with the shared schema, in arrival order. */
  events: EventOf<K>[];
  /** The same events with their AMQP properties (messageId, headers, persistence…). */
  messages: CollectedMessage<K>[];
  /** Messages that failed the schema (or were not JSON), kept rather than thrown: other tests may publish poison. */
  invalid: Array<{ properties: MessageProperties; reason: string }>;
  /** Resolve with the events once at least `n` arrived; reject at the deadline. */
  waitForCount(n: number, timeoutMs?: number): Promise<EventOf<K>[]>;
  /** Resolve with the first event matching `match` (already received or arriving); reject at the deadline. */
  waitForEvent(match: (event: EventOf<K>) => boolean, timeoutMs?: number): Promise<EventOf<K>>;
  close(): Promise<void>;
}

function parseJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Bind a fresh exclusive, auto-delete queue to the events exchange for `routingKey` and collect what is
 * published from now on, parsed with the shared schema. Other tests publish on the same exchange, so match
 * your own events by id (`waitForEvent`) rather than counting when tests run in parallel.
 */
export async function collectEvents<K extends RoutingKey>(
  amqpUrl: string,
  routingKey: K,
  opts: { bindingKey?: string; namespace?: string } = {},
): Promise<EventCollector<K>> {
  const exchange = brokerNames(opts.namespace).exchange;
  const connection = await amqplib.connect(amqpUrl);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
  await channel.bindQueue(queue, exchange, opts.bindingKey ?? routingKey);
  const events: EventOf<K>[] = [];
  const messages: CollectedMessage<K>[] = [];
  const changes = new EventEmitter();
  const invalid: EventCollector<K>['invalid'] = [];
  await channel.consume(
    queue,
    (msg) => {
      if (!msg) return;
      const result = eventSchemas[routingKey].safeParse(parseJson(msg.content));
      if (result.success) {
        const event = result.data as EventOf<K>;
        events.push(event);
        messages.push({ event, properties: msg.properties });
      } else {
        invalid.push({ properties: msg.properties, reason: result.error.message });
      }
      changes.emit('change');
    },
    { noAck: true },
  );

  const waitUntil = <T>(found: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value !== undefined) finish(() => resolve(value));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        changes.off('change', check);
        settle();
      };
      changes.on('change', check);
      check();
    });

  return {
    events,
    messages,
    invalid,
    waitForCount: (n, timeoutMs = 5_000) =>
      waitUntil(
        () => (events.length >= n ? [...events] : undefined),
        timeoutMs,
        `${n} ${routingKey} events (got ${events.length})`,
      ),
    waitForEvent: (match, timeoutMs = 5_000) =>
      waitUntil(() => events.find(match), timeoutMs, `a matching ${routingKey} event`),
    close: async () => {
      await connection.close();
    },
  };
}

/**
 * Publish `body` as is (a Buffer, or an object sent as JSON without validation) on the events exchange and
 * wait for the broker's confirm. For fixtures and poison-message tests; pass `toQueue` to send a poison
 * message straight to one queue instead of every queue bound to `routingKey`.
 */
export async function publishRaw(
  amqpUrl: string,
  routingKey: string,
  body: Buffer | object,
  opts: { headers?: Record<string, unknown>; messageId?: string; toQueue?: string; namespace?: string } = {},
): Promise<void> {
  const exchange = brokerNames(opts.namespace).exchange;
  const connection = await amqplib.connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const properties = {
      persistent: true,
      contentType: 'application/json',
      type: routingKey,
      messageId: opts.messageId,
      headers: opts.headers ?? {},
    };
    if (opts.toQueue) channel.sendToQueue(opts.toQueue, content, properties);
    else channel.publish(exchange, routingKey, content, properties);
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

const hexId = () => randomBytes(12).toString('hex');

/** A valid `user.registered` event with fresh ids; nested `user` fields can be overridden one by one. */
export function fakeUserRegisteredEvent(
  overrides: Partial<Omit<UserRegisteredEvent, 'user'>> & {
    user?: Partial<UserRegisteredEvent['user']>;
  } = {},
): UserRegisteredEvent {
  const { user, ...envelope } = overrides;
  const id = hexId();
  return {
    ...newEventEnvelope(),
    ...envelope,
    user: {
      _id: id,
      fullName: 'Test User',
      username: `user_${id.slice(-8)}`,
      gender: 'female',
      profilePic: `/api/auth/avatar/${id}.svg`,
      createdAt: new Date().toISOString(),
      ...user,
    },
  };
}

/** A valid `message.created` event with fresh ids; nested `message` fields can be overridden one by one. */
export function fakeMessageCreatedEvent(
  overrides: Partial<Omit<MessageCreatedEvent, 'message'>> & {
    message?: Partial<MessageCreatedEvent['message']>;
  } = {},
): MessageCreatedEvent {
  const { message, ...envelope } = overrides;
  return {
    ...newEventEnvelope(),
    ...envelope,
    message: {
      _id: hexId(),
      conversationId: hexId(),
      senderId: hexId(),
      receiverId: hexId(),
      message: 'hello',
      createdAt: new Date().toISOString(),
      ...message,
    },
  };
}
