/**
 * Chat acknowledgement benchmark: signed Discord interactions (a button press the engine defers: stored
 * once, a job enqueued, "thinking…" answered) and signed Slack events (a direct message: stored once by
 * its event id, a job enqueued, an empty 200) sent at a fixed rate, each timed from when it was due. Next
 * to each, a bare Fastify route that only verifies the same signature with the same function, in the
 * same run at the same rate. Discord and Slack want an answer within 3 seconds; the target is p99 < 50 ms.
 *
 * The loads run in `--rounds` rounds, each round the bare route then the app for Discord, then for Slack,
 * so that the app and its baseline meet the same moments of the machine; each percentile is over all the
 * rounds' requests together, and each round's own p99 is printed too. This machine is a virtual one whose
 * host takes CPU away at times (steal): the share taken during each side's loads is printed with them.
 *
 *   node bench/interactions.ts [--seconds 10] [--rounds 3] [--rate 200] [--concurrency 64] [--quick]
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import Fastify from 'fastify';
import { discordPublicKey, verifyDiscordRequest } from '../src/integrations/discord/verify.ts';
import { verifySlackRequest } from '../src/integrations/slack/verify.ts';
import { newId } from '../src/lib/ids.ts';
import { ticketAction } from '../src/modules/assistant/assistant.actions.ts';
import type { CpuUse } from './lib/cpu.ts';
import { poolLoads, runLoad, type LoadResult, type RequestSpec } from './lib/load.ts';
import { printFigures, round, saveFigures, type Figure } from './lib/report.ts';
import { benchArgs, openBenchDatabase, startBenchApp } from './lib/setup.ts';

const { sizes, quick } = benchArgs({ seconds: 10, rounds: 3, rate: 200, concurrency: 64 });
const seconds = quick ? 1 : sizes.seconds;
const rate = quick ? 50 : sizes.rate;
const TARGET_MS = 50;
const SLACK_SECRET = 'bench-signing-secret';
const APPLICATION = '1100000000000000001';
/** Nothing is sent to Slack or Discord while acknowledging; jobs are left queued. */
const NOWHERE = 'http://127.0.0.1:9/api/';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
const nowSeconds = () => String(Math.floor(Date.now() / 1000));
let sequence = 0;

/** A button press on a ticket's Claim, signed as Discord signs it; every one a new interaction. */
function discordRequest(path: string): RequestSpec {
  const id = String(1_200_000_000_000_000_000n + BigInt(++sequence));
  const body = JSON.stringify({
    id, application_id: APPLICATION, type: 3, token: `token-${id}`, version: 1, guild_id: '1100000000000000002', channel_id: '1100000000000000004',
    member: { user: { id: String(1_300_000_000_000_000_000n + BigInt(sequence % 500)), username: 'bench', global_name: null }, nick: null },
    data: { custom_id: ticketAction(newId(), 'claim'), component_type: 2 },
  });
  const timestamp = nowSeconds();
  const signature = sign(null, Buffer.from(timestamp + body), privateKey).toString('hex');
  return { method: 'POST', path, body: JSON.parse(body), headers: { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp } };
}

/** A direct message to the app, as the Events API posts it, signed with the v0 signature; every one a new event. */
function slackRequest(path: string): RequestSpec {
  const n = ++sequence;
  const ts = `${nowSeconds()}.${String(n).padStart(6, '0')}`;
  const body = { token: 'x', team_id: 'T0BENCH', api_app_id: 'A0BENCH', type: 'event_callback', event_id: `Ev${n}`, event_time: Number(nowSeconds()), event: { type: 'message', channel: 'D0BENCH', channel_type: 'im', user: `U${n % 500}`, text: 'acme/widget', ts, event_ts: ts } };
  const timestamp = nowSeconds();
  const signature = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${timestamp}:${JSON.stringify(body)}`).digest('hex')}`;
  return { method: 'POST', path, body, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp } };
}

/** The baseline: the same verification functions on a bare Fastify route, and nothing else. */
async function startVerifyBaseline() {
  const key = discordPublicKey(publicKeyHex);
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/discord', async (request) => {
    verifyDiscordRequest(key, request.body as Buffer, request.headers, new Date());
    return { type: 5, data: { flags: 64 } };
  });
  app.post('/slack', async (request, reply) => {
    verifySlackRequest(SLACK_SECRET, request.body as Buffer, request.headers, new Date());
    return reply.code(200).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

const handle = await openBenchDatabase('interactions');
const engine = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const server = await startBenchApp(handle, {
  DISCORD_PUBLIC_KEY: publicKeyHex, DISCORD_APPLICATION_ID: APPLICATION, DISCORD_API_URL: NOWHERE,
  SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'bench', TOKEN_ENCRYPTION_KEY: 'b'.repeat(64), SLACK_API_URL: NOWHERE,
});
const baseline = await startVerifyBaseline();
/** A load at the fixed rate, with the CPU it cost the server and PostgreSQL per request. */
const load = async (baseUrl: string, make: (path: string) => RequestSpec, path: string, durationSeconds = seconds): Promise<LoadResult & { cpu: CpuUse }> => {
  const result = await runLoad({ baseUrl, concurrency: sizes.concurrency, durationMs: durationSeconds * 1000, ratePerSecond: rate, distinct: Math.ceil(rate * durationSeconds) + 1, next: () => make(path), cpu: handle });
  return { ...result, cpu: result.cpu! };
};

try {
  // Warm both servers (JIT, connections, prepared statements) before anything is measured.
  await load(server.baseUrl, discordRequest, '/webhooks/discord', 1);
  await load(server.baseUrl, slackRequest, '/webhooks/slack/events', 1);
  await load(baseline.baseUrl, discordRequest, '/discord', 1);

  const kinds = {
    discordBaseline: [baseline.baseUrl, discordRequest, '/discord'],
    discord: [server.baseUrl, discordRequest, '/webhooks/discord'],
    slackBaseline: [baseline.baseUrl, slackRequest, '/slack'],
    slack: [server.baseUrl, slackRequest, '/webhooks/slack/events'],
  } as const;
  type Kind = keyof typeof kinds;
  const rounds: Record<Kind, Array<LoadResult & { cpu: CpuUse }>> = { discordBaseline: [], discord: [], slackBaseline: [], slack: [] };
  for (let round = 0; round < sizes.rounds; round++) {
    for (const [kind, [url, make, path]] of Object.entries(kinds) as Array<[Kind, (typeof kinds)[Kind]]>) rounds[kind].push(await load(url, make, path));
  }
  const results = Object.fromEntries(Object.entries(rounds).map(([kind, loads]) => [kind, poolLoads(loads) as LoadResult & { cpu: CpuUse }])) as Record<Kind, LoadResult & { cpu: CpuUse }>;
  for (const [name, result] of Object.entries(results)) {
    if (result.errors) throw new Error(`${name}: ${result.errors} of ${result.requests} requests failed`);
  }
  const perRound = (kind: Kind) => rounds[kind].map((result) => `${round(result.p99)} ms (${round(result.cpu.stolenPercent ?? Number.NaN)}% stolen)`).join(', ');
  console.log(`p99 of each round:`);
  for (const kind of Object.keys(kinds) as Kind[]) console.log(`  ${kind}: ${perRound(kind)}`);

  const figure = (name: string, value: number, baselineName: string, baselineValue: number, target?: boolean): Figure => ({
    name, value, unit: 'ms', better: 'lower', baseline: { name: baselineName, value: baselineValue },
    ...(target ? { target: { text: `p99 < ${TARGET_MS} ms`, met: value < TARGET_MS } } : {}),
  });
  const figures: Figure[] = [
    figure(`Discord interaction acknowledged, p99 at ${rate}/s over ${sizes.rounds} rounds`, results.discord.p99, 'bare Ed25519 verify route p99', results.discordBaseline.p99, true),
    figure('Discord interaction acknowledged, p50', results.discord.p50, 'bare Ed25519 verify route p50', results.discordBaseline.p50),
    figure(`Slack event acknowledged, p99 at ${rate}/s over ${sizes.rounds} rounds`, results.slack.p99, 'bare v0 HMAC verify route p99', results.slackBaseline.p99, true),
    figure('Slack event acknowledged, p50', results.slack.p50, 'bare v0 HMAC verify route p50', results.slackBaseline.p50),
  ];
  const cpuFigure = (name: string, app: CpuUse, bare: CpuUse): Figure[] => [
    { name: `${name}, server CPU per request`, value: app.serverMs, unit: 'ms', better: 'lower', baseline: { name: 'bare verify route', value: bare.serverMs } },
    ...(app.postgresMs === undefined ? [] : [{ name: `${name}, PostgreSQL CPU per request`, value: app.postgresMs, unit: 'ms', better: 'lower' as const }]),
    ...(app.stolenPercent === undefined || bare.stolenPercent === undefined
      ? []
      : [{ name: `${name}, machine CPU taken by the host (steal)`, value: app.stolenPercent, unit: '%', better: 'lower' as const, baseline: { name: 'during the bare route', value: bare.stolenPercent } }]),
  ];
  figures.push(...cpuFigure('Discord', results.discord.cpu, results.discordBaseline.cpu), ...cpuFigure('Slack', results.slack.cpu, results.slackBaseline.cpu));
  printFigures(`Chat acknowledgements: ${Math.round(results.discord.perSecond)} and ${Math.round(results.slack.perSecond)} req/s, ${sizes.rounds} rounds of ${seconds} s`, engine, figures);
  saveFigures('interactions', engine, figures);
} finally {
  await baseline.app.close();
  await server.app.close();
  await handle.close();
}
