import { describe, expect, test } from 'vitest';
import {
  bodyOf,
  internalTokenFor,
  jwtFrom,
  newSignup,
  type PublicUser,
  postJson,
  useAuth,
} from './support/auth-app.js';

const auth = useAuth();

const signup = (body: unknown) => postJson(`${auth.url}/api/auth/signup`, body);
const countUsers = (username: string) => auth.users.countDocuments({ usernameLower: username.toLowerCase() });

describe('POST /api/auth/signup', () => {
  test('creates the account, sets the jwt cookie, and /me returns it with the internal caller token', async () => {
    const body = newSignup({ fullName: '  Ada Lovelace  ' });

    const res = await signup(body);

    expect(res.status).toBe(201);
    const user = await bodyOf<PublicUser>(res);
    expect(Object.keys(user).sort()).toEqual(['_id', 'fullName', 'profilePic', 'username']);
    expect(user).toMatchObject({
      fullName: 'Ada Lovelace',
      username: body.username,
      profilePic: `/api/auth/avatar/${body.username}.svg`,
    });
    expect(user._id).toMatch(/^[0-9a-f]{24}$/);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('jwt='));
    expect(cookie).toBeDefined();
    const attributes = (cookie ?? '').split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['httponly', 'samesite=strict', 'path=/', 'max-age=1296000']),
    );
    expect(attributes).not.toContain('secure');

    const { internalToken } = internalTokenFor(jwtFrom(res));
    const me = await fetch(`${auth.url}/api/auth/me`, { headers: { 'x-internal-token': internalToken } });
    expect(me.status).toBe(200);
    expect(await bodyOf<unknown>(me)).toMatchObject({
      ...user,
      gender: 'female',
      createdAt: expect.any(String),
    });
  });

  test('stores a bcrypt hash, never the password', async () => {
    const body = newSignup({ password: 'plain-text-pw', confirmPassword: 'plain-text-pw' });
    expect((await signup(body)).status).toBe(201);

    const stored = await auth.users.findOne({ usernameLower: String(body.username).toLowerCase() });
    expect(stored?.password).toMatch(/^\$2[aby]\$10\$/);
    expect(JSON.stringify(stored)).not.toContain('plain-text-pw');
  });

  test('usernames are trimmed and unique regardless of case', async () => {
    const body = newSignup();
    const name = String(body.username);
    expect((await signup({ ...body, username: `  ${name}  ` })).status).toBe(201);

    const res = await signup(newSignup({ username: name.toUpperCase() }));

    expect(res.status).toBe(400);
    expect(await bodyOf<unknown>(res)).toEqual({
      error: 'Username already exists',
      code: 'AUTH.USERNAME_TAKEN',
    });
    expect(await countUsers(name)).toBe(1);
  });

  test('10 simultaneous signups of one username create exactly one account', async () => {
    const body = newSignup();

    const responses = await Promise.all(Array.from({ length: 10 }, () => signup(body)));

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 400, 400, 400, 400, 400, 400, 400, 400, 400]);
    const losers = await Promise.all(responses.filter((r) => r.status === 400).map((r) => bodyOf(r)));
    for (const body of losers) expect(body.error).toBe('Username already exists');
    expect(await countUsers(String(body.username))).toBe(1);
  });

  test('accepts a password of exactly 72 UTF-8 bytes', async () => {
    const password = '€'.repeat(24); // 3 bytes each
    const res = await signup(newSignup({ password, confirmPassword: password }));
    expect(res.status).toBe(201);
  });

  test('refuses a 73-byte password instead of truncating it', async () => {
    const password = `a${'€'.repeat(24)}`;
    const body = newSignup({ password, confirmPassword: password });

    const res = await signup(body);

    expect(res.status).toBe(400);
    expect((await bodyOf(res)).error).toBe('Password must be at most 72 bytes');
    expect(await countUsers(String(body.username))).toBe(0);
  });

  test('accepts a password of exactly 8 characters that is on no list', async () => {
    const res = await signup(newSignup({ password: 'k7#qz!wv', confirmPassword: 'k7#qz!wv' }));
    expect(res.status).toBe(201);
  });

  test('refuses a password shorter than 8 characters, saying so', async () => {
    const body = newSignup({ password: 'k7#qz!w', confirmPassword: 'k7#qz!w' });

    const res = await signup(body);

    expect(res.status).toBe(400);
    expect(await bodyOf(res)).toEqual({
      error: 'password: must be at least 8 characters',
      code: 'AUTH.INVALID_BODY',
    });
    expect(await countUsers(String(body.username))).toBe(0);
  });

  test.each(['password', '12345678', 'iloveyou', 'Sunshine', 'QWERTYUIOP', 'trustno1'])(
    'refuses the common password %s, whatever its case',
    async (password) => {
      const body = newSignup({ password, confirmPassword: password });

      const res = await signup(body);

      expect(res.status).toBe(400);
      expect(await bodyOf(res)).toEqual({
        error: 'This password is one of the most common passwords; choose another',
        code: 'AUTH.PASSWORD_TOO_COMMON',
      });
      expect(await countUsers(String(body.username))).toBe(0);
    },
  );

  test('refuses mismatched passwords', async () => {
    const body = newSignup({ confirmPassword: 'something-else' });

    const res = await signup(body);

    expect(res.status).toBe(400);
    expect((await bodyOf(res)).error).toBe("Passwords don't match");
    expect(await countUsers(String(body.username))).toBe(0);
  });

  const badInputs: Array<[string, (base: Record<string, unknown>) => unknown]> = [
    ['missing fullName', ({ fullName: _, ...rest }) => rest],
    ['missing username', ({ username: _, ...rest }) => rest],
    ['missing password', ({ password: _, ...rest }) => rest],
    ['missing confirmPassword', ({ confirmPassword: _, ...rest }) => rest],
    ['missing gender', ({ gender: _, ...rest }) => rest],
    ['{"$gt": ""} as username', (b) => ({ ...b, username: { $gt: '' } })],
    ['{"$gt": ""} as password', (b) => ({ ...b, password: { $gt: '' }, confirmPassword: { $gt: '' } })],
    ['a number as username', (b) => ({ ...b, username: 12345 })],
    ['an array as fullName', (b) => ({ ...b, fullName: ['Ada'] })],
    ['a boolean as password', (b) => ({ ...b, password: true, confirmPassword: true })],
    ['null gender', (b) => ({ ...b, gender: null })],
    ['gender "other"', (b) => ({ ...b, gender: 'other' })],
    ['a blank fullName', (b) => ({ ...b, fullName: '   ' })],
    ['a 51-character fullName', (b) => ({ ...b, fullName: 'x'.repeat(51) })],
    ['a 2-character username', (b) => ({ ...b, username: 'ab' })],
    [
      'a 31-character username',
      (b) => ({ ...b, username: `${String(b.username)}${'x'.repeat(31)}`.slice(0, 31) }),
    ],
    ['a username with a space', (b) => ({ ...b, username: `${String(b.username)} x` })],
    ['a username with markup', (b) => ({ ...b, username: `<${String(b.username)}>` })],
    ['a 7-character password', (b) => ({ ...b, password: 'k7#qz!w', confirmPassword: 'k7#qz!w' })],
    ['an unknown extra key', (b) => ({ ...b, isAdmin: true })],
    ['a JSON array body', (b) => [b]],
  ];

  test.each(badInputs)('refuses %s with a 400 and creates nothing', async (_name, mutate) => {
    const base = newSignup();
    // Tests in a file run one at a time, so the total count is this request's doing.
    const before = await auth.users.countDocuments();

    const res = await signup(mutate(base));

    expect(res.status).toBe(400);
    const body = await bodyOf<unknown>(res);
    expect(body).toEqual({ error: expect.any(String), code: expect.any(String) });
    expect(await auth.users.countDocuments()).toBe(before);
  });

  test('refuses malformed JSON and an oversize body without creating anything', async () => {
    const base = newSignup();
    const malformed = await signup(`{"username": "${String(base.username)}",`);
    const oversize = await signup({ ...base, fullName: 'x'.repeat(200_000) });

    expect(malformed.status).toBe(400);
    expect(oversize.status).toBe(413);
    expect(await countUsers(String(base.username))).toBe(0);
  });
});
