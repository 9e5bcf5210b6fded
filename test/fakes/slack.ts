import { createHmac } from 'node:crypto';
import { startFakeServer, type FakeAnswer, type FakeRequest } from './server.ts';

/**
 * Slack's Web API for the methods Backline calls, in its wire format: POST /api/<method> with a
 * form-encoded body (objects such as `blocks` and `view` JSON-encoded in it), `Authorization: Bearer
 * <token>`, HTTP 200 with `{ ok: false, error }` for refusals, and 429 with Retry-After when a method is
 * told to be rate limited. Also the `response_url` endpoints Slack hands out with interactions, and
 * OAuth codes to exchange with oauth.v2.access.
 */
export const FAKE_CLIENT_ID = '1111111111.2222222222';
export const FAKE_CLIENT_SECRET = 'fake-client-secret';
export const FAKE_APP_ID = 'A0FAKEAPP';

type Team = { id: string; name: string; token: string; botUserId: string; supportChannel: string };

export async function startFakeSlack() {
  const teams = new Map<string, Team>();
  const codes = new Map<string, string>();
  const limited = new Map<string, number>();
  const posted: { team: string; channel: string; ts: string; thread_ts?: string; text: string; blocks: any[] }[] = [];
  const ephemeral: { team: string; channel: string; user: string; thread_ts?: string; text: string; blocks: any[] }[] = [];
  const views: { team: string; trigger_id: string; view: any }[] = [];
  const responses: { path: string; body: any }[] = [];
  let clock = 1_700_000_000;
  const ts = () => `${++clock}.000100`;

  const ok = (body: Record<string, unknown>): FakeAnswer => ({ status: 200, body: { ok: true, ...body } });
  const fail = (error: string): FakeAnswer => ({ status: 200, body: { ok: false, error } });

  function read(request: FakeRequest): Record<string, any> {
    if (String(request.headers['content-type']).startsWith('application/json')) return JSON.parse(request.body || '{}');
    const form = Object.fromEntries(new URLSearchParams(request.body));
    for (const key of ['blocks', 'view']) if (typeof form[key] === 'string') (form as any)[key] = JSON.parse(form[key]);
    return form;
  }

  function route(request: FakeRequest): FakeAnswer {
    const path = request.path.split('?')[0];
    if (path.startsWith('/actions/')) {
      responses.push({ path, body: JSON.parse(request.body) });
      return { status: 200, body: 'ok' };
    }
    const method = /^\/api\/([\w.]+)$/.exec(path)?.[1];
    if (!method || request.method !== 'POST') return undefined;
    const remaining = limited.get(method);
    if (remaining) {
      limited.set(method, remaining - 1);
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' } };
    }
    const args = read(request);
    if (method === 'oauth.v2.access') {
      const basic = /^Basic (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
      const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [args.client_id, args.client_secret];
      if (id !== FAKE_CLIENT_ID || secret !== FAKE_CLIENT_SECRET) return fail('invalid_client_id');
      const teamId = codes.get(args.code);
      if (!teamId) return fail('invalid_code');
      codes.delete(args.code);
      const team = teams.get(teamId)!;
      return ok({
        app_id: FAKE_APP_ID, authed_user: { id: 'U0INSTALLER' }, scope: 'commands,chat:write,chat:write.public,channels:history,groups:history,im:history,incoming-webhook',
        token_type: 'bot', access_token: team.token, bot_user_id: team.botUserId, team: { id: team.id, name: team.name }, enterprise: null, is_enterprise_install: false,
        incoming_webhook: { channel: '#support', channel_id: team.supportChannel, configuration_url: `https://${team.id}.slack.test/services/B1`, url: 'https://hooks.slack.test/services/T/B/X' },
      });
    }
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1] ?? args.token;
    const team = [...teams.values()].find((candidate) => candidate.token === token);
    if (!team) return fail(token ? 'invalid_auth' : 'not_authed');
    if (method === 'chat.postMessage') {
      if (!args.channel) return fail('channel_not_found');
      if (!args.text && !args.blocks) return fail('no_text');
      const message = { team: team.id, channel: args.channel, ts: ts(), thread_ts: args.thread_ts, text: args.text ?? '', blocks: args.blocks ?? [] };
      posted.push(message);
      return ok({ channel: args.channel, ts: message.ts, message: { type: 'message', bot_id: 'B0FAKE', text: message.text, ts: message.ts, thread_ts: message.thread_ts, blocks: message.blocks } });
    }
    if (method === 'chat.postEphemeral') {
      if (!args.channel || !args.user) return fail('channel_not_found');
      ephemeral.push({ team: team.id, channel: args.channel, user: args.user, thread_ts: args.thread_ts, text: args.text ?? '', blocks: args.blocks ?? [] });
      return ok({ message_ts: ts() });
    }
    if (method === 'views.open') {
      if (!args.trigger_id) return fail('invalid_trigger_id');
      if (!args.view?.type) return fail('invalid_arguments');
      views.push({ team: team.id, trigger_id: args.trigger_id, view: args.view });
      return ok({ view: { id: `V${views.length.toString().padStart(8, '0')}`, team_id: team.id, ...args.view, state: { values: {} }, hash: 'h' } });
    }
    return fail('unknown_method');
  }

  const server = await startFakeServer(route);
  return {
    ...server,
    /** SLACK_API_URL. */
    api: `${server.url}/api/`,
    posted,
    ephemeral,
    views,
    responses,
    /** A workspace that will install the app; its bot token is what oauth.v2.access hands out. */
    addTeam(id: string, name: string, supportChannel: string): Team {
      const team = { id, name, token: `xoxb-${id}-fake-bot-token`, botUserId: `U0BOT${id}`, supportChannel };
      teams.set(id, team);
      return team;
    },
    /** What Slack appends to the redirect URI after the consent screen. */
    issueCode(teamId: string): string {
      const code = `code-${teamId}-${codes.size + 1}-${Math.random().toString(36).slice(2)}`;
      codes.set(code, teamId);
      return code;
    },
    /** A response_url as Slack hands out with an interaction, here on the fake. */
    responseUrl: (teamId: string) => `${server.url}/actions/${teamId}/${clock}/${Math.random().toString(36).slice(2)}`,
    messagesIn: (channel: string, threadTs?: string) => posted.filter((post) => post.channel === channel && (threadTs === undefined || post.thread_ts === threadTs)),
    /** The next `times` calls of `method` are answered 429 with Retry-After. */
    rateLimit(method: string, times = 1) {
      limited.set(method, times);
    },
  };
}

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;

/** Headers Slack sends: the v0 HMAC-SHA256 signature of `v0:{timestamp}:{body}` with the signing secret. */
export function signSlackRequest(secret: string, body: string, timestamp: number, contentType = 'application/x-www-form-urlencoded') {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp), 'content-type': contentType };
}
