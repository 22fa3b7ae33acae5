import { randomBytes } from 'node:crypto';
import { type BenchUser, signup } from './http-client.js';
import { pool, sleep, Tally } from './stats.js';

export interface SignupReport {
  users: BenchUser[];
  seconds: number;
  errors: Record<string, number>;
}

/**
 * Signs up `count` users through the gateway, `concurrency` at a time (bcrypt-bound), retrying each a few
 * times on errors; throws if some could not be created.
 */
export async function createUsers(
  baseUrl: string,
  count: number,
  concurrency: number,
): Promise<SignupReport> {
  const tag = randomBytes(4).toString('hex');
  const password = `bench-${randomBytes(6).toString('hex')}`;
  const users: BenchUser[] = [];
  const errors = new Tally();
  const started = Date.now();
  await pool(count, concurrency, async (i) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const res = await signup(baseUrl, `b${tag}_${i}`, password);
      if (res.ok) {
        users[i] = res.value;
        return;
      }
      errors.add(res.kind);
      await sleep(200 * (attempt + 1));
    }
  });
  const created = users.filter((u) => u !== undefined);
  if (created.length !== count) {
    throw new Error(
      `only ${created.length} of ${count} signups succeeded: ${JSON.stringify(errors.toJSON())}`,
    );
  }
  return { users: created, seconds: (Date.now() - started) / 1000, errors: errors.toJSON() };
}
