import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { testEngine } from '../../../test/helpers/database.ts';
import { client } from '../../../test/helpers/http.ts';
import { chatWithTicket, openStream, send, supportedRepo, type Entry } from '../../../test/helpers/web-chat.ts';

const ORIGIN = 'https://acme.github.io';
// The streams' safety poll is an hour away: within a test, only the database's notification can deliver.
const env = { CORS_ORIGINS: ORIGIN, CHAT_STREAM_POLL_SECONDS: '3600' };

let ctx: TestContext;
let address: string;
before(async () => {
  ctx = await startTestApp({ env });
  address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
});
after(() => ctx.close());

/** The streams subscribed to a conversation (the process's caches subscribe to keys of their own). */
const subscribers = (conversationId: string) => ctx.deps.notifications.subscriberCount(conversationId);

/** The server learns of a client's disconnect a moment after it: wait, bounded, for what it does then. */
async function eventually(check: () => boolean, what: string) {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const helperReply = (event: { data: Entry }) => [event.data.author, event.data.authorName, event.data.text];

describe('the web chat\'s live stream', () => {
  test('a helper\'s reply reaches the open stream when the database notifies it, after Last-Event-ID only; CORS answers the configured origin only; closing the stream leaves no subscriber', async () => {
    const repo = await supportedRepo(ctx);
    const preflight = await fetch(`${address}/api/v1/chat/conversations`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-chat-token' } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
    const stranger = await fetch(`${address}/api/v1/chat/conversations`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);

    const { chat, ticketId, known } = await chatWithTicket(ctx, repo);
    assert.equal(subscribers(chat.id), 0);
    const stream = await openStream(address, chat, { origin: ORIGIN, 'last-event-id': String(known.at(-1)!.seq) });
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.equal(stream.response.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(subscribers(chat.id), 1, 'the stream subscribed to its conversation');

    assert.equal((await repo.helper.api.post(`/api/v1/tickets/${ticketId}/messages`, { body: 'Warm the pool at start: `prewarm: true`.' })).status, 201);
    await ctx.jobs.drain();
    const event = await stream.nextEvent();
    assert.deepEqual(helperReply(event), ['helper', 'Ada Helper', 'Warm the pool at start: `prewarm: true`.']);
    assert.equal(Number(event.id), event.data.seq);
    assert.ok(event.data.seq > known.at(-1)!.seq, 'only what came after Last-Event-ID');

    // The visitor's own input, answered in the same process, arrives too.
    await send(ctx, chat, { kind: 'text', text: 'Thanks, trying it now.' });
    const echoed = await stream.nextEvent();
    assert.deepEqual([echoed.data.author, echoed.data.text], ['visitor', 'Thanks, trying it now.']);

    await stream.close();
    await eventually(() => subscribers(chat.id) === 0, 'the closed stream unsubscribed');
  });

  test('several streams of one conversation each get the reply once, and every one unsubscribes when it closes', async () => {
    const repo = await supportedRepo(ctx);
    const { chat, ticketId, known } = await chatWithTicket(ctx, repo);
    const after = { 'last-event-id': String(known.at(-1)!.seq) };
    const streams = [await openStream(address, chat, after), await openStream(address, chat, after)];
    assert.equal(subscribers(chat.id), 2);
    assert.equal((await repo.helper.api.post(`/api/v1/tickets/${ticketId}/messages`, { body: 'Which version do you run?' })).status, 201);
    await ctx.jobs.drain();
    for (const stream of streams) assert.deepEqual(helperReply(await stream.nextEvent()), ['helper', 'Ada Helper', 'Which version do you run?']);
    await send(ctx, chat, { kind: 'text', text: '4.2.0' });
    for (const stream of streams) assert.deepEqual(helperReply(await stream.nextEvent()), ['visitor', null, '4.2.0'], 'the next event is the next entry: nothing twice');
    await streams[0].close();
    await eventually(() => subscribers(chat.id) === 1, 'the first stream unsubscribed');
    await streams[1].close();
    await eventually(() => subscribers(chat.id) === 0, 'the second stream unsubscribed');
  });

  test('a reply written by another server process on the same database reaches a stream open on this one', { skip: testEngine !== 'postgres' && 'the embedded database belongs to one process' }, async () => {
    const repo = await supportedRepo(ctx);
    const { chat, ticketId, known } = await chatWithTicket(ctx, repo);
    const stream = await openStream(address, chat, { 'last-event-id': String(known.at(-1)!.seq) });
    const other = await startTestApp({ env, sameDatabaseAs: ctx });
    try {
      // The helper answers through the other process, whose jobs deliver the reply to the web chat.
      assert.equal((await client(other, repo.helper.token).post(`/api/v1/tickets/${ticketId}/messages`, { body: 'Fixed in 4.2.1.' })).status, 201);
      await other.jobs.drain();
      assert.deepEqual(helperReply(await stream.nextEvent()), ['helper', 'Ada Helper', 'Fixed in 4.2.1.']);
    } finally {
      await stream.close();
      await other.close();
    }
    await eventually(() => subscribers(chat.id) === 0, 'the stream unsubscribed');
  });
});
