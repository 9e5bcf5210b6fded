import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { MINUTE } from '../../lib/clock.ts';
import { checkInvariants } from '../../modules/ledger/ledger.service.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { codeMailedTo } from '../../../test/helpers/assistant.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { approvedHelper } from '../../../test/helpers/support.ts';
import { discordKeys, FAKE_BOT_TOKEN, signInteraction, startFakeDiscord } from '../../../test/fakes/discord.ts';
import { createDiscordClient } from './client.ts';

const APPLICATION = '1100000000000000001';
const GUILD = '1100000000000000002';
const SUPPORT_CHANNEL = '1100000000000000003';
const GENERAL = '1100000000000000004';

const keys = discordKeys();
let fake: Awaited<ReturnType<typeof startFakeDiscord>>;
let ctx: TestContext;
before(async () => {
  fake = await startFakeDiscord({ channels: { [SUPPORT_CHANNEL]: 0, [GENERAL]: 0 } });
  ctx = await startTestApp({
    env: { DISCORD_PUBLIC_KEY: keys.publicKeyHex, DISCORD_APPLICATION_ID: APPLICATION, DISCORD_BOT_TOKEN: FAKE_BOT_TOKEN, DISCORD_SUPPORT_CHANNEL_ID: SUPPORT_CHANNEL, DISCORD_API_URL: fake.api },
  });
});
after(async () => {
  await ctx.close();
  await fake.close();
});

let sequence = 0;
const snowflake = () => String(1_200_000_000_000_000_000n + BigInt(++sequence));
type Member = { id: string; name: string };

/** An interaction as Discord sends it: ids, the interaction token, the member who acted, the channel. */
function interaction(type: number, data: unknown, member: Member, channelId = GENERAL) {
  const id = snowflake();
  return { id, application_id: APPLICATION, type, token: `token-${id}`, version: 1, guild_id: GUILD, channel_id: channelId, member: { user: { id: member.id, username: member.name, global_name: null }, nick: null }, data };
}

async function send(body: unknown, options: { raw?: string; at?: number; key?: typeof keys.privateKey; headers?: Record<string, string> } = {}) {
  const raw = options.raw ?? JSON.stringify(body);
  const at = options.at ?? Math.floor(ctx.clock.now().getTime() / 1000);
  const headers = options.headers ?? signInteraction(options.key ?? keys.privateKey, raw, at);
  const response = await ctx.app.inject({ method: 'POST', url: '/webhooks/discord', headers, payload: raw });
  return { status: response.statusCode, body: response.json() };
}

const slash = (member: Member, name: string, options: Record<string, string | number> = {}, channelId?: string) =>
  send(interaction(2, { id: snowflake(), name, type: 1, options: Object.entries(options).map(([option, value]) => ({ name: option, type: typeof value === 'number' ? 4 : 3, value })) }, member, channelId));
const click = (member: Member, customId: string, channelId?: string) => send(interaction(3, { custom_id: customId, component_type: 2 }, member, channelId));
const pick = (member: Member, customId: string, value: string) => send(interaction(3, { custom_id: customId, component_type: 3, values: [value] }, member));
const modal = (member: Member, customId: string, fields: Record<string, string>) =>
  send(interaction(5, { custom_id: customId, components: Object.entries(fields).map(([id, value]) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] })) }, member));

/** A deferred answer: the job runs the engine, the follow-up job edits the original response at the fake. */
async function followedUp(response: { status: number; body: any }) {
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.deepEqual(response.body, { type: 5, data: { flags: 64 } }, 'deferred, privately');
  const before = fake.edits.length;
  await ctx.jobs.drain();
  const failed = await ctx.db.selectFrom('jobs').select(['queue', 'last_error']).where('last_error', 'is not', null).execute();
  assert.deepEqual(failed, [], 'no job failed');
  assert.equal(fake.edits.length, before + 1, 'one follow-up through the interaction webhook');
  return fake.edits.at(-1)!.body;
}

const buttonsOf = (message: any): any[] => (message.components ?? []).flatMap((row: any) => row.components);
const button = (message: any, label: string) => {
  const found = buttonsOf(message).find((component) => component.label?.startsWith(label));
  assert.ok(found, `no button "${label}" in ${JSON.stringify(message)}`);
  return found;
};

describe('POST /webhooks/discord: signatures', () => {
  test('a signed PING gets a PONG; forged, tampered, unsigned, stale and malformed requests are refused; a replayed interaction is handled once', async () => {
    assert.deepEqual(await send({ type: 1, id: snowflake(), application_id: APPLICATION }), { status: 200, body: { type: 1 } });
    const other = discordKeys();
    assert.equal((await send({ type: 1 }, { key: other.privateKey })).status, 401, 'signed by another key');
    const signed = signInteraction(keys.privateKey, '{"type":1}', Math.floor(ctx.clock.now().getTime() / 1000));
    assert.equal((await send(null, { raw: '{"type":2}', headers: signed })).status, 401, 'the body changed after signing');
    assert.equal((await send({ type: 1 }, { headers: { 'content-type': 'application/json' } })).status, 401, 'unsigned');
    assert.equal((await send({ type: 1 }, { at: Math.floor(ctx.clock.now().getTime() / 1000) - 10 * 60 })).status, 401, 'signed ten minutes ago');
    const notJson = await send(null, { raw: 'not json' });
    assert.deepEqual([notJson.status, notJson.body.error.code], [400, 'bad_request']);
    assert.equal((await send({ type: 2, id: 'x' })).status, 400, 'signed, but not an interaction');

    const command = interaction(2, { id: snowflake(), name: 'frobnicate', type: 1 }, { id: '1200000000000000999', name: 'mallory' });
    const first = await send(command);
    assert.equal(first.body.type, 4);
    assert.match(first.body.data.content, /do not know the command \/frobnicate/);
    assert.equal(first.body.data.flags, 64, 'privately');
    const again = await send(command);
    assert.deepEqual([again.status, again.body.error.code], [409, 'interaction_replayed']);
  });

  test('autocomplete lists verified repositories matching what was typed, and nothing for unknown names', async () => {
    await createRepo(ctx, { fullName: 'autocomplete/fastwidgets', description: 'Fast widgets' });
    const typed = (value: string) => send(interaction(4, { id: snowflake(), name: 'support', type: 1, options: [{ name: 'repository', type: 3, value, focused: true }] }, { id: '1200000000000000998', name: 'zoe' }));
    const found = await typed('fastwid');
    assert.equal(found.body.type, 8);
    assert.deepEqual(found.body.data.choices, [{ name: 'autocomplete/fastwidgets — Fast widgets', value: 'autocomplete/fastwidgets' }]);
    assert.deepEqual((await typed('zzqqxxnothing')).body.data.choices, []);
  });
});

describe('the Discord REST client', () => {
  test('waits out a 429 with retry_after and retries; the fake saw both requests', async () => {
    const client = createDiscordClient({ token: FAKE_BOT_TOKEN, api: fake.api });
    fake.rateLimit('POST /channels/:id/messages', 1);
    const before = fake.requests.length;
    const sent = await client.postMessage(GENERAL, { content: 'hello' });
    assert.equal(sent.content, 'hello');
    const tries = fake.requests.slice(before).filter((request) => request.path === `/api/v10/channels/${GENERAL}/messages`);
    assert.equal(tries.length, 2, 'the first was answered 429, the second went through');
    assert.equal(tries[1].headers.authorization, `Bot ${FAKE_BOT_TOKEN}`);
  });

  test('with DISCORD_PUBLIC_KEY unset the integration is off: one log line, and the endpoint does not exist', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const off = await startTestApp({ logger });
    try {
      assert.equal((await off.app.inject({ method: 'POST', url: '/webhooks/discord', payload: '{}' })).statusCode, 404);
      assert.equal(lines.filter((line) => line.includes('Discord integration is off')).length, 1);
    } finally {
      await off.close();
    }
  });
});

describe('a conversation on Discord', () => {
  test('from /support to a paid (sandbox), resolved and rated ticket: a thread per ticket, the ledger balanced, the history complete', async () => {
    const repo = await createRepo(ctx, { expert: true });
    await repo.maintainer.api.patch(`/api/v1/repos/${repo.fullName}`, { currency: 'EUR' });
    const helperUser = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
    const customer = { id: '1200000000000000101', name: 'carol' };
    const helper = { id: '1200000000000000102', name: 'ada' };

    // The helper links their Discord account to their Backline account: /link, the email, the code.
    const link = await slash(helper, 'link');
    assert.equal(link.body.type, 9, 'a modal');
    const sentCode = await modal(helper, link.body.data.custom_id, { email: helperUser.email });
    const codeModal = await click(helper, button(sentCode.body.data, 'Enter the code').custom_id);
    const linked = await modal(helper, codeModal.body.data.custom_id, { code: await codeMailedTo(ctx, helperUser.email) });
    assert.match(linked.body.data.content, /is confirmed/);

    // The customer: /support with the repository, the problem in a modal, then an expert and a quote.
    const describe = await slash(customer, 'support', { repository: repo.fullName });
    assert.equal(describe.body.type, 9);
    assert.equal(describe.body.data.title, 'Describe the problem');
    const tracks = await followedUp(await modal(customer, describe.body.data.custom_id, { title: 'Workers stop', body: 'After an hour every worker stops taking jobs.' }));
    const emailModal = await click(customer, button(tracks, 'Get an expert').custom_id);
    const codeSent = await modal(customer, emailModal.body.data.custom_id, { email: 'carol@example.com' });
    const enterCode = await click(customer, button(codeSent.body.data, 'Enter the code').custom_id);
    const offerings = await modal(customer, enterCode.body.data.custom_id, { code: await codeMailedTo(ctx, 'carol@example.com') });
    const select = buttonsOf(offerings.body.data).find((component) => component.type === 3);
    assert.deepEqual(select.options.map((option: any) => option.value), ['quote']);
    const opened = await followedUp(await pick(customer, select.custom_id, 'quote'));
    assert.match(opened.content, /Your ticket is open/);

    // The ticket's thread in the support channel, mentioning the customer, with the Claim button.
    const ticket = await ctx.db.selectFrom('tickets').selectAll().where('repo_id', '=', repo.id).executeTakeFirstOrThrow();
    const [thread] = fake.channelsIn(SUPPORT_CHANNEL);
    assert.equal(thread.name, 'Workers stop');
    const [first] = fake.messagesIn(thread.id);
    assert.match(first.content, new RegExp(`^<@${customer.id}> \\*\\*Workers stop\\*\\*`));
    assert.deepEqual(first.allowed_mentions, { parse: [], users: [customer.id] });

    const claimed = await followedUp(await click(helper, button(first, 'Claim').custom_id, thread.id));
    assert.match(claimed.content, /You claimed "Workers stop"/);
    await ctx.jobs.drain();
    assert.match(fake.messagesIn(thread.id).at(-1).content, /Ada Helper is working on this ticket/);

    // The helper quotes with a command typed in the thread; the customer accepts and pays in the sandbox.
    const quoted = await followedUp(await slash(helper, 'quote', { amount: '80', currency: 'EUR', minutes: 60, description: 'Find the stall and fix it' }, thread.id));
    assert.match(quoted.content, /Quote of €80.00 sent/);
    await ctx.jobs.drain();
    const quoteMessage = fake.messagesIn(thread.id).at(-1);
    const paying = await followedUp(await click(customer, button(quoteMessage, 'Accept').custom_id, thread.id));
    const payLink = new URL(button(paying, 'Pay €80.00').url);
    const signedIn = await ctx.app.inject({ method: 'GET', url: `${payLink.pathname}${payLink.search}` });
    assert.equal(signedIn.statusCode, 303);
    const cookie = signedIn.cookies.find((candidate) => candidate.name === 'backline_session')!.value;
    const page = await ctx.app.inject({ method: 'GET', url: String(signedIn.headers.location), cookies: { backline_session: cookie } });
    const action = /<form method="post" action="([^"]+)">/.exec(page.body)![1];
    assert.equal((await ctx.app.inject({ method: 'POST', url: action, cookies: { backline_session: cookie }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })).statusCode, 303);
    const payment = await ctx.db.selectFrom('payments').selectAll().where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual([payment.status, payment.amount], ['held', 8000]);

    // Time, resolution, confirmation, rating.
    ctx.clock.advance(50 * MINUTE);
    assert.match((await followedUp(await slash(helper, 'log-time', { minutes: 50, note: 'Profiled the workers' }, thread.id))).content, /Logged 50 minutes/);
    assert.match((await followedUp(await slash(helper, 'resolve', { summary: 'A lock was never released; fixed.' }, thread.id))).content, /Marked resolved/);
    await ctx.jobs.drain();
    const resolved = fake.messagesIn(thread.id).at(-1);
    assert.match(resolved.content, /Marked resolved: A lock was never released/);
    const thanks = await followedUp(await click(customer, button(resolved, 'Confirm').custom_id, thread.id));
    const rated = await followedUp(await click(customer, button(thanks, '★★★★').custom_id, thread.id));
    assert.match(rated.content, /Thanks for rating/);

    const final = await ctx.db.selectFrom('tickets').select(['status', 'rating_score', 'channel']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual(final, { status: 'closed', rating_score: 4, channel: 'discord' });
    assert.equal((await ctx.db.selectFrom('payments').select('status').where('id', '=', payment.id).executeTakeFirstOrThrow()).status, 'released');
    assert.deepEqual(await checkInvariants(ctx.db), { ok: true, problems: [] });
    const history = await ctx.db.selectFrom('ticket_events').select('type').where('ticket_id', '=', ticket.id).orderBy('id').execute();
    assert.deepEqual(history.map((event) => event.type), ['created', 'claimed', 'resolved', 'confirmed', 'rated']);
  });
});

describe('scripts/discord-register-commands.ts', () => {
  test('puts every command the engine understands, with the repository autocomplete, to the application', async () => {
    // Asynchronously: the fake Discord answers from this process's event loop.
    const { execFile } = await import('node:child_process');
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['scripts/discord-register-commands.ts'], {
        env: { PATH: process.env.PATH, DISCORD_APPLICATION_ID: APPLICATION, DISCORD_BOT_TOKEN: FAKE_BOT_TOKEN, DISCORD_API_URL: fake.api, LOG_LEVEL: 'silent' },
      }, (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }));
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Registered 7 commands: \/support, \/ticket, \/link, \/claim, \/quote, \/log-time, \/resolve/);
    const [put] = fake.commands.slice(-1);
    assert.deepEqual(put[0].options[0], { type: 3, name: 'repository', description: 'owner/name; start typing to search', required: true, autocomplete: true, max_length: 140 });
  });
});
