import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { startFakeServer, type FakeAnswer, type FakeRequest } from './server.ts';

/**
 * Discord's REST API for the calls Backline makes, in its wire format (API v10 under /api/v10): channels,
 * threads, messages, DMs, interaction webhooks and command registration. Bot routes want
 * `Authorization: Bot <token>`; interaction webhooks authenticate by the token in their path. A route can
 * be told to answer 429 first, with Discord's rate-limit headers and `retry_after`, as Discord does.
 */
export const FAKE_BOT_TOKEN = 'test-bot-token';

type Posted = { channelId: string; body: any };

export async function startFakeDiscord(options: { channels?: Record<string, 0 | 15> } = {}) {
  let next = 1_300_000_000_000_000_000n;
  const snowflake = () => String(++next);
  const channels = new Map<string, { type: number; parent_id?: string; name?: string }>(Object.entries(options.channels ?? {}).map(([id, type]) => [id, { type }]));
  const posted: Posted[] = [];
  const edits: { applicationId: string; token: string; body: any }[] = [];
  const commands: any[][] = [];
  const limited = new Map<string, number>();

  const message = (channelId: string, body: any) => ({ id: snowflake(), channel_id: channelId, type: 0, content: body.content ?? '', components: body.components ?? [], embeds: [], attachments: [], timestamp: new Date().toISOString(), author: { id: '1', username: 'backline', bot: true } });
  const unauthorized: FakeAnswer = { status: 401, body: { message: '401: Unauthorized', code: 0 } };

  function route(request: FakeRequest): FakeAnswer {
    const path = decodeURIComponent(request.path.split('?')[0]).replace(/^\/api\/v10/, '');
    const body = request.body ? JSON.parse(request.body) : {};
    const key = `${request.method} ${path.replace(/\d{5,}/g, ':id')}`;
    const remaining = limited.get(key);
    if (remaining) {
      limited.set(key, remaining - 1);
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: 0.01, global: false },
        headers: { 'retry-after': '1', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '0.010', 'x-ratelimit-bucket': 'fake-bucket', 'x-ratelimit-scope': 'user' },
      };
    }
    const webhook = /^\/webhooks\/(\d+)\/([^/]+)(\/messages\/@original)?$/.exec(path);
    if (webhook) {
      const [, applicationId, token, original] = webhook;
      if (request.method === 'PATCH' && original) {
        edits.push({ applicationId, token, body });
        return { status: 200, body: message('0', body) };
      }
      if (request.method === 'POST' && !original) {
        edits.push({ applicationId, token, body });
        return { status: 200, body: message('0', body) };
      }
      return undefined;
    }
    if (request.headers.authorization !== `Bot ${FAKE_BOT_TOKEN}`) return unauthorized;
    let match: RegExpExecArray | null;
    if ((match = /^\/channels\/(\d+)$/.exec(path)) && request.method === 'GET') {
      const channel = channels.get(match[1]);
      return channel ? { status: 200, body: { id: match[1], ...channel } } : { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
    }
    if ((match = /^\/channels\/(\d+)\/threads$/.exec(path)) && request.method === 'POST') {
      const parent = channels.get(match[1]);
      if (!parent) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
      if (parent.type === 15 && !body.message) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
      const id = snowflake();
      channels.set(id, { type: 11, parent_id: match[1], name: body.name });
      if (body.message) posted.push({ channelId: id, body: body.message });
      return { status: 201, body: { id, type: 11, parent_id: match[1], name: body.name } };
    }
    if ((match = /^\/channels\/(\d+)\/messages$/.exec(path)) && request.method === 'POST') {
      if (!channels.has(match[1])) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
      posted.push({ channelId: match[1], body });
      return { status: 200, body: message(match[1], body) };
    }
    if (path === '/users/@me/channels' && request.method === 'POST') {
      const id = snowflake();
      channels.set(id, { type: 1 });
      return { status: 200, body: { id, type: 1, recipients: [{ id: body.recipient_id }] } };
    }
    if ((match = /^\/applications\/(\d+)\/commands$/.exec(path)) && request.method === 'PUT') {
      commands.push(body);
      return { status: 200, body: (body as any[]).map((command) => ({ id: snowflake(), application_id: match![1], version: '1', ...command })) };
    }
    return undefined;
  }

  const server = await startFakeServer(route);
  return {
    ...server,
    /** The base URL the REST client's `api` option takes. */
    api: `${server.url}/api`,
    posted,
    edits,
    commands,
    channelsIn: (parentId: string) => [...channels.entries()].filter(([, channel]) => channel.parent_id === parentId).map(([id, channel]) => ({ id, ...channel })),
    messagesIn: (channelId: string) => posted.filter((post) => post.channelId === channelId).map((post) => post.body),
    /** The next `times` requests matching "METHOD /path" (ids as :id) are answered 429. */
    rateLimit(key: string, times = 1) {
      limited.set(key, times);
    },
  };
}

/** An Ed25519 key pair like a Discord application's: the public key as the 64 hex characters the portal shows. */
export function discordKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { publicKeyHex: raw.toString('hex'), privateKey };
}

/** Headers Discord sends: the Ed25519 signature of timestamp + body, in hex. */
export function signInteraction(privateKey: KeyObject, body: string, timestamp: number) {
  const signature = sign(null, Buffer.concat([Buffer.from(String(timestamp)), Buffer.from(body)]), privateKey).toString('hex');
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': String(timestamp), 'content-type': 'application/json' };
}
