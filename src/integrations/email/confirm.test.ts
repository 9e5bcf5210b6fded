import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import pino from 'pino';
import { DAY, HOUR } from '../../lib/clock.ts';
import { replyToken, supportAddress } from '../../modules/mail/reply-address.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { startInboundSmtp } from './smtp.ts';

/**
 * Support requests by email whose sender is not authenticated: held until the From address confirms
 * them, a confirmation that opens one ticket; and the per-sender hourly limit (docs/assistant.md).
 */
const DOMAIN = 'reply.backline.test';
const SECRET = 'a-reply-signing-key-of-at-least-32-chars';
const WEBHOOK_SECRET = 'inbound-email-webhook-secret';
const TRUSTED = 'mx.backline.test';

let ctx: TestContext;
let smtp: Awaited<ReturnType<typeof startInboundSmtp>>;

before(async () => {
  ctx = await startTestApp({ env: { INBOUND_EMAIL_DOMAIN: DOMAIN, EMAIL_REPLY_SECRET: SECRET, INBOUND_EMAIL_WEBHOOK_SECRET: WEBHOOK_SECRET, INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS: `other.example, ${TRUSTED.toUpperCase()}` } });
  smtp = await startInboundSmtp(ctx.services.email!, { port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
});
after(async () => {
  await smtp.close();
  await ctx.close();
});

let sequence = 0;
/** A request to `repo`'s support address from `from`, each with its own Message-ID; `headers` as the receiving server left them. */
const request = (repo: { fullName: string }, from: string, headers: { key: string; value: string }[] = [], subject = 'Retries stop after the first failure') =>
  new MailComposer({ from, to: supportAddress(ctx.deps.config, repo.fullName)!, subject, text: 'With maxRetries: 3 only one retry happens.', messageId: `<request-${++sequence}@mail.example>`, headers }).compile().build();

const results = (value: string) => [{ key: 'Authentication-Results', value }];

const post = (raw: Buffer) => ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${WEBHOOK_SECRET}` }, payload: raw });
const confirmPage = (token: string) => ctx.app.inject({ method: 'GET', url: `/email/confirm?token=${encodeURIComponent(token)}` });
const confirm = (token: string) => ctx.app.inject({ method: 'POST', url: '/email/confirm', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${encodeURIComponent(token)}` });

const smtpClient = () => nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });

const ticketsOf = (repoId: string) => ctx.db.selectFrom('tickets').select(['id', 'requester_id', 'channel', 'title']).where('repo_id', '=', repoId).execute();
const userByEmail = (email: string) => ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
const count = async (table: 'email_requests' | 'chat_events' | 'emails' | 'tickets' | 'users') => Number((await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const everything = async () => ({ requests: await count('email_requests'), events: await count('chat_events'), emails: await count('emails'), tickets: await count('tickets'), users: await count('users') });

/** The confirmation email sent to `to` since `from` (in ctx.sent), and its link's token. */
function confirmation(to: string, since: number) {
  const emails = ctx.sent.slice(since).filter((email) => email.to === to && email.subject.startsWith('Confirm your support request'));
  assert.equal(emails.length, 1, `one confirmation email to ${to}`);
  const token = /\/email\/confirm\?token=([A-Za-z0-9_-]+)/.exec(emails[0].text)?.[1];
  assert.ok(token, emails[0].text);
  return { email: emails[0], token };
}

describe('a support request whose sender is not authenticated', () => {
  test('is held: nothing is opened and no account made until the From address confirms; the link page changes nothing; the button opens one ticket as the sender, once', async () => {
    const repo = await createRepo(ctx, { expert: true });
    const sent = ctx.sent.length;
    // No Authentication-Results at all: anyone could have written this From.
    const received = await post(await request(repo, 'Frank Ops <frank@bigcorp.example>'));
    assert.deepEqual([received.statusCode, received.json()], [202, { received: true, duplicate: false }]);
    await ctx.jobs.drain();
    assert.deepEqual(await ticketsOf(repo.id), [], 'nothing opened');
    assert.equal(await userByEmail('frank@bigcorp.example'), undefined, 'no account in that name');
    const { email, token } = confirmation('frank@bigcorp.example', sent);
    assert.equal(email.subject, `Confirm your support request to ${repo.fullName}`);
    assert.match(email.text, /7 days/);
    assert.match(email.text, /nothing is opened in your name/);
    assert.doesNotMatch(email.text, /maxRetries/, 'the text of someone who may not be the sender is not mailed to the address');

    // A link scanner or preview fetches the page: it shows the button and opens nothing.
    for (let fetch = 0; fetch < 2; fetch++) {
      const page = await confirmPage(token);
      assert.equal(page.statusCode, 200);
      assert.match(page.headers['content-type'] as string, /text\/html/);
      assert.match(page.body, /<form method="post" action="\/email\/confirm">/);
      assert.match(page.body, /Retries stop after the first failure/);
    }
    await ctx.jobs.drain();
    assert.deepEqual(await ticketsOf(repo.id), []);

    // The person presses the button (twice, and once more at the same moment): one ticket.
    const pressed = await Promise.all([confirm(token), confirm(token)]);
    assert.deepEqual(pressed.map((response) => [response.statusCode, response.headers.location]), [[303, `/email/confirm?token=${token}`], [303, `/email/confirm?token=${token}`]]);
    assert.match((await confirmPage(token)).body, /being opened/, 'confirmed; the job opens it');
    await ctx.jobs.drain();
    assert.equal((await confirm(token)).statusCode, 303);
    await ctx.jobs.drain();
    const frank = await userByEmail('frank@bigcorp.example');
    const tickets = await ticketsOf(repo.id);
    assert.deepEqual(tickets, [{ id: tickets[0]?.id, requester_id: frank?.id, channel: 'email', title: 'Retries stop after the first failure' }], 'exactly one ticket, as the sender');
    const acks = ctx.sent.slice(sent).filter((mail) => mail.to === 'frank@bigcorp.example' && mail.subject.startsWith('Ticket opened'));
    assert.equal(acks.length, 1, 'acknowledged once, as an authenticated request is');
    assert.ok(acks[0].replyTo);
    const opened = await confirmPage(token);
    assert.equal(opened.statusCode, 200);
    assert.match(opened.body, new RegExp(`/tickets/${tickets[0].id}`), 'the link now shows the ticket');
    assert.doesNotMatch(opened.body, /<form/);
  });

  test('a request the repository no longer takes when it is confirmed is not opened: the page and an email say why', async () => {
    const repo = await createRepo(ctx, { expert: true });
    const sent = ctx.sent.length;
    // Written by hand: a subject whose encoded words hide a NUL and a line break, which must not reach the database or our headers.
    const subject = Buffer.from('Crash\u0000here\r\nBcc: x@evil.example').toString('base64');
    const raw = Buffer.from(`From: hal@smallco.example\r\nTo: ${supportAddress(ctx.deps.config, repo.fullName)}\r\nSubject: =?UTF-8?B?${subject}?=\r\nMessage-ID: <hal-1@smallco.example>\r\n\r\nPlease help.\r\n`);
    assert.equal((await post(raw)).statusCode, 202);
    await ctx.jobs.drain();
    const { email, token } = confirmation('hal@smallco.example', sent);
    assert.match(email.text, /"Crash here  Bcc: x@evil\.example"/);
    await ctx.db.updateTable('repos').set({ offers_expert: false, offers_community: false }).where('id', '=', repo.id).execute();
    assert.equal((await confirm(token)).statusCode, 303);
    await ctx.jobs.drain();
    assert.deepEqual(await ticketsOf(repo.id), []);
    const page = await confirmPage(token);
    assert.match(page.body, /could not be opened/);
    assert.match(page.body, /takes no support requests/);
    assert.equal(ctx.sent.slice(sent).filter((mail) => mail.to === 'hal@smallco.example' && mail.subject.startsWith('Not opened')).length, 1);
  });

  test('an untrusted server\'s pass, a pass for another domain, and a trusted pass below a trusted fail do not authenticate: held', async () => {
    const repo = await createRepo(ctx, { expert: true });
    const cases = [
      results('evil.example; dmarc=pass header.from=bigcorp.example; dkim=pass header.d=bigcorp.example'),
      results(`${TRUSTED}; dkim=pass header.d=other.example; dmarc=pass header.from=other.example`),
      [...results(`${TRUSTED}; dmarc=fail header.from=bigcorp.example`), ...results(`${TRUSTED}; dmarc=pass header.from=bigcorp.example`)],
    ];
    for (const [index, headers] of cases.entries()) {
      const sent = ctx.sent.length;
      const from = `held-${index}@bigcorp.example`;
      assert.equal((await post(await request(repo, from, headers))).statusCode, 202);
      await ctx.jobs.drain();
      confirmation(from, sent);
    }
    assert.deepEqual(await ticketsOf(repo.id), []);
  });

  test('a forged, altered or expired link is refused with a page saying why, and changes nothing', async () => {
    const repo = await createRepo(ctx, { expert: true });
    const sent = ctx.sent.length;
    await post(await request(repo, 'grace@smallco.example'));
    await ctx.jobs.drain();
    const { token } = confirmation('grace@smallco.example', sent);
    const before = await everything();

    const flipped = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    const forged = [flipped, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), 'nonsense', `${token}A`, replyToken(SECRET, { ticketId: '00000000-0000-4000-8000-000000000000', userId: '00000000-0000-4000-8000-000000000001' })];
    for (const bad of forged) {
      for (const response of [await confirmPage(bad), await confirm(bad)]) {
        assert.equal(response.statusCode, 403, bad);
        assert.match(response.body, /not valid/);
      }
    }
    assert.equal((await confirm('')).statusCode, 400, 'no token at all');

    ctx.clock.advance(7 * DAY + 1000);
    for (const response of [await confirmPage(token), await confirm(token)]) {
      assert.equal(response.statusCode, 410);
      assert.match(response.body, /expired/);
    }
    await ctx.jobs.drain();
    assert.deepEqual(await everything(), before, 'nothing stored, opened or mailed');
    assert.deepEqual(await ticketsOf(repo.id), []);
  });
});

describe('a support request authenticated by a trusted server', () => {
  test('opens at once: dmarc=pass for the From domain, or dkim=pass by a parent of it; no confirmation is asked', async () => {
    const repo = await createRepo(ctx, { expert: true });
    const sent = ctx.sent.length;
    await post(await request(repo, 'Ida <ida@bigcorp.example>', results(`${TRUSTED}; spf=pass smtp.mailfrom=bigcorp.example; dmarc=pass (p=reject) header.from=bigcorp.example`), 'By DMARC'));
    await smtpClient().sendMail({ from: 'jo@eu.mail.bigcorp.example', to: supportAddress(ctx.deps.config, repo.fullName)!, subject: 'By DKIM', text: 'Signed by the parent domain.', headers: results(`${TRUSTED}; dkim=pass header.d=bigcorp.example header.s=s1`) });
    await ctx.jobs.drain();
    const tickets = await ticketsOf(repo.id);
    assert.deepEqual(tickets.map((ticket) => [ticket.title, ticket.requester_id]).sort(), [['By DKIM', (await userByEmail('jo@eu.mail.bigcorp.example'))?.id], ['By DMARC', (await userByEmail('ida@bigcorp.example'))?.id]]);
    assert.equal(ctx.sent.slice(sent).filter((email) => email.subject.startsWith('Confirm')).length, 0);
  });
});

describe('the per-sender limit', () => {
  test('the 11th request from one address in an hour (held or opened, any repository, any case, any +tag) is refused over HTTP and SMTP and stores nothing; others, and the same address an hour later, get in', async () => {
    const [first, second] = [await createRepo(ctx, { expert: true }), await createRepo(ctx, { expert: true })];
    const trusted = results(`${TRUSTED}; dmarc=pass header.from=busy.example`);
    const senders = ['kim@busy.example', 'KIM@Busy.Example', `kim+support@busy.example`];
    const mails = await Promise.all(Array.from({ length: 10 }, (_, index) => request(index % 2 ? first : second, senders[index % 3], index < 5 ? trusted : [])));
    for (const raw of mails) assert.equal((await post(raw)).statusCode, 202);
    await ctx.jobs.drain();
    assert.equal((await ticketsOf(first.id)).length + (await ticketsOf(second.id)).length, 5, 'the authenticated five are opened, the other five held');

    const before = await everything();
    const refused = await post(await request(first, 'Kim+another-tag@busy.example', trusted));
    assert.deepEqual([refused.statusCode, refused.json().error.code], [429, 'too_many_requests']);
    assert.match(refused.json().error.message, /more than 10 support requests in the last hour/);
    await assert.rejects(smtpClient().sendMail({ from: 'Kim@busy.example', to: supportAddress(ctx.deps.config, second.fullName)!, subject: 'Again', text: 'Hello?' }), (error: { responseCode?: number; response?: string }) => {
      assert.equal(error.responseCode, 450, 'a temporary refusal: the sending server retries later');
      assert.match(String(error.response), /last hour/);
      return true;
    });
    assert.deepEqual((await post(mails[0])).json(), { received: true, duplicate: true }, 'a redelivery of a stored mail is recognized, not refused');
    await ctx.jobs.drain();
    assert.deepEqual(await everything(), before, 'nothing stored');

    assert.equal((await post(await request(first, 'lee@busy.example'))).statusCode, 202, 'another sender is counted apart');
    ctx.clock.advance(HOUR);
    assert.equal((await post(await request(first, 'kim@busy.example'))).statusCode, 202, 'an hour later');
  });
});

describe('held requests nobody confirms', () => {
  test('are deleted by the daily retention run a day after their link expired; confirmed ones stay, with their ticket', async () => {
    const repo = await createRepo(ctx, { expert: true });
    const sent = ctx.sent.length;
    assert.equal((await post(await request(repo, 'gone@quiet.example'))).statusCode, 202);
    assert.equal((await post(await request(repo, 'kept@quiet.example'))).statusCode, 202);
    await ctx.jobs.drain();
    assert.equal((await confirm(confirmation('kept@quiet.example', sent).token)).statusCode, 303);
    await ctx.jobs.drain();
    const senders = async () => (await ctx.db.selectFrom('email_requests').select('sender').where('repo_id', '=', repo.id).orderBy('sender').execute()).map((row) => row.sender);
    assert.deepEqual(await senders(), ['gone@quiet.example', 'kept@quiet.example']);

    await ctx.services.assistant.retention.scheduleNextRun();
    ctx.clock.advance(7 * DAY);
    await ctx.jobs.drain();
    assert.deepEqual(await senders(), ['gone@quiet.example', 'kept@quiet.example'], 'its link has not expired a day ago yet');
    ctx.clock.advance(2 * DAY);
    await ctx.jobs.drain();
    assert.deepEqual(await senders(), ['kept@quiet.example'], 'the request never confirmed is gone; the confirmed one stays');
    assert.equal((await ticketsOf(repo.id)).length, 1);
  });
});
