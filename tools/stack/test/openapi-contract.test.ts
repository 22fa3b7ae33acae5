import { openApiProblems, uniqueName } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jwtCookieOf } from './support/browser.js';
import { launchChromium, openPage } from './support/chromium.js';
import { type ContractReply, contractClient } from './support/contract-client.js';
import { type E2eStack, printLogsOnFailure, startE2eStack } from './support/e2e-stack.js';
import { waitForValue } from './support/wait.js';

interface User {
  _id: string;
  username: string;
  profilePic: string;
  cookie: string;
}
interface Message {
  _id: string;
  conversationId: string;
  message: string;
  editedAt?: string;
}

const PASSWORD = 'correct horse battery';
let e2e: E2eStack;
let doc: unknown;
let api: ReturnType<typeof contractClient>;
let alice: User;
let bob: User;
let sent: Message;

function expectStatus(reply: ContractReply, status: number): void {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
}

async function signUp(prefix: string): Promise<User> {
  const username = uniqueName(prefix).slice(0, 30);
  const body = {
    fullName: `Contract ${prefix}`,
    username,
    password: PASSWORD,
    confirmPassword: PASSWORD,
    gender: 'male',
  };
  const reply = await api.call<Omit<User, 'cookie'>>('POST', '/api/auth/signup', { body });
  expectStatus(reply, 201);
  const cookie = jwtCookieOf(reply.headers);
  if (!cookie) throw new Error('signup set no jwt cookie');
  return { ...reply.body, cookie };
}

/** The messages service learns of new users from an event: retry the one "unknown receiver" answer. */
async function firstMessage(from: User, to: User): Promise<Message> {
  const reply = await waitForValue(
    async () => {
      const attempt = await api.call<Message & { code?: string }>('POST', `/api/messages/send/${to._id}`, {
        cookie: from.cookie,
        body: { message: 'hello from the contract test' },
        headers: { 'Idempotency-Key': uniqueName('contract') },
      });
      return attempt.body.code === 'MESSAGES.RECEIVER_NOT_FOUND' ? undefined : attempt;
    },
    { timeoutMs: 10_000, message: `${to.username} never became a known receiver` },
  );
  expectStatus(reply, 201);
  return reply.body;
}

beforeAll(async () => {
  e2e = await startE2eStack(1);
  const res = await fetch(`${e2e.url}/api/docs/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
  api = contractClient(e2e.url, doc);
  alice = await signUp('contract-a');
  bob = await signUp('contract-b');
  sent = await firstMessage(alice, bob);
});

afterAll(async () => {
  await e2e?.stop();
});

printLogsOnFailure(() => e2e);

describe('the API description against the running stack', () => {
  test('the document is a sound OpenAPI 3.1 document, served without a cookie', () => {
    expect(openApiProblems(doc)).toEqual([]);
  });

  test('health and auth routes answer as described', async () => {
    expectStatus(await api.call('GET', '/healthz'), 200);
    expectStatus(await api.call('GET', '/readyz'), 200);
    const login = await api.call('POST', '/api/auth/login', {
      body: { username: alice.username, password: PASSWORD },
    });
    expectStatus(login, 200);
    expectStatus(await api.call('GET', '/api/auth/me', { cookie: alice.cookie }), 200);
    const avatar = await api.call<string>('GET', alice.profilePic);
    expectStatus(avatar, 200);
    expect(avatar.body).toMatch(/^<svg /);
  });

  test('the user list answers as described', async () => {
    const found = await api.call<unknown[]>('GET', `/api/users?q=${bob.username}`, { cookie: alice.cookie });
    expectStatus(found, 200);
    expect(found.body).toHaveLength(1);
  });

  test('the history answers as described', async () => {
    const history = await api.call<Message[]>('GET', `/api/messages/${bob._id}?limit=10`, {
      cookie: alice.cookie,
    });
    expectStatus(history, 200);
    expect(history.body.map((m) => m._id)).toEqual([sent._id]);
  });

  test('conversations and read marks answer as described', async () => {
    const conversations = await api.call<unknown[]>('GET', '/api/conversations?limit=5', {
      cookie: bob.cookie,
    });
    expectStatus(conversations, 200);
    expect(conversations.body).toHaveLength(1);
    const read = await api.call('POST', `/api/messages/read/${alice._id}`, {
      cookie: bob.cookie,
      body: { upTo: sent._id },
    });
    expectStatus(read, 200);
  });

  test('edit and delete answer as described, and the tombstone matches the message schema', async () => {
    const path = `/api/messages/${sent._id}`;
    const edited = await api.call<Message>('PATCH', path, {
      cookie: alice.cookie,
      body: { message: 'edited' },
    });
    expectStatus(edited, 200);
    expect(edited.body.editedAt).toBeDefined();
    expectStatus(await api.call('DELETE', path, { cookie: alice.cookie }), 200);
    const history = await api.call<Message[]>('GET', `/api/messages/${alice._id}`, { cookie: bob.cookie });
    expect(history.body[0]?.message).toBe('');
  });

  test('block and unblock answer as described', async () => {
    const path = `/api/users/block/${bob._id}`;
    expectStatus(await api.call('POST', path, { cookie: alice.cookie }), 200);
    const listed = await api.call<Array<{ blocked: boolean }>>('GET', `/api/users?q=${bob.username}`, {
      cookie: alice.cookie,
    });
    expect(listed.body[0]?.blocked).toBe(true);
    expectStatus(await api.call('DELETE', path, { cookie: alice.cookie }), 200);
  });

  test('error replies match errorReply', async () => {
    expectStatus(await api.call('GET', '/api/users'), 401);
    const empty = await api.call('POST', `/api/messages/send/${bob._id}`, {
      cookie: alice.cookie,
      body: { message: '' },
    });
    expectStatus(empty, 400);
    expectStatus(await api.call('GET', '/api/auth/avatar/bad%20name.svg'), 400);
  });

  test('logout and logout-all answer as described, and then every route of the document has been exercised', async () => {
    expectStatus(await api.call('POST', '/api/auth/logout', { cookie: alice.cookie }), 200);
    expectStatus(await api.call('POST', '/api/auth/logout-all', { cookie: bob.cookie }), 200);
    expectStatus(await api.call('GET', '/api/auth/me', { cookie: bob.cookie }), 401);
    expect(api.unexercised()).toEqual([]);
  });
});

describe('GET /api/docs in a browser', () => {
  test('renders every described route under the strict CSP, with nothing fetched from outside', async () => {
    const chromium = await launchChromium();
    try {
      const { page, errors } = await openPage(chromium.browser, 1280);
      const foreign: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).origin !== new URL(e2e.url).origin) foreign.push(request.url());
      });
      await page.goto(`${e2e.url}/api/docs`);
      const described = Object.values((doc as { paths: Record<string, object> }).paths).reduce(
        (n, operations) => n + Object.keys(operations).length,
        0,
      );
      const operations = page.locator('.opblock');
      await expect.poll(() => operations.count(), { timeout: 15_000 }).toBe(described);
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await chromium.close();
    }
  });
});
