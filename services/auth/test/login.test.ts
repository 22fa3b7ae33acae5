import bcrypt from 'bcrypt';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  bodyOf,
  internalTokenFor,
  jwtFrom,
  newSignup,
  openDb,
  type PublicUser,
  postJson,
  signUpOn,
  startAuth,
  useAuth,
} from './support/auth-app.js';

const auth = useAuth();
let account: { _id: string; username: string; password: string };

beforeAll(async () => {
  const { user, body } = await signUpOn(auth, { username: `Login_${Date.now().toString(36)}` });
  account = { _id: user._id, username: String(body.username), password: String(body.password) };
});

const login = (body: unknown) => postJson(`${auth.url}/api/auth/login`, body);

async function timedLogin(body: unknown): Promise<{ ms: number; status: number; body: unknown }> {
  const started = performance.now();
  const res = await login(body);
  const json: unknown = await res.json();
  return { ms: performance.now() - started, status: res.status, body: json };
}

describe('POST /api/auth/login', () => {
  test('with the right password returns the user and a working cookie', async () => {
    const res = await login({ username: account.username, password: account.password });

    expect(res.status).toBe(200);
    const user = await bodyOf<PublicUser>(res);
    expect(user).toEqual({
      _id: account._id,
      fullName: 'Test User',
      username: account.username,
      profilePic: `/api/auth/avatar/${account.username}.svg`,
    });
    const { internalToken } = internalTokenFor(jwtFrom(res));
    const me = await fetch(`${auth.url}/api/auth/me`, { headers: { 'x-internal-token': internalToken } });
    expect((await bodyOf<PublicUser>(me))._id).toBe(account._id);
  });

  test('matches the username regardless of case and surrounding spaces', async () => {
    const res = await login({ username: `  ${account.username.toUpperCase()} `, password: account.password });
    expect(res.status).toBe(200);
    expect((await bodyOf<PublicUser>(res))._id).toBe(account._id);
  });

  test('a wrong password and an unknown user get the same 400 body and similar timing', async () => {
    const wrong = [];
    const unknown = [];
    for (let i = 0; i < 3; i += 1) {
      wrong.push(await timedLogin({ username: account.username, password: 'not-the-password' }));
      unknown.push(await timedLogin({ username: `nobody_${i}_${Date.now()}`, password: 'not-the-password' }));
    }

    for (const r of [...wrong, ...unknown]) {
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ error: 'Invalid username or password', code: 'AUTH.INVALID_CREDENTIALS' });
    }
    // An unknown user still pays for a bcrypt comparison; a bare lookup would be many times faster.
    const fastest = (runs: Array<{ ms: number }>) => Math.min(...runs.map((r) => r.ms));
    expect(fastest(unknown)).toBeGreaterThan(fastest(wrong) * 0.4);
  });

  test('a password longer than 72 bytes never matches, even when its first 72 bytes would', async () => {
    const password = 'p'.repeat(72);
    const body = newSignup({ password, confirmPassword: password });
    expect((await postJson(`${auth.url}/api/auth/signup`, body)).status).toBe(201);

    const res = await login({ username: body.username, password: `${password}extra` });

    expect(res.status).toBe(400);
    expect((await bodyOf(res)).error).toBe('Invalid username or password');
  });

  test.each([
    ['{"$gt": ""} as username', { username: { $gt: '' }, password: 'x-password' }],
    ['{"$gt": ""} as password', { username: 'someone', password: { $gt: '' } }],
    ['{"$ne": null} as both', { username: { $ne: null }, password: { $ne: null } }],
    ['a missing password', { username: 'someone' }],
    ['a number as username', { username: 42, password: 'x-password' }],
    ['an unknown extra key', { username: 'someone', password: 'x-password', admin: true }],
  ])('refuses %s with a 400 and no cookie', async (_name, body) => {
    const res = await login(body);

    expect(res.status).toBe(400);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe('POST /api/auth/login after BCRYPT_COST was raised', () => {
  test('a hash made at the old cost is replaced by one at the new cost, and the password still works', async () => {
    const body = newSignup();
    const password = String(body.password);
    const atCost10 = await startAuth({ BCRYPT_COST: '10' });
    const db = await openDb(atCost10.config);
    const storedCost = async () => {
      const stored = await db.users.findOne({ usernameLower: String(body.username).toLowerCase() });
      return bcrypt.getRounds(String(stored?.password));
    };
    try {
      expect((await postJson(`${atCost10.url}/api/auth/signup`, body)).status).toBe(201);
      expect(await storedCost()).toBe(10);
      await atCost10.app.stop();

      // The same database, restarted with a higher cost.
      const atCost11 = await startAuth({ BCRYPT_COST: '11', MONGO_DB: atCost10.config.MONGO_DB });
      try {
        const first = await postJson(`${atCost11.url}/api/auth/login`, { username: body.username, password });
        expect(first.status).toBe(200);
        expect(await storedCost()).toBe(11);

        const again = await postJson(`${atCost11.url}/api/auth/login`, { username: body.username, password });
        expect(again.status).toBe(200);
        const wrong = await postJson(`${atCost11.url}/api/auth/login`, {
          username: body.username,
          password: 'not-the-password',
        });
        expect(wrong.status).toBe(400);
      } finally {
        await atCost11.app.stop();
      }
    } finally {
      await db.close();
    }
  });
});
