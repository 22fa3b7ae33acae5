import { newObjectId } from '@chat/shared/testing';
import { describe, expect, test } from 'vitest';
import { cookieFor, deadUrl, upstreamsAt, useEchoUpstream, useGateway } from './support.js';

// A service with replicas: AUTH_URL, USERS_URL and MESSAGES_URL take a list (or one DNS name standing for
// every address it resolves to, as realtime-nodes.test.ts shows), and requests are spread over them.
const one = useEchoUpstream('messages-1');
const two = useEchoUpstream('messages-2');
const other = useEchoUpstream('other');
const gateway = useGateway(() => upstreamsAt(other.url, other.url, `${one.url},${two.url}`));
const withDeadReplica = useGateway(async () =>
  upstreamsAt(other.url, other.url, `${await deadUrl()},${one.url}`),
);

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
