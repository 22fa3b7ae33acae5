import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { browser, type SentMessage, type SignedUpUser, sendMessage, signUp } from './support/browser.js';
import { type E2eStack, printLogsOnFailure, startE2eStack } from './support/e2e-stack.js';
import { waitForValue } from './support/wait.js';

// Debug level: the realtime nodes log each event they handle, under the id of the request that caused it.
let e2e: E2eStack | undefined;
let alice: SignedUpUser;
let bob: SignedUpUser;

const stack = (): E2eStack => {
  if (!e2e) throw new Error('no stack');
  return e2e;
};

printLogsOnFailure(() => e2e);

beforeAll(async () => {
  e2e = await startE2eStack(1, { LOG_LEVEL: 'debug' });
  alice = await signUp(e2e.url, 'corr-a');
  bob = await signUp(e2e.url, 'corr-b');
  // Bob is then a known receiver: the correlated send below is stored at its first attempt.
  await sendMessage(e2e.url, alice, bob, 'hello first');
});

afterAll(async () => {
  await e2e?.stop();
});

interface LogLine {
  msg?: string;
  routingKey?: string;
  eventId?: string;
  correlationId?: string;
}

/** The JSON log lines a service printed (its lines are prefixed with `[name] `). */
function logsOf(service: string): LogLine[] {
  const prefix = `[${service}] `;
  return stack()
    .logs.filter((line) => line.startsWith(prefix))
    .flatMap((line) => {
      try {
        return [JSON.parse(line.slice(prefix.length)) as LogLine];
      } catch {
        return [];
      }
    });
}

function handledUnder(correlationId: string): Promise<LogLine> {
  return waitForValue(
    () => logsOf('realtime-1').find((l) => l.msg === 'event handled' && l.correlationId === correlationId),
    { timeoutMs: 10_000, message: `realtime-1 never logged an event under ${correlationId}` },
  );
}

async function postWithRequestId(path: string, from: SignedUpUser, body: unknown, requestId: string) {
  const res = await fetch(`${stack().url}${path}`, {
    method: 'POST',
    headers: {
      cookie: from.cookie,
      origin: new URL(stack().url).origin,
      'content-type': 'application/json',
      'x-request-id': requestId,
    },
    body: JSON.stringify(body),
  });
  expect(res.headers.get('x-request-id')).toBe(requestId);
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('the correlation id, from an HTTP request to the realtime node that handles its event', () => {
  test('a send’s x-request-id rides the outbox and the AMQP header into the realtime node’s log', async () => {
    const requestId = `send-${randomUUID()}`;

    const sent = await postWithRequestId(
      `/api/messages/send/${bob._id}`,
      alice,
      { message: 'traced' },
      requestId,
    );

    expect(sent.status).toBe(201);
    const line = await handledUnder(requestId);
    expect(line.routingKey).toBe('message.created');
    expect(logsOf('realtime-1').filter((l) => l.correlationId === requestId).length).toBeGreaterThan(0);
  });

  test('a read receipt’s request id reaches the node too, and another request’s id stays apart', async () => {
    const history = await browser(stack().url, bob.cookie).get<SentMessage[]>(`/api/messages/${alice._id}`);
    const newest = history.body.at(-1);
    if (!newest) throw new Error('no message to read');
    const requestId = `read-${randomUUID()}`;

    const read = await postWithRequestId(
      `/api/messages/read/${alice._id}`,
      bob,
      { upTo: newest._id },
      requestId,
    );

    expect(read.status).toBe(200);
    const line = await handledUnder(requestId);
    expect(line.routingKey).toBe('conversation.read');
    const underIt = logsOf('realtime-1').filter((l) => l.correlationId === requestId);
    expect(underIt.every((l) => l.routingKey === undefined || l.routingKey === 'conversation.read')).toBe(
      true,
    );
  });
});
