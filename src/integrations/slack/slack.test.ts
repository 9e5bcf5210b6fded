import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { MINUTE } from '../../lib/clock.ts';
import { decryptSecret, parseEncryptionKey } from '../../lib/encryption.ts';
import { checkInvariants } from '../../modules/ledger/ledger.service.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { codeMailedTo } from '../../../test/helpers/assistant.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { owed } from '../../../test/helpers/money.ts';
import { approvedHelper } from '../../../test/helpers/support.ts';
import { FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, signSlackRequest, startFakeSlack, type FakeSlack } from '../../../test/fakes/slack.ts';
import { createSlackClient } from './client.ts';
import { BOT_SCOPES, STATE_COOKIE } from './installations.ts';

const SECRET = 'slack-signing-secret-for-tests';
const KEY = 'a'.repeat(64);
const TEAM = 'T0ACME';
const SUPPORT = 'C0SUPPORT';
const GENERAL = 'C0GENERAL';

let fake: FakeSlack;
let ctx: TestContext;
before(async () => {
  fake = await startFakeSlack();
  fake.addTeam(TEAM, 'Acme', SUPPORT);
  ctx = await startTestApp({ env: { SLACK_SIGNING_SECRET: SECRET, SLACK_CLIENT_ID: FAKE_CLIENT_ID, SLACK_CLIENT_SECRET: FAKE_CLIENT_SECRET, TOKEN_ENCRYPTION_KEY: KEY, SLACK_API_URL: fake.api } });
});
after(async () => {
  await ctx.close();
  await fake.close();
});

type Member = { id: string; name: string };
let sequence = 0;
const next = () => ++sequence;
const now = () => Math.floor(ctx.clock.now().getTime() / 1000);

async function send(url: string, raw: string, options: { contentType?: string; at?: number; secret?: string; headers?: Record<string, string> } = {}) {
  const headers = options.headers ?? signSlackRequest(options.secret ?? SECRET, raw, options.at ?? now(), options.contentType);
  const response = await ctx.app.inject({ method: 'POST', url, headers, payload: raw });
  return { status: response.statusCode, body: response.body ? response.json() : null };
}

/** A slash command as Slack posts it: form-encoded, with a trigger id and a response_url. */
function commandBody(member: Member, text: string, command = '/support', channel = GENERAL) {
  return new URLSearchParams({
    token: 'deprecated-verification-token', team_id: TEAM, team_domain: 'acme', channel_id: channel, channel_name: 'general', user_id: member.id, user_name: member.name,
    command, text, api_app_id: 'A0FAKEAPP', is_enterprise_install: 'false', response_url: fake.responseUrl(TEAM), trigger_id: `${next()}.1.trigger`,
  }).toString();
}
const slash = (member: Member, text: string, command?: string) => send('/webhooks/slack/commands', commandBody(member, text, command));
const interact = (payload: unknown) => send('/webhooks/slack/interactions', new URLSearchParams({ payload: JSON.stringify(payload) }).toString());

const user = (member: Member) => ({ id: member.id, username: member.name, name: member.name, team_id: TEAM });

/** A press in a message (a button, or an option picked from a select). `message` is where it was pressed. */
function actionPayload(member: Member, action: Record<string, unknown>, where: { channel?: string; ts?: string; thread_ts?: string } = {}) {
  const channel = where.channel ?? GENERAL;
  const ts = where.ts ?? `${1_600_000_000 + next()}.000200`;
  return {
    type: 'block_actions', user: user(member), api_app_id: 'A0FAKEAPP', token: 'deprecated', trigger_id: `${next()}.2.trigger`, team: { id: TEAM, domain: 'acme' }, enterprise: null, is_enterprise_install: false,
    container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: !where.ts }, channel: { id: channel, name: 'general' },
    message: where.ts ? { type: 'message', ts, thread_ts: where.thread_ts, text: '', bot_id: 'B0FAKE' } : undefined,
    response_url: fake.responseUrl(TEAM), actions: [{ block_id: 'b', action_ts: `${now()}.${next()}`, ...action }],
  };
}
const click = (member: Member, element: any, where?: { channel?: string; ts?: string; thread_ts?: string }) =>
  interact(actionPayload(member, { action_id: element.action_id, type: 'button', text: element.text }, where));
const pick = (member: Member, element: any, value: string) =>
  interact(actionPayload(member, { action_id: element.action_id, type: element.type, selected_option: { text: { type: 'plain_text', text: value }, value } }));

/** The modal Slack opened for the last views.open, submitted with these values. */
function submit(member: Member, fields: Record<string, string>) {
  const { view } = fake.views.at(-1)!;
  const values = Object.fromEntries(Object.entries(fields).map(([id, value]) => [id, { [id]: { type: 'plain_text_input', value } }]));
  return interact({
    type: 'view_submission', team: { id: TEAM, domain: 'acme' }, user: user(member), api_app_id: 'A0FAKEAPP', token: 'deprecated', trigger_id: `${next()}.3.trigger`,
    view: { id: `V${next()}`, team_id: TEAM, type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values }, hash: 'h' }, response_urls: [],
  });
}

function eventBody(event: Record<string, unknown>, eventId = `Ev${next()}`) {
  return JSON.stringify({ token: 'deprecated', team_id: TEAM, api_app_id: 'A0FAKEAPP', event: { event_ts: event.ts, ...event }, type: 'event_callback', event_id: eventId, event_time: now(), authorizations: [{ team_id: TEAM, user_id: 'U0BOTT0ACME', is_bot: true }] });
}
const sendEvent = (raw: string, headers: Record<string, string> = {}) => send('/webhooks/slack/events', raw, { contentType: 'application/json', headers: { ...signSlackRequest(SECRET, raw, now(), 'application/json'), ...headers } });

/** Acknowledged with an empty 200, then answered by the jobs through the response_url. */
async function replied(response: { status: number; body: any }) {
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.equal(response.body, null, 'an empty acknowledgement');
  const before = fake.responses.length;
  await ctx.jobs.drain();
  const failed = await ctx.db.selectFrom('jobs').select(['queue', 'last_error']).where('last_error', 'is not', null).execute();
  assert.deepEqual(failed, [], 'no job failed');
  assert.equal(fake.responses.length, before + 1, 'one reply through the response_url');
  const reply = fake.responses.at(-1)!.body;
  assert.equal(reply.response_type, 'ephemeral');
  return reply;
}

/** Acknowledged, and a modal opened through views.open with the interaction's trigger. */
async function opened(response: { status: number; body: any }, title: string) {
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.equal(response.body, null);
  const { view } = fake.views.at(-1)!;
  assert.equal(view.title.text, title);
  return view;
}

const elementsOf = (message: { blocks: any[] }): any[] => message.blocks.flatMap((block) => block.elements ?? []);
const element = (message: { blocks: any[] }, label: string) => {
  const found = elementsOf(message).find((candidate) => candidate.text?.text?.startsWith(label));
  assert.ok(found, `no button "${label}" in ${JSON.stringify(message.blocks)}`);
  return found;
};
const textOf = (message: { blocks: any[] }) => message.blocks.filter((block) => block.type === 'section').map((block) => block.text.text).join('\n');

async function install() {
  const start = await ctx.app.inject({ method: 'GET', url: '/integrations/slack/install' });
  assert.equal(start.statusCode, 302);
  const location = new URL(String(start.headers.location));
  const cookie = start.cookies.find((candidate) => candidate.name === STATE_COOKIE)!;
  return { location, state: location.searchParams.get('state')!, cookie: cookie.value };
}
const callback = (query: Record<string, string>, cookie?: string) =>
  ctx.app.inject({ method: 'GET', url: `/integrations/slack/oauth/callback?${new URLSearchParams(query)}`, cookies: cookie ? { [STATE_COOKIE]: cookie } : {} });

describe('installing the Slack app (OAuth v2)', () => {
  test('the install link goes to Slack with a signed state; the callback stores the bot token encrypted; forged, foreign and refused callbacks change nothing', async () => {
    const { location, state, cookie } = await install();
    assert.equal(`${location.origin}${location.pathname}`, 'https://slack.com/oauth/v2/authorize');
    assert.equal(location.searchParams.get('client_id'), FAKE_CLIENT_ID);
    assert.match(location.searchParams.get('scope')!, /commands.*chat:write/);
    assert.equal(location.searchParams.get('redirect_uri'), 'http://localhost:3000/integrations/slack/oauth/callback');

    const refused = [
      await callback({ code: fake.issueCode(TEAM), state: `${state.split('.').slice(0, 2).join('.')}.forged` }, cookie),
      await callback({ code: fake.issueCode(TEAM), state }),
      await callback({ error: 'access_denied', state }, cookie),
      await callback({ code: 'not-a-code-slack-issued', state }, cookie),
    ];
    assert.deepEqual(refused.map((response) => response.statusCode), [400, 400, 400, 400]);
    assert.match(refused[0].json().error.message, /not one Backline made/);
    assert.match(refused[1].json().error.message, /another browser/);
    assert.match(refused[3].json().error.message, /invalid_code/);
    assert.equal((await ctx.db.selectFrom('slack_installations').selectAll().execute()).length, 0);

    const done = await callback({ code: fake.issueCode(TEAM), state }, cookie);
    assert.equal(done.statusCode, 200, done.body);
    assert.match(done.body, /Backline is installed in Acme/);
    const row = await ctx.db.selectFrom('slack_installations').selectAll().where('team_id', '=', TEAM).executeTakeFirstOrThrow();
    assert.equal(row.support_channel_id, SUPPORT);
    assert.doesNotMatch(row.bot_token_encrypted, /xoxb/, 'never stored in the clear');
    assert.equal(decryptSecret(parseEncryptionKey(KEY), row.bot_token_encrypted, TEAM), `xoxb-${TEAM}-fake-bot-token`);
    assert.throws(() => decryptSecret(parseEncryptionKey(KEY), row.bot_token_encrypted, 'T0OTHER'), 'bound to its team');

    ctx.clock.advance(11 * MINUTE);
    assert.match((await callback({ code: fake.issueCode(TEAM), state }, cookie)).json().error.message, /longer than 10 minutes/);
  });
});

describe('Slack requests: signatures, the URL check, retries and replays', () => {
  test('signed requests pass; forged, tampered, unsigned, stale and malformed ones are refused and change nothing', async () => {
    const challenge = JSON.stringify({ token: 'deprecated', challenge: 'c-123', type: 'url_verification' });
    assert.deepEqual(await send('/webhooks/slack/events', challenge, { contentType: 'application/json' }), { status: 200, body: { challenge: 'c-123' } });
    const events = async () => (await ctx.db.selectFrom('chat_events').select('id').execute()).length;
    const stored = await events();

    const raw = commandBody({ id: 'U0MALLORY', name: 'mallory' }, 'acme/widget');
    assert.equal((await send('/webhooks/slack/commands', raw, { secret: 'another-secret' })).status, 401, 'signed with another secret');
    const signed = signSlackRequest(SECRET, raw, now());
    assert.equal((await send('/webhooks/slack/commands', `${raw}&text=other`, { headers: signed })).status, 401, 'the body changed after signing');
    assert.equal((await send('/webhooks/slack/commands', raw, { headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 401, 'unsigned');
    const stale = await send('/webhooks/slack/commands', raw, { at: now() - 6 * 60 });
    assert.deepEqual([stale.status, stale.body.error.message], [401, 'The signed timestamp is too old or in the future.']);
    assert.equal(await events(), stored, 'nothing stored');

    const notJson = await send('/webhooks/slack/interactions', 'payload=%7Bnot-json');
    assert.deepEqual([notJson.status, notJson.body.error.code], [400, 'bad_request']);
    assert.equal((await send('/webhooks/slack/commands', 'team_id=T0ACME&command=%2Fsupport')).status, 400, 'signed, but not a command');
    assert.equal((await interact({ type: 'block_actions', team: { id: TEAM }, user: { id: 'U0X' }, actions: [] })).status, 400, 'an action without its id');

    const unknown = await slash({ id: 'U0MALLORY', name: 'mallory' }, '', '/frobnicate');
    assert.equal(unknown.status, 200);
    assert.deepEqual([unknown.body.response_type, unknown.body.text], ['ephemeral', 'I do not know the command /frobnicate. Try /support.']);
  });

  test('a replayed command is refused; an event Slack retries is acknowledged and handled once', async () => {
    const raw = commandBody({ id: 'U0REPLAY', name: 'replay' }, '');
    assert.equal((await send('/webhooks/slack/commands', raw)).status, 200);
    const again = await send('/webhooks/slack/commands', raw);
    assert.deepEqual([again.status, again.body.error.code], [409, 'interaction_replayed']);

    const body = eventBody({ type: 'message', channel: 'D0REPLAY', channel_type: 'im', user: 'U0REPLAY', text: 'acme/none', ts: '1700000001.000001' }, 'Ev0RETRIED');
    assert.equal((await sendEvent(body)).status, 200);
    assert.equal((await sendEvent(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status, 200);
    assert.equal((await ctx.db.selectFrom('chat_events').select('id').where('external_id', '=', 'event:Ev0RETRIED').execute()).length, 1);
  });

  test('the repository search lists verified repositories as one types, and nothing for unknown names', async () => {
    await createRepo(ctx, { fullName: 'slacksearch/fastwidgets', description: 'Fast widgets' });
    const typed = (value: string) => interact({ type: 'block_suggestion', user: user({ id: 'U0ZOE', name: 'zoe' }), team: { id: TEAM }, action_id: 'x', block_id: 'b', value, container: { type: 'message' } });
    const found = await typed('fastwid');
    assert.deepEqual(found.body, { options: [{ text: { type: 'plain_text', text: 'slacksearch/fastwidgets — Fast widgets', emoji: true }, value: 'slacksearch/fastwidgets' }] });
    assert.deepEqual((await typed('zzqqxxnothing')).body, { options: [] });
    const unknownRepo = await slash({ id: 'U0ZOE', name: 'zoe' }, 'nobody/nothing-here');
    assert.match(unknownRepo.body.text, /I do not know the repository "nobody\/nothing-here"/);
  });
});

describe('Slack bad input', () => {
  test('an expired or foreign button and a link button get a short private reply or nothing, and change nothing', async () => {
    await ensureInstalled();
    const member = { id: 'U0EXPIRED', name: 'eve' };
    const expired = await replied(await click(member, { action_id: 'c:not-a-conversation:describe' }));
    assert.match(textOf(expired), /has expired/);
    const conversations = await ctx.db.selectFrom('conversations').select('id').execute();
    const asked = await slash({ id: 'U0OWNER', name: 'owner' }, '');
    const search = elementsOf(asked.body).find((candidate) => candidate.type === 'external_select');
    const foreign = await replied(await pick(member, search, 'acme/widget'));
    assert.match(textOf(foreign), /belongs to someone else/);
    assert.equal((await ctx.db.selectFrom('conversations').select('id').execute()).length, conversations.length + 1, 'only the owner\'s /support made one');
    const link = await click(member, { action_id: 'link:0' });
    assert.deepEqual(link, { status: 200, body: null });
    await ctx.jobs.drain();
    assert.equal(fake.responses.at(-1)!.body, foreign, 'no reply to a link button');
  });
});

describe('the Slack Web API client', () => {
  test('waits out a 429 with Retry-After and retries; ok: false becomes an error with Slack\'s code', async () => {
    const client = createSlackClient({ token: `xoxb-${TEAM}-fake-bot-token`, apiUrl: fake.api, logger: pino({ level: 'silent' }) });
    fake.rateLimit('chat.postMessage', 1);
    const before = fake.requests.length;
    const sent = await client.postMessage({ channel: GENERAL, text: 'hello' });
    assert.equal(sent.ok, true);
    const tries = fake.requests.slice(before).filter((request) => request.path === '/api/chat.postMessage');
    assert.equal(tries.length, 2, 'the first was answered 429, the second went through');
    assert.equal(tries[1].headers.authorization, `Bearer xoxb-${TEAM}-fake-bot-token`);
    const stranger = createSlackClient({ token: 'xoxb-unknown', apiUrl: fake.api, logger: pino({ level: 'silent' }) });
    await assert.rejects(stranger.postMessage({ channel: GENERAL, text: 'hello' }), (error: any) => error.data?.error === 'invalid_auth');
  });

  test('with SLACK_SIGNING_SECRET unset the integration is off: one log line, and the endpoints do not exist', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const off = await startTestApp({ logger });
    try {
      for (const url of ['/webhooks/slack/events', '/webhooks/slack/commands', '/webhooks/slack/interactions']) {
        assert.equal((await off.app.inject({ method: 'POST', url, payload: '{}' })).statusCode, 404);
      }
      assert.equal((await off.app.inject({ method: 'GET', url: '/integrations/slack/install' })).statusCode, 404);
      assert.equal(lines.filter((line) => line.includes('Slack integration is off')).length, 1);
    } finally {
      await off.close();
    }
  });
});

async function ensureInstalled() {
  if (await ctx.db.selectFrom('slack_installations').select('team_id').where('team_id', '=', TEAM).executeTakeFirst()) return;
  const { state, cookie } = await install();
  assert.equal((await callback({ code: fake.issueCode(TEAM), state }, cookie)).statusCode, 200);
}

describe('a conversation on Slack', () => {
  test('from /support to a paid (sandbox), resolved and rated ticket: modals, a thread per ticket mirrored both ways, the ledger balanced and split, the history complete', async () => {
    await ensureInstalled();
    const repo = await createRepo(ctx, { expert: true });
    await repo.maintainer.api.patch(`/api/v1/repos/${repo.fullName}`, { currency: 'EUR' });
    const helperUser = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
    const customer = { id: 'U0CAROL', name: 'carol' };
    const helper = { id: 'U0ADA', name: 'ada' };
    const stranger = { id: 'U0BOB', name: 'bob' };

    // The helper links their Slack account: /support link, the email in a modal, the code in another.
    await opened(await slash(helper, 'link'), 'Your email address');
    const codeSent = await replied(await submit(helper, { email: helperUser.email }));
    await opened(await click(helper, element(codeSent, 'Enter the code')), 'Confirm your email');
    assert.match(textOf(await replied(await submit(helper, { code: await codeMailedTo(ctx, helperUser.email) }))), /is confirmed/);

    // The customer: /support, the repository from the search list, the problem in a modal.
    const asked = await slash(customer, '');
    assert.equal(asked.body.response_type, 'ephemeral');
    const search = elementsOf(asked.body).find((candidate) => candidate.type === 'external_select');
    assert.ok(search, 'a searchable repository list');
    const describeView = await opened(await pick(customer, search, repo.fullName), 'Describe the problem');
    assert.deepEqual(describeView.blocks.map((block: any) => [block.block_id, block.element.multiline]), [['title', false], ['body', true]]);
    const tracks = await replied(await submit(customer, { title: 'Workers stop', body: 'After an hour every worker stops taking jobs.' }));

    // An expert: the email proved with a code, then an offering (a quote).
    await opened(await click(customer, element(tracks, 'Get an expert')), 'Your email address');
    const enterCode = await replied(await submit(customer, { email: 'carol@example.com' }));
    await opened(await click(customer, element(enterCode, 'Enter the code')), 'Confirm your email');
    const offerings = await replied(await submit(customer, { code: await codeMailedTo(ctx, 'carol@example.com') }));
    const select = elementsOf(offerings).find((candidate) => candidate.type === 'static_select');
    assert.deepEqual(select.options.map((option: any) => option.value), ['quote']);
    assert.match(textOf(await replied(await pick(customer, select, 'quote'))), /Your ticket is open/);

    // The ticket's thread starts in the channel picked at installation, mentioning the customer, with Claim.
    await ctx.jobs.drain();
    const ticket = await ctx.db.selectFrom('tickets').selectAll().where('repo_id', '=', repo.id).executeTakeFirstOrThrow();
    const [parent] = fake.messagesIn(SUPPORT).filter((message) => message.thread_ts === undefined && message.text.includes('Workers stop'));
    assert.match(textOf(parent), new RegExp(`^<@${customer.id}> \\*Workers stop\\*`));
    const inThread = (message: { ts: string }) => ({ channel: SUPPORT, ts: message.ts, thread_ts: parent.ts });
    const thread = () => fake.messagesIn(SUPPORT, parent.ts);

    // Someone who is not an approved helper presses Claim: a private refusal, and the ticket stays open.
    assert.match(textOf(await replied(await click(stranger, element(parent, 'Claim'), inThread(parent)))), /approved helpers/);
    assert.equal((await ctx.db.selectFrom('tickets').select('status').where('id', '=', ticket.id).executeTakeFirstOrThrow()).status, 'open');

    assert.match(textOf(await replied(await click(helper, element(parent, 'Claim'), inThread(parent)))), /You claimed "Workers stop"/);
    await ctx.jobs.drain();
    const claimed = thread().at(-1)!;
    assert.match(textOf(claimed), /Ada Helper is working on this ticket/);

    // The quote, from the thread's button and a modal.
    await opened(await click(helper, element(claimed, 'Send a quote'), inThread(claimed)), 'Send a quote');
    assert.match(textOf(await replied(await submit(helper, { amount: '80', currency: 'EUR', minutes: '60', description: 'Find the stall and fix it' }))), /Quote of €80.00 sent/);
    await ctx.jobs.drain();
    const quoteMessage = thread().at(-1)!;
    assert.match(textOf(await replied(await click(stranger, element(quoteMessage, 'Accept'), inThread(quoteMessage)))), /Only the person who opened this ticket can accept/);
    assert.equal((await ctx.db.selectFrom('quotes').select('status').where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow()).status, 'pending');

    // Messages in the thread become the ticket's; huge or binary ones are refused privately; web replies come back.
    const messages = () => ctx.db.selectFrom('ticket_messages').select(['body', 'channel']).where('ticket_id', '=', ticket.id).orderBy('created_at').execute();
    const say = (text: string) => sendEvent(eventBody({ type: 'message', channel: SUPPORT, channel_type: 'channel', user: customer.id, text, ts: `${now()}.${String(next()).padStart(6, '0')}`, thread_ts: parent.ts }));
    assert.equal((await say('The logs show a lock timeout at 14:02.')).status, 200);
    await ctx.jobs.drain();
    assert.deepEqual(await messages(), [{ body: 'The logs show a lock timeout at 14:02.', channel: 'slack' }]);
    assert.equal((await say('x'.repeat(5000))).status, 200);
    assert.equal((await say('PK\u0003\u0004\u0000binary')).status, 200, 'a NUL is stored, not a 500');
    await ctx.jobs.drain();
    assert.equal((await messages()).length, 1, 'nothing added');
    const refusals = fake.ephemeral.slice(-2);
    assert.deepEqual(refusals.map((refusal) => [refusal.channel, refusal.user, refusal.thread_ts]), [[SUPPORT, customer.id, parent.ts], [SUPPORT, customer.id, parent.ts]]);
    assert.match(refusals[0].text, /5000 characters long/);
    assert.match(refusals[1].text, /binary/);
    const postedBefore = thread().length;
    assert.equal((await helperUser.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Thanks, <!channel> looking at the lock now.', channel: 'web' })).status, 201);
    await ctx.jobs.drain();
    assert.equal(thread().length, postedBefore + 1, 'the web reply, and no echo of the Slack message');
    assert.match(textOf(thread().at(-1)!), /\*Ada Helper\*: Thanks, &lt;!channel&gt; looking at the lock now\./);

    // The customer accepts and pays in the sandbox.
    const paying = await replied(await click(customer, element(quoteMessage, 'Accept'), inThread(quoteMessage)));
    const payLink = new URL(element(paying, 'Pay €80.00').url);
    const signedIn = await ctx.app.inject({ method: 'GET', url: `${payLink.pathname}${payLink.search}` });
    assert.equal(signedIn.statusCode, 303);
    const cookie = signedIn.cookies.find((candidate) => candidate.name === 'backline_session')!.value;
    const page = await ctx.app.inject({ method: 'GET', url: String(signedIn.headers.location), cookies: { backline_session: cookie } });
    const action = /<form method="post" action="([^"]+)">/.exec(page.body)![1];
    assert.equal((await ctx.app.inject({ method: 'POST', url: action, cookies: { backline_session: cookie }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })).statusCode, 303);
    const payment = await ctx.db.selectFrom('payments').selectAll().where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual([payment.status, payment.amount], ['held', 8000]);

    // Time, resolution, confirmation, rating: buttons and modals.
    ctx.clock.advance(50 * MINUTE);
    await opened(await click(helper, element(claimed, 'Log time'), inThread(claimed)), 'Log time');
    assert.match(textOf(await replied(await submit(helper, { minutes: '50', note: 'Profiled the workers' }))), /Logged 50 minutes/);
    await opened(await click(helper, element(claimed, 'Resolve'), inThread(claimed)), 'Resolve the ticket');
    assert.match(textOf(await replied(await submit(helper, { summary: 'A lock was never released; fixed.' }))), /Marked resolved/);
    await ctx.jobs.drain();
    const resolved = thread().at(-1)!;
    assert.match(textOf(resolved), /Marked resolved: A lock was never released/);
    const thanks = await replied(await click(customer, element(resolved, 'Confirm'), inThread(resolved)));
    assert.match(textOf(await replied(await click(customer, element(thanks, '★★★★'), inThread(resolved)))), /Thanks for rating/);

    const final = await ctx.db.selectFrom('tickets').select(['status', 'rating_score', 'channel']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual(final, { status: 'closed', rating_score: 4, channel: 'slack' });
    const released = await ctx.db.selectFrom('payments').selectAll().where('id', '=', payment.id).executeTakeFirstOrThrow();
    assert.equal(released.status, 'released');
    assert.equal(released.split_helper! + released.split_commission! + released.split_platform_fee! + released.split_processor_fee!, 8000, 'the split adds up to the amount paid');
    assert.equal(released.split_commission, 800, "the repository's 10%");
    assert.equal(await owed(ctx, { type: 'helper', id: helperUser.id }), released.split_helper);
    assert.equal(await owed(ctx, { type: 'repo', id: repo.id }), released.split_commission);
    assert.deepEqual(await checkInvariants(ctx.db), { ok: true, problems: [] });
    const history = await ctx.db.selectFrom('ticket_events').select('type').where('ticket_id', '=', ticket.id).orderBy('id').execute();
    assert.deepEqual(history.map((event) => event.type), ['created', 'claimed', 'message_added', 'message_added', 'resolved', 'confirmed', 'rated']);
  });
});

describe('integrations/slack-manifest.yml', () => {
  test('names the routes Backline serves and asks for exactly the scopes the install link asks for', async () => {
    const manifest = await readFile(new URL('../../../integrations/slack-manifest.yml', import.meta.url), 'utf8');
    const paths = [...manifest.matchAll(/https:\/\/backline\.example\.com(\/\S+)/g)].map((match) => match[1]);
    assert.deepEqual([...new Set(paths)].sort(), ['/integrations/slack/oauth/callback', '/webhooks/slack/commands', '/webhooks/slack/events', '/webhooks/slack/interactions']);
    for (const path of paths) assert.ok(ctx.app.hasRoute({ method: path.startsWith('/integrations') ? 'GET' : 'POST', url: path }), path);
    const scopes = /bot:\n((?:\s+- .+\n)+)/.exec(manifest)![1].split('\n').map((line) => line.trim().replace(/^- /, '')).filter(Boolean);
    assert.deepEqual(scopes, BOT_SCOPES);
    assert.match(manifest, /command: \/support\n\s+url: https:\/\/backline\.example\.com\/webhooks\/slack\/commands/);
    const openapi = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(openapi.statusCode, 200);
    for (const path of paths) assert.ok(openapi.json().paths[path], `${path} is documented`);
  });
});

describe('uninstalling the Slack app', () => {
  test('app_uninstalled deletes the workspace\'s installation and its token; replies to it are then dropped, not retried forever', async () => {
    await ensureInstalled();
    assert.equal((await sendEvent(eventBody({ type: 'app_uninstalled' }))).status, 200);
    await ctx.jobs.drain();
    assert.equal(await ctx.db.selectFrom('slack_installations').select('team_id').where('team_id', '=', TEAM).executeTakeFirst(), undefined);
    const before = fake.posted.length;
    const direct = eventBody({ type: 'message', channel: 'D0GONE', channel_type: 'im', user: 'U0GONE', text: 'hello', ts: `${now()}.000777` });
    assert.equal((await sendEvent(direct)).status, 200);
    await ctx.jobs.drain();
    const failed = await ctx.db.selectFrom('jobs').select('queue').where('last_error', 'is not', null).execute();
    assert.deepEqual(failed, []);
    assert.equal(fake.posted.length, before, 'nothing posted without a token');
  });
});
