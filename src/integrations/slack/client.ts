import { LogLevel, WebClient, type Block, type KnownBlock, type Logger as SlackLogger, type View } from '@slack/web-api';
import type { Logger } from 'pino';

/**
 * Slack's Web API through @slack/web-api, the only file that imports it. The SDK waits out a 429's
 * Retry-After and retries, turns `ok: false` answers into errors carrying Slack's error code, and takes
 * `slackApiUrl`, which tests point at a local fake. One client per bot token: each workspace has its own.
 */
export type { Block, KnownBlock, View };
export type SlackBlocks = (Block | KnownBlock)[];

/** What Slack's methods answer with `ok: false`, as the SDK reports it: the `error` code, such as `not_in_channel`. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { ok?: boolean; error?: unknown } } | null)?.data;
  return data && data.ok === false && typeof data.error === 'string' ? data.error : undefined;
}

export type SlackClientOptions = {
  /** A workspace's bot token (xoxb-…); oauth.v2.access needs none. */
  token?: string;
  /** Base URL of the Web API: Slack's by default, a local fake in tests. */
  apiUrl: string;
  logger: Logger;
  /** Calls inside a request (views.open must happen within Slack's 3 seconds) do not retry. */
  retries?: number;
  timeoutMs?: number;
};

/** The SDK's logger interface on top of ours, so its rate-limit notices land in the structured log. */
function sdkLogger(logger: Logger): SlackLogger {
  const log = logger.child({ integration: 'slack' });
  let level = LogLevel.INFO;
  return {
    debug: () => {},
    info: (...msg) => log.info(msg.join(' ')),
    warn: (...msg) => log.warn(msg.join(' ')),
    error: (...msg) => log.error(msg.join(' ')),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    setName: () => {},
  };
}

export function createSlackClient(options: SlackClientOptions) {
  const retries = options.retries ?? 3;
  const web = new WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    logger: sdkLogger(options.logger),
    timeout: options.timeoutMs ?? 10_000,
    retryConfig: { retries, factor: 2, minTimeout: 200, maxTimeout: 5_000, randomize: true },
    // Only Slack's own API: a method name is never taken as a URL.
    allowAbsoluteUrls: false,
  });

  return {
    postMessage: (args: { channel: string; text: string; blocks?: SlackBlocks; thread_ts?: string }) =>
      web.chat.postMessage({ ...args, unfurl_links: false, unfurl_media: false }),

    /** A message only `user` sees, in a channel (or a thread of it) the bot is in. */
    postEphemeral: (args: { channel: string; user: string; text: string; blocks?: SlackBlocks; thread_ts?: string }) => web.chat.postEphemeral(args),

    /** Opens a modal; the trigger id works once, for 3 seconds after the interaction that carried it. */
    openView: (triggerId: string, view: View) => web.views.open({ trigger_id: triggerId, view }),

    /** Exchanges an OAuth code for the workspace's bot token. */
    oauthAccess: (args: { client_id: string; client_secret: string; code: string; redirect_uri: string }) => web.oauth.v2.access(args),
  };
}

export type SlackClient = ReturnType<typeof createSlackClient>;

/**
 * A reply through an interaction's `response_url` (valid 30 minutes, 5 times). It takes JSON at a URL
 * Slack handed us, which the Web API client does not post to; this is the one outbound call made
 * without the SDK, as Slack's own Bolt framework does. Slack answers `ok` or an error text.
 */
export async function respondToSlack(responseUrl: string, body: { text: string; blocks?: SlackBlocks; response_type?: 'ephemeral' | 'in_channel'; replace_original?: boolean }, timeoutMs = 10_000): Promise<void> {
  const response = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`Slack refused the response_url reply: ${response.status} ${(await response.text()).slice(0, 200)}`);
}
