import { newObjectId } from '@chat/shared/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  cookieFor,
  deadUrl,
  type EchoUpstream,
  startEchoUpstream,
  startGateway,
  type TestGateway,
} from './support.js';

// A service with replicas: AUTH_URL, USERS_URL and MESSAGES_URL take a list (or one DNS name standing for
// every address it resolves to, as realtime-nodes.test.ts shows), and requests are spread over them.
let replicas: EchoUpstream[] = [];
let gateway: TestGateway;
let withDeadReplica: TestGateway;

beforeAll(async () => {
  replicas = await Promise.all([startEchoUpstream('messages-1'), startEchoUpstream('messages-2')]);
  const [one, two] = replicas.map((r) => r.url);
  const otherUpstream = await startEchoUpstream('other');
  replicas.push(otherUpstream);
  const other = otherUpstream.url;
  gateway = await startGateway({ AUTH_URL: other, USERS_URL: other, MESSAGES_URL: `${one},${two}` });
  withDeadReplica = await startGateway({
    AUTH_URL: other,
    USERS_URL: other,
    MESSAGES_URL: `${await deadUrl()},${one}`,
  });
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), withDeadReplica?.stop()]);
  await Promise.all(replicas.map((r) => r.close()));
});

const getHistory = async (url: string): Promise<{ status: number; upstream: string }> => {
  const { cookie } = cookieFor(newObjectId());
  const res = await fetch(`${url}/api/messages/${newObjectId()}`, { headers: { cookie } });
  const body = (await res.json()) as { upstream?: string };
  return { status: res.status, upstream: body.upstream ?? '' };
};

describe('an upstream with replicas', () => {
  test('requests take turns between the replicas', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i += 1) seen.push((await getHistory(gateway.url)).upstream);
    expect(seen.filter((u) => u === 'messages-1')).toHaveLength(3);
    expect(seen.filter((u) => u === 'messages-2')).toHaveLength(3);
    for (let i = 1; i < seen.length; i += 1) expect(seen[i]).not.toBe(seen[i - 1]);
  });

  test('a replica that does not answer is left out, and every request reaches a live one', async () => {
    const replies = [];
    for (let i = 0; i < 4; i += 1) replies.push(await getHistory(withDeadReplica.url));
    expect(replies).toEqual(Array.from({ length: 4 }, () => ({ status: 200, upstream: 'messages-1' })));
  });
});
