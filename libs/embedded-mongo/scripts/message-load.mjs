#!/usr/bin/env node
// The embedded server's CPU per chat message, measured on the writes the messages service makes per send:
// the conversation's counter findOneAndUpdate (upsert, blockedBy filter, two-counter projection), the
// message insert with its embedded outbox event, one conditional updateMany settling each 50 sent messages,
// a history page every 10 sends and an outbox poll every 500. The server runs in a child process, so its
// CPU (process.cpuUsage, after a warm-up) is the server's alone. Not a test: numbers vary with the machine.
//
//   npm run build -w @chat/embedded-mongo
//   node libs/embedded-mongo/scripts/message-load.mjs [--sends 8000] [--conversations 2000] [--dist DIR]
//
// --dist runs another build of the server (for instance a copy of dist/ from an earlier commit, placed where
// it resolves this repository's node_modules), to compare runs in alternation on a noisy machine.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    sends: { type: 'string', default: '8000' },
    conversations: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    dist: { type: 'string', default: new URL('../dist', import.meta.url).pathname },
    serve: { type: 'boolean', default: false },
  },
});
const dist = resolve(values.dist);

if (values.serve) {
  const { startEmbeddedMongo } = await import(pathToFileURL(`${dist}/index.js`).href);
  const mongo = await startEmbeddedMongo();
  process.on('message', (m) => {
    if (m === 'cpu') process.send({ cpu: process.cpuUsage() });
    if (m === 'stop') void mongo.stop().then(() => process.exit(0));
  });
  process.send({ uri: mongo.uri });
} else {
  await measure();
}

async function measure() {
  const { MongoClient, ObjectId } = await import('mongodb');
  const sends = Number(values.sends);
  const conversations = Number(values.conversations);
  const concurrency = Number(values.concurrency);
  const child = fork(new URL(import.meta.url).pathname, ['--serve', '--dist', dist], {
    execArgv: process.execArgv,
  });
  const ask = (m) =>
    new Promise((res) => {
      child.once('message', res);
      if (m) child.send(m);
    });
  const { uri } = await ask();
  const client = await MongoClient.connect(uri, { maxPoolSize: concurrency });
  const db = client.db('message-load');
  const convs = db.collection('conversations');
  const msgs = db.collection('messages');
  // The indexes of the service's models.
  await convs.createIndexes([
    { key: { pairKey: 1 }, unique: true },
    { key: { participants: 1, lastMessageId: -1 } },
    { key: { outbox: 1, outboxAt: 1 } },
  ]);
  await msgs.createIndexes([
    { key: { conversationId: 1, _id: -1 } },
    {
      key: { senderId: 1, idempotencyKey: 1 },
      unique: true,
      partialFilterExpression: { idempotencyKey: { $type: 'string' } },
    },
    { key: { outbox: 1, outboxAt: 1 } },
  ]);
  const users = Array.from({ length: conversations + 1 }, () => new ObjectId().toHexString());
  const pairs = users.slice(0, conversations).map((a, i) => [a, users[i + 1]].sort());
  const owner = `relay-${randomUUID()}`;
  let delivered = [];

  async function send(i) {
    const pair = pairs[i % conversations];
    const sender = pair[i % 2];
    const peer = pair[1 - (i % 2)];
    const now = new Date();
    const id = new ObjectId();
    const conv = await convs.findOneAndUpdate(
      { pairKey: pair.join(':'), 'blockedBy.0': { $exists: false } },
      {
        $setOnInsert: { participants: pair.map((p) => new ObjectId(p)), createdAt: now },
        $inc: { [`sent.${sender}`]: 1 },
        $max: { lastMessageId: id },
        $set: { updatedAt: now },
      },
      { upsert: true, returnDocument: 'after', projection: { [`sent.${sender}`]: 1, [`sent.${peer}`]: 1 } },
    );
    const eventId = randomUUID();
    await msgs.insertOne({
      _id: id,
      conversationId: conv._id,
      senderId: new ObjectId(sender),
      receiverId: new ObjectId(peer),
      message: `message ${i}`,
      eventId,
      publishedAt: null,
      seq: conv.sent[sender],
      peerSeq: conv.sent[peer] ?? 0,
      pendingEvents: [
        { _id: id, eventId, routingKey: 'message.created', occurredAt: now, correlationId: randomUUID() },
      ],
      outbox: true,
      outboxAt: id,
      leaseOwner: owner,
      leaseUntil: new Date(now.getTime() + 30_000),
      createdAt: now,
      updatedAt: now,
    });
    delivered.push(id);
    if (delivered.length >= 50) await settle();
    if (i % 10 === 0) await msgs.find({ conversationId: conv._id }).sort({ _id: -1 }).limit(50).toArray();
    if (i % 500 === 0) await poll();
  }

  async function settle() {
    const ids = delivered;
    delivered = [];
    if (ids.length === 0) return;
    const result = await msgs.updateMany(
      { _id: { $in: ids }, pendingEvents: { $size: 1 }, 'pendingEvents._id': { $in: ids } },
      {
        $set: { pendingEvents: [], publishedAt: new Date() },
        $unset: { outbox: '', outboxAt: '', leaseOwner: '', leaseUntil: '' },
      },
    );
    if (result.modifiedCount !== ids.length) throw new Error(`settled ${result.modifiedCount}/${ids.length}`);
  }

  async function poll() {
    const now = new Date();
    const free = {
      $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lte: now } }, { leaseOwner: 'x' }],
    };
    await msgs
      .find({ outbox: true, ...free })
      .sort({ outboxAt: 1 })
      .limit(51)
      .toArray();
    await convs
      .find({ outbox: true, ...free })
      .sort({ outboxAt: 1 })
      .limit(51)
      .toArray();
  }

  async function run(from, to) {
    let next = from;
    const worker = async () => {
      while (next < to) await send(next++);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await settle();
  }

  const warmUp = Math.min(4000, Math.ceil(sends / 5));
  await run(0, warmUp);
  const before = (await ask('cpu')).cpu;
  const started = Date.now();
  await run(warmUp, warmUp + sends);
  const after = (await ask('cpu')).cpu;
  const cpuMs = (after.user + after.system - before.user - before.system) / 1000;
  const report = { dist, sends, wallMs: Date.now() - started, serverCpuMs: Math.round(cpuMs) };
  console.log(JSON.stringify({ ...report, cpuMsPerSend: Number((cpuMs / sends).toFixed(3)) }));
  await client.close();
  child.send('stop');
}
