import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import pino from 'pino';
import { readReplyAddress, replyAddress, replyToken, supportAddress } from '../../modules/mail/reply-address.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { approvedHelper, openTicket } from '../../../test/helpers/support.ts';
import { assertLedgerConsistent } from '../../../test/helpers/money.ts';
import { stripQuoted } from './mime.ts';
import { startInboundSmtp } from './smtp.ts';

const DOMAIN = 'reply.backline.test';
const WEBHOOK_SECRET = 'inbound-email-webhook-secret';
const AUTHSERV_ID = 'mx.backline.test';
const env = { INBOUND_EMAIL_DOMAIN: DOMAIN, EMAIL_REPLY_SECRET: 'a-reply-signing-key-of-at-least-32-chars', INBOUND_EMAIL_WEBHOOK_SECRET: WEBHOOK_SECRET, INBOUND_EMAIL_MAX_BYTES: '65536', INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS: AUTHSERV_ID };

/** What the receiving server (a trusted authserv-id) writes on top of a mail from `from` whose domain passed DMARC: its ticket opens at once. */
const authenticated = (from: string) => ({ 'Authentication-Results': `${AUTHSERV_ID}; dmarc=pass (p=reject) header.from=${from.split('@')[1]}` });

let ctx: TestContext;
let smtp: Awaited<ReturnType<typeof startInboundSmtp>>;
/** What the app logs at warn and above: refused replies say why there. */
const warnings: string[] = [];

before(async () => {
  ctx = await startTestApp({ env, logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }) });
  smtp = await startInboundSmtp(ctx.services.email!, { port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
});
after(async () => {
  await smtp.close();
  await ctx.close();
});

/** A real MIME message, as a mail client writes it (nodemailer's composer: headers, encodings, parts). */
function mime(fields: { from: string; to: string; subject?: string; text?: string; html?: string; messageId?: string; headers?: Record<string, string>; attachments?: { filename: string; content: Buffer }[] }): Promise<Buffer> {
  return new MailComposer({ subject: 'Re: your ticket', ...fields }).compile().build();
}

const post = (raw: Buffer | string, secret = WEBHOOK_SECRET) =>
  ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', ...(secret ? { authorization: `Bearer ${secret}` } : {}) }, payload: raw });

/** A reply as Gmail writes it: the new text, a signature, then the attribution line and the quoted history. */
const gmailReply = (text: string) => `${text}\n\n-- \nCarol, ACME Corp\n\nOn Mon, 2 Jun 2025 at 10:00, Backline <support@backline.localhost> wrote:\n> Ada Helper took your ticket and will answer you here.\n> Reply to this email to answer in the ticket.\n`;

const smtpClient = () => nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });

const messagesOf = (ticketId: string) => ctx.db.selectFrom('ticket_messages').select(['body', 'author_id', 'channel']).where('ticket_id', '=', ticketId).orderBy('id').execute();

async function ticketSetup() {
  const repo = await createRepo(ctx, { expert: true });
  const helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
  const customer = await createUser(ctx, { name: 'Carol' });
  const ticket = await openTicket(customer, repo, { title: 'Retries stop after the first failure' });
  return { repo, helper, customer, ticket };
}

describe('reply addresses', () => {
  test('stripQuoted keeps the new text only: attribution lines (also wrapped), > lines, signatures, Outlook headers', () => {
    assert.equal(stripQuoted(gmailReply('Yes, version 4.2.\nIt still fails.')), 'Yes, version 4.2.\nIt still fails.');
    assert.equal(stripQuoted('Works now\r\n\r\nOn Tue, 3 Jun 2025 at 09:12, Ada Helper <\r\nada@example.com> wrote:\r\n> old'), 'Works now');
    assert.equal(stripQuoted('Thanks!\n\n-----Original Message-----\nFrom: Backline\nSent: Monday'), 'Thanks!');
    assert.equal(stripQuoted('Inline answer\n> quoted question\nsecond answer'), 'Inline answer\nsecond answer');
  });

  test('a token names its ticket and person; changing either, or the key, voids it', async () => {
    const { ticket, customer } = await ticketSetup();
    const address = replyAddress(ctx.deps.config, ticket.id, customer.id)!;
    assert.match(address, new RegExp(`^reply\\+[A-Za-z0-9_-]{59}@${DOMAIN.replaceAll('.', '\\.')}$`));
    const channel = ctx.services.email!;
    assert.deepEqual(channel.checkRecipient(address), { ticketId: ticket.id, userId: customer.id });
    assert.deepEqual(channel.checkRecipient(address.toUpperCase().replace(/^REPLY\+[^@]+/, address.split('@')[0])), { ticketId: ticket.id, userId: customer.id }, 'the domain is case-insensitive');
    const token = address.slice('reply+'.length, address.indexOf('@'));
    const flipped = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    assert.throws(() => channel.checkRecipient(`reply+${flipped}@${DOMAIN}`), /not valid/);
    // The last character holds 2 spare bits: every other spelling of it decodes to the same bytes, and is refused.
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBits = alphabet[alphabet.indexOf(last) ^ 1];
    assert.deepEqual(Buffer.from(token.slice(0, -1) + sameBits, 'base64url'), Buffer.from(token, 'base64url'), 'the spare bits change nothing decoded');
    assert.throws(() => channel.checkRecipient(`reply+${token.slice(0, -1)}${sameBits}@${DOMAIN}`), /not valid/);
    assert.throws(() => channel.checkRecipient(`reply+${replyToken('another-key-another-key-another-key', { ticketId: ticket.id, userId: customer.id })}@${DOMAIN}`), /not valid/);
    assert.throws(() => channel.checkRecipient(`reply+nonsense@${DOMAIN}`), /not valid/);
    assert.equal(channel.checkRecipient(`someone@${DOMAIN}`), null, 'not a reply address: not ours');
    assert.equal(channel.checkRecipient(`reply+${token}@elsewhere.example`), null, 'another domain: not ours');
  });
});

describe('POST /webhooks/email', () => {
  test('refuses without the secret, unsigned, forged, huge and textless mail, and changes nothing; a redelivery is recognized', async () => {
    const { ticket, customer } = await ticketSetup();
    const address = replyAddress(ctx.deps.config, ticket.id, customer.id)!;
    const good = await mime({ from: customer.email, to: address, text: gmailReply('It fails on Node 24 too.'), messageId: '<first-reply@mail.example.com>' });
    const events = async () => (await ctx.db.selectFrom('chat_events').select('id').where('provider', '=', 'email').execute()).length;
    const before = await events();

    assert.equal((await post(good, '')).statusCode, 401, 'no secret');
    assert.equal((await post(good, 'wrong-secret-wrong-secret')).statusCode, 401, 'wrong secret');
    const basic = Buffer.from(`inbound:${WEBHOOK_SECRET}`).toString('base64');
    const viaBasic = await ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', authorization: `Basic ${basic}` }, payload: await mime({ from: customer.email, to: `support@${DOMAIN}`, text: 'Hi' }) });
    assert.equal(viaBasic.statusCode, 422, 'Basic authentication with the secret as password gets past the secret check');
    const unsigned = await post(await mime({ from: customer.email, to: `support@${DOMAIN}`, text: 'Hello' }));
    assert.deepEqual([unsigned.statusCode, unsigned.json().error.code], [422, 'no_reply_address']);
    const token = address.slice('reply+'.length, address.indexOf('@'));
    const forged = await post(await mime({ from: customer.email, to: `reply+${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}@${DOMAIN}`, text: 'Hello' }));
    assert.deepEqual([forged.statusCode, forged.json().error.code], [403, 'invalid_reply_address']);
    const huge = await post(await mime({ from: customer.email, to: address, text: 'x'.repeat(70_000) }));
    assert.equal(huge.statusCode, 413);
    assert.equal(typeof huge.json().error.message, 'string', 'in the error shape');
    const attachmentOnly = await post(await mime({ from: customer.email, to: address, text: '', attachments: [{ filename: 'core.dump', content: Buffer.from([0, 1, 2, 3, 255, 254]) }] }));
    assert.deepEqual([attachmentOnly.statusCode, attachmentOnly.json().error.code], [422, 'no_text']);
    const binary = await post(await mime({ from: customer.email, to: address, text: `\u0000\u0001\u0002ELF binary\u0003` }));
    assert.deepEqual([binary.statusCode, binary.json().error.code], [422, 'unreadable_reply']);
    const garbage = await post(Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x00, 0x0a, 0x0d]));
    assert.ok([400, 422].includes(garbage.statusCode), `malformed MIME is a 4xx, not ${garbage.statusCode}`);
    assert.equal(await events(), before, 'nothing stored');
    assert.deepEqual(await messagesOf(ticket.id), []);

    const accepted = await post(good);
    assert.deepEqual([accepted.statusCode, accepted.json()], [202, { received: true, duplicate: false }]);
    const again = await post(good);
    assert.deepEqual([again.statusCode, again.json()], [202, { received: true, duplicate: true }], 'the same Message-ID to the same address is one reply');
    await ctx.jobs.drain();
    assert.deepEqual(await messagesOf(ticket.id), [{ body: 'It fails on Node 24 too.', author_id: customer.id, channel: 'email' }]);
  });

  test('a reply the ticket refuses (a stranger\'s valid address for a ticket they cannot see) is bounced to them by email, not added', async () => {
    const { ticket } = await ticketSetup();
    const stranger = await createUser(ctx, { name: 'Mallory' });
    const address = replyAddress(ctx.deps.config, ticket.id, stranger.id)!;
    const sentBefore = ctx.sent.length;
    assert.equal((await post(await mime({ from: stranger.email, to: address, text: 'Let me in' }))).statusCode, 202);
    await ctx.jobs.drain();
    assert.deepEqual(await messagesOf(ticket.id), []);
    const bounce = ctx.sent.slice(sentBefore).find((email) => email.to === stranger.email);
    assert.ok(bounce, 'the sender is told');
    assert.match(bounce.subject, /^Not delivered/);
  });
});

describe('replies by SMTP', () => {
  test('RCPT TO: a forged or unknown reply address gets a 550 before any data, and nothing is stored', async () => {
    const { ticket, customer } = await ticketSetup();
    const address = replyAddress(ctx.deps.config, ticket.id, customer.id)!;
    const token = address.slice('reply+'.length, address.indexOf('@'));
    const moved = replyToken('x'.repeat(40), { ticketId: ticket.id, userId: customer.id });
    for (const to of [`reply+${moved}@${DOMAIN}`, `postmaster@${DOMAIN}`, `reply+${token}@other.example`]) {
      await assert.rejects(smtpClient().sendMail({ from: customer.email, to, text: 'Hello' }), (error: { responseCode?: number; rejected?: string[] }) => {
        assert.equal(error.responseCode, 550, to);
        return true;
      });
    }
    assert.deepEqual(await messagesOf(ticket.id), []);
  });

  test('a message larger than the limit is refused with 552', async () => {
    const { ticket, customer } = await ticketSetup();
    const to = replyAddress(ctx.deps.config, ticket.id, customer.id)!;
    await assert.rejects(smtpClient().sendMail({ from: customer.email, to, text: 'y'.repeat(80_000) }), (error: { responseCode?: number }) => error.responseCode === 552);
    assert.deepEqual(await messagesOf(ticket.id), []);
  });

  test('end to end: the customer answers by email, pays (sandbox), and the ticket ends resolved, confirmed and rated; ledger balanced, history complete', async () => {
    const { repo, helper, customer, ticket } = await ticketSetup();
    await repo.maintainer.api.patch(`/api/v1/repos/${repo.fullName}`, { currency: 'EUR' });
    const lastTo = (to: string, subject: string) => ctx.sent.findLast((email) => email.to === to && email.subject.includes(subject));

    assert.equal((await helper.api.post(`/api/v1/tickets/${ticket.id}/claim`)).status, 200);
    await ctx.jobs.drain();
    const claimed = lastTo(customer.email, 'An expert is on it');
    assert.ok(claimed?.replyTo, 'the claim email carries a reply address');
    assert.match(claimed.text, /Reply to this email/);

    // The customer answers the claim email from their mail client; it reaches Backline over SMTP.
    const answer = await smtpClient().sendMail({ from: `Carol <${customer.email}>`, to: claimed.replyTo!, subject: `Re: ${claimed.subject}`, text: gmailReply('Thanks! It happens with v4.2 on Node 24.'), messageId: '<carol-1@mail.example.com>' });
    assert.match(answer.response, /^250/);
    await ctx.jobs.drain();
    assert.deepEqual((await messagesOf(ticket.id)).at(-1), { body: 'Thanks! It happens with v4.2 on Node 24.', author_id: customer.id, channel: 'email' });
    const forwarded = lastTo(helper.email, 'Carol wrote');
    assert.ok(forwarded?.replyTo, 'the helper gets the reply by email, answerable too');
    assert.match(forwarded.text, /v4\.2 on Node 24/);
    assert.notEqual(forwarded.replyTo, claimed.replyTo, 'each person has their own address');

    // The helper answers by email as well; the customer gets it with their own reply address.
    await smtpClient().sendMail({ from: helper.email, to: forwarded.replyTo!, subject: `Re: ${forwarded.subject}`, text: 'Set maxRetries; I will send a quote for the fix.\n\nOn Tue, Carol wrote:\n> Thanks!', messageId: '<ada-1@mail.example.com>' });
    await ctx.jobs.drain();
    assert.equal((await messagesOf(ticket.id)).at(-1)!.author_id, helper.id);
    assert.equal(lastTo(customer.email, 'Ada Helper wrote')?.replyTo, claimed.replyTo);

    const quote = await helper.api.post(`/api/v1/tickets/${ticket.id}/quotes`, { amount: 8000, currency: 'EUR', description: 'Fix the retry policy', estimatedMinutes: 60 });
    assert.equal(quote.status, 201, JSON.stringify(quote.body));
    await ctx.jobs.drain();
    assert.equal(lastTo(customer.email, 'A quote for')?.replyTo, claimed.replyTo);
    const accepted = await customer.api.post(`/api/v1/quotes/${quote.body.id}/accept`, {}, { 'idempotency-key': `accept-${quote.body.id}` });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    const paymentId = accepted.body.payment.id;
    assert.equal((await customer.api.post(`/api/v1/payments/${paymentId}/sandbox/complete`)).status, 200);
    assert.equal((await helper.api.post(`/api/v1/tickets/${ticket.id}/resolve`, { summary: 'maxRetries was 1; set to 5.' })).status, 200);
    await ctx.jobs.drain();
    const resolved = lastTo(customer.email, 'Resolved');
    await smtpClient().sendMail({ from: customer.email, to: resolved!.replyTo!, subject: `Re: ${resolved!.subject}`, text: gmailReply('Confirmed, works now.'), messageId: '<carol-2@mail.example.com>' });
    await ctx.jobs.drain();
    assert.equal((await customer.api.post(`/api/v1/tickets/${ticket.id}/confirm`)).status, 200);
    assert.equal((await customer.api.post(`/api/v1/tickets/${ticket.id}/rating`, { score: 5 })).status, 200);
    await ctx.jobs.drain();

    const final = await ctx.db.selectFrom('tickets').select(['status', 'rating_score']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual(final, { status: 'closed', rating_score: 5 });
    assert.equal((await ctx.db.selectFrom('payments').select('status').where('id', '=', paymentId).executeTakeFirstOrThrow()).status, 'released');
    await assertLedgerConsistent(ctx);
    const messages = await messagesOf(ticket.id);
    assert.deepEqual(messages.map((message) => [message.author_id === customer.id ? 'customer' : 'helper', message.channel]), [['customer', 'email'], ['helper', 'email'], ['customer', 'email']]);
    const history = await ctx.db.selectFrom('ticket_events').select('type').where('ticket_id', '=', ticket.id).orderBy('id').execute();
    assert.deepEqual(history.map((event) => event.type), ['created', 'claimed', 'message_added', 'message_added', 'resolved', 'message_added', 'confirmed', 'rated']);
  });
});

describe('the sender of a reply', () => {
  test('must be the person the reply address was issued to (case-insensitively): a forwarded notification answered by a colleague is refused, logged, and changes nothing', async () => {
    const { ticket, customer } = await ticketSetup();
    const address = replyAddress(ctx.deps.config, ticket.id, customer.id)!;
    const events = async () => (await ctx.db.selectFrom('chat_events').select('id').where('provider', '=', 'email').execute()).length;
    const before = await events();
    const warned = warnings.length;

    // A colleague the customer forwarded the notification to answers it: the address is valid, the sender is not its person.
    const forwarded = await post(await mime({ from: 'Dave <dave@acme.example>', to: address, subject: 'Re: Fwd: An expert is on it', text: gmailReply('I am Carol now.'), messageId: '<dave-1@acme.example>' }));
    assert.deepEqual([forwarded.statusCode, forwarded.json().error.code], [403, 'sender_mismatch']);
    assert.match(forwarded.json().error.message, /issued to someone else/);
    assert.doesNotMatch(forwarded.json().error.message, new RegExp(customer.email.replace(/[.+]/g, '\\$&')), 'the refusal does not tell whose address it is');
    const noFrom = await post(Buffer.from(`To: ${address}\r\nSubject: Re: ticket\r\nMessage-ID: <nofrom@x.example>\r\n\r\nHello\r\n`));
    assert.deepEqual([noFrom.statusCode, noFrom.json().error.code], [403, 'sender_mismatch']);
    await assert.rejects(smtpClient().sendMail({ from: 'dave@acme.example', to: address, text: 'Over SMTP' }), (error: { responseCode?: number; response?: string }) => {
      assert.equal(error.responseCode, 550);
      assert.match(String(error.response), /issued to someone else/);
      return true;
    });
    await ctx.jobs.drain();
    assert.equal(await events(), before, 'nothing stored');
    assert.deepEqual(await messagesOf(ticket.id), []);
    const logged = warnings.slice(warned).map((line) => JSON.parse(line) as { msg: string; reason?: string; ticketId?: string });
    assert.ok(logged.some((line) => line.msg === 'email reply refused' && line.reason === 'the sender is not the person the reply address was issued to' && line.ticketId === ticket.id), JSON.stringify(logged));
    assert.ok(logged.some((line) => line.reason === 'no From address'));

    // Their own address, written in capitals by their mail client, is theirs.
    const own = await post(await mime({ from: `Carol <${customer.email.toUpperCase()}>`, to: address, text: 'Still failing on 4.3.', messageId: '<carol-upper@mail.example.com>' }));
    assert.equal(own.statusCode, 202);
    await ctx.jobs.drain();
    assert.deepEqual(await messagesOf(ticket.id), [{ body: 'Still failing on 4.3.', author_id: customer.id, channel: 'email' }]);
  });

  test('an automatic answer (out of office) to a notification is refused, not added', async () => {
    const { ticket, customer } = await ticketSetup();
    const address = replyAddress(ctx.deps.config, ticket.id, customer.id)!;
    const away = await post(await mime({ from: customer.email, to: address, subject: 'Automatic reply: An expert is on it', text: 'I am out of the office until Monday.', headers: { 'Auto-Submitted': 'auto-replied' } }));
    assert.deepEqual([away.statusCode, away.json().error.code], [422, 'automatic_email']);
    await ctx.jobs.drain();
    assert.deepEqual(await messagesOf(ticket.id), []);
  });
});

describe('support addresses: a new ticket by email', () => {
  const ticketsOf = (repoId: string) => ctx.db.selectFrom('tickets').select(['id', 'title', 'body', 'track', 'channel', 'requester_id', 'status']).where('repo_id', '=', repoId).execute();

  test('a mail from a new person (authenticated by a trusted server) to support+owner.name@ opens an expert ticket as them, acknowledged with a reply address that works; a redelivery opens nothing more', async () => {
    const repo = await createRepo(ctx, { expert: true });
    const address = supportAddress(ctx.deps.config, repo.fullName)!;
    assert.equal(address, `support+${repo.fullName.replace('/', '.')}@${DOMAIN}`);
    const raw = await mime({ from: 'Frank Ops <frank@bigcorp.example>', to: address, subject: 'Fwd: Retries stop after the first failure', text: 'With maxRetries: 3 only one retry happens.\nWe run 4.2.', messageId: '<frank-1@bigcorp.example>', headers: authenticated('frank@bigcorp.example') });
    const sentBefore = ctx.sent.length;
    assert.deepEqual((await post(raw)).json(), { received: true, duplicate: false });
    assert.deepEqual((await post(raw)).json(), { received: true, duplicate: true }, 'the same Message-ID to the same repository is one request');
    await ctx.jobs.drain();

    const [ticket, ...more] = await ticketsOf(repo.id);
    assert.equal(more.length, 0, 'one ticket');
    const frank = await ctx.db.selectFrom('users').select(['id', 'email', 'display_name']).where('email', '=', 'frank@bigcorp.example').executeTakeFirstOrThrow();
    assert.deepEqual(ticket, { id: ticket.id, title: 'Retries stop after the first failure', body: 'With maxRetries: 3 only one retry happens.\nWe run 4.2.', track: 'expert', channel: 'email', requester_id: frank.id, status: 'open' });
    assert.equal(frank.display_name, 'Frank Ops');
    const acks = ctx.sent.slice(sentBefore).filter((email) => email.to === 'frank@bigcorp.example');
    assert.equal(acks.length, 1, 'one acknowledgement');
    assert.equal(acks[0].subject, 'Ticket opened: Retries stop after the first failure');
    assert.match(acks[0].text, new RegExp(`/tickets/${ticket.id}`));
    assert.match(acks[0].text, /approved helpers/);
    assert.deepEqual(readReplyAddress(ctx.deps.config, acks[0].replyTo!), { ticketId: ticket.id, userId: frank.id }, 'the reply token is issued to the sender, for this ticket');

    // Answering the acknowledgement adds to the ticket, as Frank.
    await smtpClient().sendMail({ from: 'frank@bigcorp.example', to: acks[0].replyTo!, subject: `Re: ${acks[0].subject}`, text: gmailReply('Also on Node 22.'), messageId: '<frank-2@bigcorp.example>' });
    await ctx.jobs.drain();
    assert.deepEqual(await messagesOf(ticket.id), [{ body: 'Also on Node 22.', author_id: frank.id, channel: 'email' }]);
  });

  test('over SMTP, from a known person to a community repository: a community question as that person; unknown repositories are refused at RCPT TO', async () => {
    const repo = await createRepo(ctx, { expert: false });
    await ctx.db.updateTable('repos').set({ offers_community: true }).where('id', '=', repo.id).execute();
    const known = await createUser(ctx, { name: 'Grace' });
    const address = supportAddress(ctx.deps.config, repo.fullName)!;
    const sent = await smtpClient().sendMail({ from: `Grace <${known.email}>`, to: address.toUpperCase().replace(`@${DOMAIN.toUpperCase()}`, `@${DOMAIN}`), subject: 'How do I set a timeout?', text: 'The docs do not say.', messageId: '<grace-1@mail.example.com>', headers: authenticated(known.email) });
    assert.match(sent.response, /^250/);
    await ctx.jobs.drain();
    const [ticket] = await ticketsOf(repo.id);
    assert.deepEqual([ticket.title, ticket.track, ticket.channel, ticket.requester_id], ['How do I set a timeout?', 'community', 'email', known.id]);
    assert.match(ctx.sent.findLast((email) => email.to === known.email)!.text, /community/);

    for (const to of [`support+nobody.nothing@${DOMAIN}`, `support+${repo.fullName.replace('/', '')}@${DOMAIN}`]) {
      await assert.rejects(smtpClient().sendMail({ from: known.email, to, text: 'Hello' }), (error: { responseCode?: number }) => error.responseCode === 550);
    }
    assert.equal((await ticketsOf(repo.id)).length, 1);
  });

  test('refusals over HTTP change nothing: an unknown repository, one without human support, several repositories, an automatic mail, no sender, no text', async () => {
    const repo = await createRepo(ctx, { expert: true });
    const quiet = await createRepo(ctx, { expert: false });
    await ctx.db.updateTable('repos').set({ offers_community: false }).where('id', '=', quiet.id).execute();
    const to = supportAddress(ctx.deps.config, repo.fullName)!;
    const cases: [string, Buffer, number, string][] = [
      ['unknown repository', await mime({ from: 'h@x.example', to: `support+nobody.nothing@${DOMAIN}`, text: 'Hi' }), 422, 'unknown_support_address'],
      ['no human support', await mime({ from: 'h@x.example', to: supportAddress(ctx.deps.config, quiet.fullName)!, text: 'Hi' }), 422, 'unknown_support_address'],
      ['several repositories', await mime({ from: 'h@x.example', to: `${to}, ${supportAddress(ctx.deps.config, quiet.fullName)}`, text: 'Hi' }), 422, 'several_support_addresses'],
      ['automatic', await mime({ from: 'h@x.example', to, text: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } }), 422, 'automatic_email'],
      ['a placeholder sender', await mime({ from: 'discord.123@users.chat.invalid', to, text: 'Hi' }), 422, 'no_sender'],
      ['no text', await mime({ from: 'h@x.example', to, text: '', attachments: [{ filename: 'a.bin', content: Buffer.from([1, 2, 3]) }] }), 422, 'no_text'],
    ];
    for (const [name, raw, status, code] of cases) {
      const response = await post(raw);
      assert.deepEqual([response.statusCode, response.json().error?.code], [status, code], name);
    }
    await ctx.jobs.drain();
    assert.deepEqual(await ticketsOf(repo.id), []);
    assert.deepEqual(await ticketsOf(quiet.id), []);
  });
});

describe('without INBOUND_EMAIL_DOMAIN', () => {
  test('replies by email are off: one log line, no endpoint, notifications carry no reply address', async () => {
    const lines: string[] = [];
    const off = await startTestApp({ logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) });
    try {
      assert.equal(off.services.email, null);
      assert.equal((await off.app.inject({ method: 'POST', url: '/webhooks/email', payload: 'x' })).statusCode, 404);
      assert.equal(lines.filter((line) => line.includes('Inbound email over HTTP is off')).length, 1);
      assert.equal(replyAddress(off.deps.config, '00000000-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000001'), null);
    } finally {
      await off.close();
    }
  });
});
