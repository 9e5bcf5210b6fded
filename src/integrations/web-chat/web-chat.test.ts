import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DAY } from '../../lib/clock.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { assertLedgerConsistent } from '../../../test/helpers/money.ts';
import { sessionCookieOf, cookieClient } from '../../../test/helpers/session.ts';
import * as chats from '../../../test/helpers/web-chat.ts';
import { button, replyWith, type Chat } from '../../../test/helpers/web-chat.ts';

const ORIGIN = 'https://acme.github.io';

let ctx: TestContext;
before(async () => {
  ctx = await startTestApp({ env: { CORS_ORIGINS: ORIGIN, PUBLIC_URL: 'https://backline.example' } });
});
after(() => ctx.close());

const anonymous = () => client(ctx);
const startChat = (repo: string) => chats.startChat(ctx, repo);
const send = (chat: Chat, input: Record<string, unknown>) => chats.send(ctx, chat, input);
const transcriptOf = (chat: Chat) => chats.transcriptOf(ctx, chat);
const supportedRepo = () => chats.supportedRepo(ctx);

const count = async (table: 'conversations' | 'users' | 'web_chat_messages' | 'tickets' | 'web_visitors') =>
  Number((await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
const counts = async () => ({ conversations: await count('conversations'), users: await count('users'), transcript: await count('web_chat_messages'), tickets: await count('tickets'), visitors: await count('web_visitors') });

describe('the web chat', () => {
  test('from opening the chat to a paid, resolved and rated ticket: the visitor proves an email, pays in the sandbox, hears every step, and the ledger and the ticket history hold it all', async () => {
    const repo = await supportedRepo();
    const chat = await startChat(repo.fullName);
    assert.equal(chat.messages[0].form?.title, 'Describe the problem');

    const tracks = replyWith(await send(chat, { kind: 'form', action: chat.messages[0].form!.action, fields: { title: 'Jobs vanish', body: 'Jobs disappear when the worker restarts.' } }), /How would you like to continue/);
    const emailForm = replyWith(await send(chat, button(tracks, 'Get an expert')), /email address/);
    const codeSent = replyWith(await send(chat, { kind: 'form', action: emailForm.form!.action, fields: { email: 'vera@example.com' } }), /emailed a six-digit code/);
    const codeForm = replyWith(await send(chat, button(codeSent, 'Enter the code')), /six-digit code/);
    await ctx.jobs.drain();
    const code = /(\d{6})/.exec(ctx.sent.findLast((email) => email.to === 'vera@example.com' && /Your Backline code/.test(email.subject))!.subject)![1];
    const offerings = replyWith(await send(chat, { kind: 'form', action: codeForm.form!.action, fields: { code } }), /What would you like/);
    const pay = replyWith(await send(chat, { kind: 'choice', action: offerings.choices!.action, value: repo.offeringId, label: 'Quick fix' }), /Your ticket is open.*Pay €50.00/s);

    const ticket = await ctx.db.selectFrom('tickets').selectAll().where('repo_id', '=', repo.id).executeTakeFirstOrThrow();
    const requester = await ctx.db.selectFrom('users').select(['email']).where('id', '=', ticket.requester_id).executeTakeFirstOrThrow();
    assert.deepEqual([ticket.channel, requester.email], ['web', 'vera@example.com'], 'the ticket is the proved user\'s, opened from the web');
    const conversation = await ctx.db.selectFrom('conversations').select(['user_id', 'ticket_id']).where('id', '=', chat.id).executeTakeFirstOrThrow();
    assert.deepEqual(conversation, { user_id: ticket.requester_id, ticket_id: ticket.id }, 'the conversation is attached to that user');

    await ctx.jobs.drain();
    const resume = ctx.sent.findLast((email) => email.to === 'vera@example.com' && /Your conversation about/.test(email.subject));
    assert.ok(resume, 'a link to come back was mailed');
    const mailedToken = new RegExp(`https://backline.example/chat/${repo.fullName}#token=(\\S+)`).exec(resume.text)?.[1];
    assert.ok(mailedToken, resume.text);
    assert.equal((await anonymous().get(`/api/v1/chat/conversations/${chat.id}`, { 'x-chat-token': mailedToken })).status, 200, 'the mailed link opens the conversation');
    const opened = replyWith(await transcriptOf(chat), /Expert ticket/);
    assert.deepEqual(opened.buttons, [], 'the helpers\' Claim button is not shown to the customer');

    // Paying: the link signs the visitor in once and lands on the sandbox checkout.
    const link = new URL(pay.links[0].url);
    const followed = await ctx.app.inject({ method: 'GET', url: link.pathname + link.search });
    assert.equal(followed.statusCode, 303);
    const payer = cookieClient(ctx, sessionCookieOf(followed)!);
    const paymentId = /\/pay\/sandbox\/([\w-]+)/.exec(String(followed.headers.location))![1];
    assert.equal((await payer.post(`/api/v1/payments/${paymentId}/sandbox/complete`)).body.status, 'held');

    const ticketUrl = `/api/v1/tickets/${ticket.id}`;
    assert.equal((await repo.helper.api.post(`${ticketUrl}/claim`)).status, 200);
    assert.equal((await repo.helper.api.post(`${ticketUrl}/messages`, { body: 'Which version of the worker do you run?' })).status, 201);
    await ctx.jobs.drain();
    let shown = await transcriptOf(chat);
    replyWith(shown, /Paid: €50.00 for .*held until the work is confirmed/);
    replyWith(shown, /Ada Helper is working on this ticket/);
    const helperReply = replyWith(shown, /Which version/);
    assert.deepEqual([helperReply.author, helperReply.authorName], ['helper', 'Ada Helper']);

    const typed = await send(chat, { kind: 'text', text: 'Version 4.2, on Node 24.' });
    assert.deepEqual(typed.map((entry) => entry.author), ['visitor'], 'typed while the ticket is open: a message on the ticket, no assistant reply');
    const onTicket = await repo.helper.api.get(`${ticketUrl}/messages`);
    assert.ok(onTicket.body.items.some((message: { body: string; channel: string }) => message.body === 'Version 4.2, on Node 24.' && message.channel === 'web'), JSON.stringify(onTicket.body));

    assert.equal((await repo.helper.api.post(`${ticketUrl}/time-entries`, { minutes: 30, note: 'Traced the restart' })).status, 201);
    assert.equal((await repo.helper.api.post(`${ticketUrl}/resolve`, { summary: 'Restarts now drain the queue first.' })).status, 200);
    await ctx.jobs.drain();
    shown = await transcriptOf(chat);
    const resolved = replyWith(shown, /Marked resolved: Restarts now drain/);
    const thanks = replyWith(await send(chat, button(resolved, 'Confirm')), /How was the help/);
    replyWith(await send(chat, button(thanks, '★★★★★')), /Thanks for rating/);
    await ctx.jobs.drain();

    const closed = await ctx.db.selectFrom('tickets').select(['status', 'rating_score']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual(closed, { status: 'closed', rating_score: 5 });
    const history = (await ctx.db.selectFrom('ticket_events').select('type').where('ticket_id', '=', ticket.id).orderBy('created_at').orderBy('id').execute()).map((event) => event.type);
    for (const type of ['created', 'claimed', 'message_added', 'resolved', 'confirmed', 'rated']) assert.ok(history.includes(type), `${type} in ${history.join(', ')}`);
    const payment = await ctx.db.selectFrom('payments').select(['status', 'amount', 'split_helper', 'split_commission', 'split_platform_fee', 'split_processor_fee']).where('id', '=', paymentId).executeTakeFirstOrThrow();
    assert.equal(payment.status, 'released', 'confirming released the escrow');
    assert.equal(payment.split_helper! + payment.split_commission! + payment.split_platform_fee! + payment.split_processor_fee!, payment.amount, 'the split adds up to the amount paid');
    const kinds = (await ctx.db.selectFrom('ledger_transactions').select('kind').where('reference_id', '=', paymentId).execute()).map((row) => row.kind).sort();
    assert.deepEqual(kinds, ['capture', 'release']);
    await assertLedgerConsistent(ctx);
  });

  test('a quote sent on the web reaches the chat with Accept and Decline; accepting it from the chat opens the payment', async () => {
    const repo = await supportedRepo();
    const chat = await startChat(repo.fullName);
    const tracks = replyWith(await send(chat, { kind: 'form', action: chat.messages[0].form!.action, fields: { title: 'Upgrade plan', body: 'We move from v3 to v4.' } }), /How would you like/);
    const emailForm = replyWith(await send(chat, button(tracks, 'Get an expert')), /email address/);
    const codeSent = replyWith(await send(chat, { kind: 'form', action: emailForm.form!.action, fields: { email: 'quinn@example.com' } }), /six-digit code/);
    await ctx.jobs.drain();
    const code = /(\d{6})/.exec(ctx.sent.findLast((email) => email.to === 'quinn@example.com')!.subject)![1];
    const codeForm = replyWith(await send(chat, button(codeSent, 'Enter the code')), /six-digit code/);
    const offerings = replyWith(await send(chat, { kind: 'form', action: codeForm.form!.action, fields: { code } }), /What would you like/);
    replyWith(await send(chat, { kind: 'choice', action: offerings.choices!.action, value: 'quote' }), /They will send you a quote here/);
    const ticketId = (await ctx.db.selectFrom('conversations').select('ticket_id').where('id', '=', chat.id).executeTakeFirstOrThrow()).ticket_id!;

    assert.equal((await repo.helper.api.post(`/api/v1/tickets/${ticketId}/claim`)).status, 200);
    const quote = await repo.helper.api.post(`/api/v1/tickets/${ticketId}/quotes`, { amount: 24000, currency: 'EUR', description: 'Plan the upgrade with you', estimatedMinutes: 120 });
    assert.equal(quote.status, 201, JSON.stringify(quote.body));
    await ctx.jobs.drain();
    const offer = replyWith(await transcriptOf(chat), /Ada Helper quotes \*\*€240.00\*\*/);
    assert.deepEqual(offer.buttons.map((candidate) => candidate.label), ['Accept and pay', 'Decline']);
    const pay = replyWith(await send(chat, button(offer, 'Accept')), /Quote accepted. Pay €240.00/);
    assert.match(pay.links[0].url, /\/auth\/magic\?token=/);
    const stored = await ctx.db.selectFrom('quotes').select('status').where('id', '=', quote.body.id).executeTakeFirstOrThrow();
    assert.equal(stored.status, 'accepted');
  });

  test('a paid live session: the customer picks a time in their time zone from the chat, the booking is made and both get the invitation', async () => {
    const repo = await supportedRepo();
    const week = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [day, [{ start: '09:00', end: '17:00' }]]));
    assert.equal((await repo.helper.api.put('/api/v1/helpers/me/availability', { timeZone: 'Europe/Paris', weeklyHours: week })).status, 200);
    const offering = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/offerings`, { kind: 'session', name: 'Live session', currency: 'EUR', prices: [{ currency: 'EUR', initialFee: 2000, perMinuteRate: 150, minimumMinutes: 15 }] });
    assert.equal(offering.status, 201, JSON.stringify(offering.body));
    const chat = await startChat(repo.fullName);
    const tracks = replyWith(await send(chat, { kind: 'form', action: chat.messages[0].form!.action, fields: { title: 'Pairing', body: 'Walk me through the retry internals.' } }), /How would you like/);
    const emailForm = replyWith(await send(chat, button(tracks, 'Get an expert')), /email address/);
    const codeSent = replyWith(await send(chat, { kind: 'form', action: emailForm.form!.action, fields: { email: 'sam@example.com' } }), /six-digit code/);
    await ctx.jobs.drain();
    const code = /(\d{6})/.exec(ctx.sent.findLast((email) => email.to === 'sam@example.com')!.subject)![1];
    const codeForm = replyWith(await send(chat, button(codeSent, 'Enter the code')), /six-digit code/);
    const offerings = replyWith(await send(chat, { kind: 'form', action: codeForm.form!.action, fields: { code } }), /What would you like/);
    const pay = replyWith(await send(chat, { kind: 'choice', action: offerings.choices!.action, value: offering.body.id }), /Pay €110.00/);
    const ticketId = (await ctx.db.selectFrom('conversations').select('ticket_id').where('id', '=', chat.id).executeTakeFirstOrThrow()).ticket_id!;
    const customerId = (await ctx.db.selectFrom('tickets').select('requester_id').where('id', '=', ticketId).executeTakeFirstOrThrow()).requester_id;
    await ctx.db.updateTable('users').set({ time_zone: 'America/New_York' }).where('id', '=', customerId).execute();

    const link = new URL(pay.links[0].url);
    const followed = await ctx.app.inject({ method: 'GET', url: link.pathname + link.search });
    const paymentId = /\/pay\/sandbox\/([\w-]+)/.exec(String(followed.headers.location))![1];
    assert.equal((await cookieClient(ctx, sessionCookieOf(followed)!).post(`/api/v1/payments/${paymentId}/sandbox/complete`)).body.status, 'authorized', 'a metered session is authorized, captured by the minute later');
    await ctx.jobs.drain();
    const paid = replyWith(await transcriptOf(chat), /Paid: €110.00/);
    const early = replyWith(await send(chat, button(paid, 'Pick a time')), /No helper has claimed/);
    assert.equal(early.author, 'assistant');

    assert.equal((await repo.helper.api.post(`/api/v1/tickets/${ticketId}/claim`)).status, 200);
    const slots = replyWith(await send(chat, button(paid, 'Pick a time')), /Pick a time for your 60-minute session with Ada Helper; times are in America\/New_York/);
    const first = slots.choices!.options[0];
    const parisHour = Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(new Date(first.value)));
    assert.ok(parisHour >= 9 && parisHour < 17, `the helper's hours (${parisHour}h in Paris)`);
    const newYork = new Intl.DateTimeFormat('en', { timeZone: 'America/New_York', weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(first.value));
    assert.equal(first.label, newYork, 'shown in the customer\'s zone');
    const sentBefore = ctx.sent.length;
    replyWith(await send(chat, { kind: 'choice', action: slots.choices!.action, value: first.value, label: first.label }), /Booked for/);
    const booking = await ctx.db.selectFrom('bookings').selectAll().where('ticket_id', '=', ticketId).executeTakeFirstOrThrow();
    assert.deepEqual([booking.helper_id, booking.customer_id, booking.starts_at.toISOString()], [repo.helper.id, customerId, first.value]);
    await ctx.jobs.drain();
    replyWith(await transcriptOf(chat), /Session booked: .*America\/New_York.*60 minutes with Ada Helper/);
    const invited = ctx.sent.slice(sentBefore).map((email) => email.to);
    assert.ok(invited.includes('sam@example.com') && invited.includes(repo.helper.email), `both are mailed: ${invited.join(', ')}`);
  });

  test('forged, foreign, missing and expired conversation tokens are refused and change nothing', async () => {
    const repo = await supportedRepo();
    const mine = await startChat(repo.fullName);
    const theirs = await startChat(repo.fullName);
    const input = { id: randomUUID(), kind: 'text', text: 'hello' };
    const url = `/api/v1/chat/conversations/${mine.id}/inputs`;
    const [prefix, payload] = mine.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, e: claims.e + 10 * 365 * 86400 })).toString('base64url');
    const before = await counts();

    const cases: [Record<string, string>, number, string][] = [
      [{}, 401, 'chat_token_missing'],
      [{ 'x-chat-token': 'nonsense' }, 401, 'chat_token_invalid'],
      [{ 'x-chat-token': `${prefix}.${payload}.${'A'.repeat(43)}` }, 401, 'chat_token_invalid'],
      [{ 'x-chat-token': `${prefix}.${forgedPayload}.${mine.token.split('.')[2]}` }, 401, 'chat_token_invalid'],
      [{ 'x-chat-token': theirs.token }, 403, 'chat_token_mismatch'],
    ];
    for (const [headers, status, code] of cases) {
      const refused = await anonymous().post(url, input, headers);
      assert.equal(refused.status, status, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, code);
    }
    assert.equal((await anonymous().get(`/api/v1/chat/conversations/${mine.id}/events?token=${theirs.token}`)).status, 403, 'the stream checks the token too');
    assert.deepEqual(await counts(), before);

    ctx.clock.advance(31 * DAY);
    const expired = await anonymous().post(url, input, { 'x-chat-token': mine.token });
    assert.equal(expired.status, 401);
    assert.equal(expired.body.error.code, 'chat_token_expired');
    assert.match(expired.body.error.message, /expired/);
    assert.deepEqual(await counts(), before);
  });

  test('bad input gets a clear error and changes nothing: unknown repository, huge or malformed messages, a resent input', async () => {
    const repo = await supportedRepo();
    const before = await counts();
    for (const name of ['nobody/nothing-here', 'not a repo']) {
      const unknown = await anonymous().post('/api/v1/chat/conversations', { repo: name });
      assert.ok([400, 404].includes(unknown.status), JSON.stringify(unknown.body));
      assert.match(unknown.body.error.message, /repository|owner\/name/);
    }
    assert.deepEqual(await counts(), before, 'no conversation, visitor or user for an unknown repository');

    const chat = await startChat(repo.fullName);
    const started = await counts();
    const url = `/api/v1/chat/conversations/${chat.id}/inputs`;
    const token = { 'x-chat-token': chat.token };
    const huge = await anonymous().post(url, { id: randomUUID(), kind: 'text', text: 'x'.repeat(4001) }, token);
    assert.equal(huge.status, 400);
    assert.equal(huge.body.error.code, 'validation_failed');
    assert.match(JSON.stringify(huge.body.error.details), /at most 4000 characters/);
    const bloated = await anonymous().post(url, { id: randomUUID(), kind: 'text', text: 'x'.repeat(2_000_000) }, token);
    assert.equal(bloated.status, 413);
    assert.ok(bloated.body.error.message, JSON.stringify(bloated.body));
    const unknownKind = await anonymous().post(url, { id: randomUUID(), kind: 'shout', text: 'hi' }, token);
    assert.equal(unknownKind.status, 400);
    const notJson = await anonymous().post(url, '{"id":', { ...token, 'content-type': 'application/json' });
    assert.equal(notJson.status, 400);
    const badButton = await send(chat, { kind: 'button', action: 'x:not-an-action' });
    assert.match(badButton.at(-1)!.text, /expired/, 'a button the assistant never gave is answered politely');
    assert.deepEqual(await counts(), { ...started, transcript: started.transcript + 2 }, 'only the press and its answer joined the transcript');

    const resent = { id: randomUUID(), kind: 'form', action: chat.messages[0].form!.action, fields: { title: 'Twice', body: 'Sent twice.' } };
    assert.equal((await anonymous().post(url, resent, token)).status, 200);
    const again = await anonymous().post(url, resent, token);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'input_replayed');
  });

  test('the widget and the chat page are served for other sites to embed', async () => {
    const widget = await ctx.app.inject({ method: 'GET', url: '/widget.js' });
    assert.equal(widget.statusCode, 200);
    assert.match(String(widget.headers['content-type']), /javascript/);
    assert.equal(widget.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.match(widget.body, /attachShadow/);
    const page = await ctx.app.inject({ method: 'GET', url: '/chat/acme/widget' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<script src="\/widget.js" data-repo="acme\/widget" data-target="#chat"><\/script>/);
    const documented = Object.keys(JSON.parse((await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).body).paths).filter((path) => path.startsWith('/api/v1/chat/'));
    assert.deepEqual(documented.sort(), ['/api/v1/chat/conversations', '/api/v1/chat/conversations/{id}', '/api/v1/chat/conversations/{id}/events', '/api/v1/chat/conversations/{id}/inputs']);
  });
});
