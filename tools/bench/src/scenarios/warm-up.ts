import { type BenchUser, sendMessage } from '../http-client.js';
import { pool, sleep } from '../stats.js';

/**
 * Each user sends one message to the next, retrying while the messages service has not yet consumed the
 * recipient's `user.registered` (404). Afterwards every user is a known sender and receiver.
 */
export async function warmUp(baseUrl: string, users: BenchUser[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await pool(users.length, 16, async (i) => {
    const from = users[i];
    const to = users[(i + 1) % users.length];
    if (!from || !to) return;
    for (;;) {
      const res = await sendMessage(baseUrl, from, to.id, 'warm-up');
      if (res.ok) return;
      if (Date.now() > deadline) throw new Error(`warm-up send failed: ${res.kind}`);
      await sleep(100);
    }
  });
}
