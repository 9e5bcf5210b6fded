import { createHmac, randomBytes } from 'node:crypto';
import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError, badRequest } from '../../errors.ts';
import { decryptSecret, encryptSecret, parseEncryptionKey } from '../../lib/encryption.ts';
import { safeEqual } from '../../lib/secrets.ts';
import { createSlackClient, slackErrorCode, type SlackClient } from './client.ts';

/** What the app asks each workspace for (mirrored in integrations/slack-manifest.yml). */
export const BOT_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'channels:history', 'groups:history', 'im:history', 'incoming-webhook'];
/** The browser that starts an install must be the one that finishes it (the state is also in its cookie). */
export const STATE_COOKIE = 'backline_slack_oauth';
const STATE_TTL_SECONDS = 600;
export const AUTHORIZE_URL = 'https://slack.com/oauth/v2/authorize';

export const callbackPath = '/integrations/slack/oauth/callback';

/**
 * Installing the app in a workspace by OAuth v2 and the workspace's bot token: the install link carries
 * a signed, expiring state bound to the installer's browser by a cookie; the callback exchanges the code
 * with oauth.v2.access and stores the token encrypted (AES-256-GCM, the team id as associated data).
 */
export function slackInstallations(deps: Deps) {
  const { db, clock, config, logger } = deps;
  const key = parseEncryptionKey(config.TOKEN_ENCRYPTION_KEY!);
  const redirectUri = `${publicUrl(config)}${callbackPath}`;
  const clients = new Map<string, { token: string; client: SlackClient }>();

  const sign = (payload: string) => createHmac('sha256', key).update(`slack-oauth-state:${payload}`).digest('base64url');

  function newState(): { state: string; nonce: string } {
    const nonce = randomBytes(16).toString('base64url');
    const payload = `${nonce}.${Math.floor(clock.now().getTime() / 1000) + STATE_TTL_SECONDS}`;
    return { state: `${payload}.${sign(payload)}`, nonce };
  }

  function checkState(state: unknown, cookieNonce: string | undefined): void {
    const [nonce, expires, signature, ...rest] = typeof state === 'string' ? state.split('.') : [];
    const valid = !rest.length && nonce && expires && signature && safeEqual(sign(`${nonce}.${expires}`), signature);
    if (!valid) throw badRequest('This installation link is not one Backline made; start again from the install page.');
    if (Number(expires) < clock.now().getTime() / 1000) throw badRequest('This installation took longer than 10 minutes; start again from the install page.');
    if (!cookieNonce || !safeEqual(cookieNonce, nonce)) throw badRequest('This installation was started in another browser; start again from the install page in this one.');
  }

  return {
    /** Where /integrations/slack/install sends the browser, and the nonce to keep in its cookie. */
    authorizeUrl(): { url: string; nonce: string } {
      const { state, nonce } = newState();
      const params = new URLSearchParams({ client_id: config.SLACK_CLIENT_ID!, scope: BOT_SCOPES.join(','), redirect_uri: redirectUri, state });
      return { url: `${AUTHORIZE_URL}?${params}`, nonce };
    },

    /** The OAuth callback: checks the state, exchanges the code, stores the workspace's encrypted token. */
    async complete(query: { code?: string; state?: string; error?: string }, cookieNonce: string | undefined): Promise<{ teamId: string; teamName: string }> {
      if (query.error) throw badRequest(`Slack did not install the app: ${query.error.slice(0, 100)}. Start again from the install page when you are ready.`);
      checkState(query.state, cookieNonce);
      if (!query.code) throw badRequest('Slack sent no authorization code; start again from the install page.');
      const client = createSlackClient({ apiUrl: config.SLACK_API_URL, logger });
      const granted = await client
        .oauthAccess({ client_id: config.SLACK_CLIENT_ID!, client_secret: config.SLACK_CLIENT_SECRET!, code: query.code, redirect_uri: redirectUri })
        .catch((error: unknown) => {
          const code = slackErrorCode(error);
          if (code) throw new AppError(400, 'slack_oauth_failed', `Slack refused the installation (${code}); start again from the install page.`);
          throw error;
        });
      const teamId = granted.team?.id;
      if (!teamId || !granted.access_token || granted.token_type !== 'bot' || !granted.bot_user_id || !granted.app_id) {
        throw new AppError(502, 'slack_oauth_failed', 'Slack answered the installation without a bot token; try again.');
      }
      const now = clock.now();
      const row = {
        team_name: (granted.team?.name ?? '').slice(0, 200),
        enterprise_id: granted.enterprise?.id ?? null,
        app_id: granted.app_id,
        bot_user_id: granted.bot_user_id,
        bot_token_encrypted: encryptSecret(key, granted.access_token, teamId),
        scopes: granted.scope ?? '',
        support_channel_id: granted.incoming_webhook?.channel_id ?? null,
        installed_by: granted.authed_user?.id ?? '',
        updated_at: now,
      };
      await db
        .insertInto('slack_installations')
        .values({ team_id: teamId, installed_at: now, ...row })
        .onConflict((oc) => oc.column('team_id').doUpdateSet(row))
        .execute();
      clients.delete(teamId);
      return { teamId, teamName: row.team_name };
    },

    /** The workspace's installation, or undefined when it never installed the app. */
    find: (teamId: string) => db.selectFrom('slack_installations').selectAll().where('team_id', '=', teamId).executeTakeFirst(),

    /** A Web API client with the workspace's own bot token; null when the workspace has not installed the app. */
    async clientFor(teamId: string, options: { retries?: number; timeoutMs?: number } = {}): Promise<SlackClient | null> {
      const installation = await db.selectFrom('slack_installations').select('bot_token_encrypted').where('team_id', '=', teamId).executeTakeFirst();
      if (!installation) return null;
      const token = decryptSecret(key, installation.bot_token_encrypted, teamId);
      if (options.retries !== undefined || options.timeoutMs !== undefined) return createSlackClient({ token, apiUrl: config.SLACK_API_URL, logger, ...options });
      const cached = clients.get(teamId);
      if (cached?.token === token) return cached.client;
      const client = createSlackClient({ token, apiUrl: config.SLACK_API_URL, logger });
      clients.set(teamId, { token, client });
      return client;
    },
  };
}

export type SlackInstallations = ReturnType<typeof slackInstallations>;
