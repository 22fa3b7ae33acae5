import { codedErrorReply, newObjectId } from '@chat/shared/testing';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { call, conversationsOk } from './api-client.js';
import { historyOk, registerUsers, sendOk, useTestApp } from './support.js';

const t = useTestApp();

const hostileValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.constant({ $gt: '' }),
  fc.constant({ $ne: null }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const hostileBody = fc.oneof(
  fc.record({ message: hostileValue }),
  fc.record({ upTo: hostileValue }),
  fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 3 }),
  hostileValue,
);
const hostileId = fc.oneof(
  fc.constant('x'),
  fc.constant('%24gt'),
  fc.stringMatching(/^[0-9A-F]{24}$/),
  fc.stringMatching(/^[0-9a-f]{24}$/),
);

describe('hostile input to the new routes', () => {
  test('never a 5xx, always an error reply for a 4xx, and the conversation is untouched', async () => {
    const [a, b] = (await registerUsers(t, 2)) as [string, string];
    const sent = await sendOk(t, a, b, 'stay as you are');
    const ids = fc.oneof(hostileId, fc.constant(sent._id), fc.constant(a), fc.constant(b));
    const request = fc.oneof(
      fc
        .tuple(fc.constant('PATCH'), ids, hostileBody)
        .map(([m, id, body]) => [m, `/api/messages/${id}`, body] as const),
      fc
        .tuple(fc.constant('DELETE'), ids)
        .map(([m, id]) => [m, `/api/messages/${encodeURIComponent(id)}`, undefined] as const),
      fc
        .tuple(fc.constant('POST'), ids, hostileBody)
        .map(([m, id, body]) => [m, `/api/messages/read/${id}`, body] as const),
      fc.string({ maxLength: 20 }).map((q) => ['GET', `/api/conversations?${q}`, undefined] as const),
    );
    const caller = fc.constantFrom(b, newObjectId());
    await fc.assert(
      fc.asyncProperty(request, caller, async ([method, path, body], who) => {
        const res = await call(t, who, method, path, body);
        expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        if (res.status >= 400) codedErrorReply.parse(await res.json());
        else await res.arrayBuffer();
      }),
      { numRuns: 150 },
    );
    expect(await historyOk(t, a, b)).toEqual([sent]);
    const [conversation] = await conversationsOk(t, a);
    expect(conversation?.lastMessage).toEqual(sent);
  });
});
