import { createHmac, randomBytes } from 'node:crypto';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { DAY } from '../../lib/clock.ts';
import { UUID_PATTERN } from '../../lib/ids.ts';
import { safeEqual } from '../../lib/secrets.ts';

/**
 * Conversation tokens of the web chat: `wct1.<payload>.<signature>`, the payload base64url JSON
 * `{ c: conversation id, v: visitor id, e: expiry in seconds }`, signed with HMAC-SHA256. A visitor has
 * no account; the token is what makes a browser the owner of its conversation. The payload is readable
 * on purpose (the widget takes the conversation id from it); only the signature makes it trusted.
 */
export type ChatClaims = { conversationId: string; visitorId: string; expiresAt: Date };

const PREFIX = 'wct1';
const SECRET_NAME = 'web_chat_token_key';

const invalid = () => new AppError(401, 'chat_token_invalid', 'This conversation token is not valid. Start a new conversation.');

export function chatTokens(deps: Deps) {
  const { config, db, clock } = deps;
  let key: Promise<Buffer> | undefined;

  /** CHAT_TOKEN_SECRET, or a random key made once and kept in the database, so tokens survive restarts. */
  async function loadKey(): Promise<Buffer> {
    if (config.CHAT_TOKEN_SECRET) return Buffer.from(config.CHAT_TOKEN_SECRET, 'utf8');
    await db
      .insertInto('platform_secrets')
      .values({ name: SECRET_NAME, value: randomBytes(32).toString('base64url'), created_at: clock.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await db.selectFrom('platform_secrets').select('value').where('name', '=', SECRET_NAME).executeTakeFirstOrThrow();
    return Buffer.from(row.value, 'base64url');
  }

  async function sign(payload: string): Promise<string> {
    key ??= loadKey().catch((error) => {
      key = undefined;
      throw error;
    });
    return createHmac('sha256', await key).update(`${PREFIX}.${payload}`).digest('base64url');
  }

  return {
    async issue(conversationId: string, visitorId: string): Promise<{ token: string; expiresAt: Date }> {
      const expiresAt = new Date(clock.now().getTime() + config.CHAT_TOKEN_TTL_DAYS * DAY);
      const payload = Buffer.from(JSON.stringify({ c: conversationId, v: visitorId, e: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
      return { token: `${PREFIX}.${payload}.${await sign(payload)}`, expiresAt };
    },

    /** The token's claims; a 401 when it is malformed, forged or expired. */
    async verify(token: string | undefined): Promise<ChatClaims> {
      if (!token) throw new AppError(401, 'chat_token_missing', 'Send the conversation token in the X-Chat-Token header (or the token query parameter).');
      const [prefix, payload, signature, ...rest] = token.split('.');
      if (prefix !== PREFIX || !payload || !signature || rest.length || token.length > 500) throw invalid();
      if (!safeEqual(signature, await sign(payload))) throw invalid();
      let claims: { c?: unknown; v?: unknown; e?: unknown };
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      if (typeof claims.c !== 'string' || typeof claims.v !== 'string' || typeof claims.e !== 'number' || !UUID_PATTERN.test(claims.c) || !UUID_PATTERN.test(claims.v)) throw invalid();
      const expiresAt = new Date(claims.e * 1000);
      if (expiresAt.getTime() <= clock.now().getTime()) throw new AppError(401, 'chat_token_expired', 'This conversation token has expired. Start a new conversation, or use the link we emailed you.');
      return { conversationId: claims.c, visitorId: claims.v, expiresAt };
    },
  };
}

export type ChatTokens = ReturnType<typeof chatTokens>;
