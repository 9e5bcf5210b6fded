import { z } from 'zod';
import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError, badRequest, notFound, tooManyRequests } from '../../errors.ts';
import { CACHE_KEYS } from '../../db/notify.ts';
import { HOUR, MINUTE } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { notifiedCache } from '../../lib/notified-cache.ts';
import { hashSecret, newSecret } from '../../lib/secrets.ts';
import { queueEmail } from '../mail/mail.service.ts';
import { findOrCreateUser } from '../users/users.repository.ts';
import { anonymous, requireUser, type Actor } from './actor.ts';
import * as repo from './auth.repository.ts';

export const SESSION_COOKIE = 'backline_session';
/** How long a rotated-out session cookie still works (requests already in flight). */
export const ROTATION_GRACE_MS = MINUTE;

export type SessionResolution = { actor: Actor; replacement?: { token: string; expiresAt: Date } };

/** How many API tokens a process keeps resolved, and for how long at most when nothing says they changed. */
const TOKEN_CACHE = { capacity: 10_000, maxAgeMs: MINUTE };

export function createAuthService(deps: Deps) {
  const { db, clock, config, notifications } = deps;
  const tokens = notifiedCache<NonNullable<Awaited<ReturnType<typeof repo.findActiveApiToken>>>>(notifications, CACHE_KEYS.apiTokens, { ...TOKEN_CACHE, clock });

  async function createSession(userId: string): Promise<{ token: string; expiresAt: Date }> {
    const now = clock.now();
    const token = newSecret('bls');
    const expiresAt = new Date(now.getTime() + config.SESSION_TTL_HOURS * HOUR);
    await db
      .insertInto('sessions')
      .values({ id: newId(now.getTime()), user_id: userId, token_hash: hashSecret(token), expires_at: expiresAt, rotated_at: null, revoked_at: null, created_at: now })
      .execute();
    return { token, expiresAt };
  }

  return {
    createSession,

    /** Always answers the same way whether or not the email has an account, so accounts cannot be probed. */
    async requestMagicLink(email: string, redirectTo: string | undefined): Promise<void> {
      const now = clock.now();
      if (redirectTo !== undefined && !isLocalPath(redirectTo)) {
        throw badRequest('redirectTo must be a path on this site, starting with a single /.', [{ path: 'body.redirectTo', message: 'must be a path on this site' }]);
      }
      const token = newSecret('blm');
      const link = `${publicUrl(config)}/auth/magic?token=${token}`;
      await db.transaction().execute(async (trx) => {
        // Counted under a lock on the address, so that concurrent requests cannot all pass the limit.
        await repo.lockMagicLinksOf(trx, email);
        const recent = await repo.countRecentMagicLinks(trx, email, new Date(now.getTime() - HOUR));
        if (recent >= config.SIGNIN_RATE_LIMIT_PER_HOUR) throw tooManyRequests(3600);
        await trx
          .insertInto('magic_links')
          .values({
            id: newId(now.getTime()),
            email,
            token_hash: hashSecret(token),
            redirect_to: redirectTo ?? null,
            expires_at: new Date(now.getTime() + config.MAGIC_LINK_TTL_MINUTES * MINUTE),
            used_at: null,
            created_at: now,
          })
          .execute();
        await queueEmail(trx, clock, {
          to: email,
          subject: 'Your Backline sign-in link',
          text: `Sign in to Backline:\n\n${link}\n\nThe link works once, for ${config.MAGIC_LINK_TTL_MINUTES} minutes. If you did not ask for it, ignore this email.`,
        });
      });
    },

    /**
     * A sign-in link handed to a person directly instead of by email: the assistant gives it to a chat user
     * whose email is verified, so that a payment page on this site opens signed in as them.
     */
    async signInLink(email: string, redirectTo: string): Promise<string> {
      if (!isLocalPath(redirectTo)) throw new Error(`signInLink: ${redirectTo} is not a path on this site`);
      const now = clock.now();
      const token = newSecret('blm');
      await db
        .insertInto('magic_links')
        .values({
          id: newId(now.getTime()),
          email,
          token_hash: hashSecret(token),
          redirect_to: redirectTo,
          expires_at: new Date(now.getTime() + config.MAGIC_LINK_TTL_MINUTES * MINUTE),
          used_at: null,
          created_at: now,
        })
        .execute();
      return `${publicUrl(config)}/auth/magic?token=${token}`;
    },

    /** Turns a sign-in link into a session; the account is created on first sign-in. */
    async consumeMagicLink(token: string) {
      const now = clock.now();
      const link = await repo.consumeMagicLink(db, hashSecret(token), now);
      if (!link) throw new AppError(400, 'link_invalid', 'This sign-in link is unknown, used or expired; ask for a new one.');
      const user = await findOrCreateUser(db, now, { email: link.email });
      const session = await createSession(user.id);
      return { user, session, redirectTo: link.redirect_to && isLocalPath(link.redirect_to) ? link.redirect_to : '/' };
    },

    /**
     * Resolves a session cookie. A session older than SESSION_ROTATE_HOURS is swapped for a new one
     * (the old one is revoked), so a stolen cookie stops working soon after its owner's next visit.
     * The old cookie keeps working for ROTATION_GRACE_MS: a page sends several requests at once, and
     * those already on their way with the old cookie must not answer 401 and clear the new one.
     */
    async resolveSession(token: string): Promise<SessionResolution> {
      const now = clock.now();
      const session = await repo.findActiveSession(db, hashSecret(token), now);
      if (!session) return { actor: anonymous };
      const actor: Actor = { kind: 'user', userId: session.user_id, email: session.email, isOperator: session.is_operator, via: 'session' };
      if (now.getTime() - session.created_at.getTime() < config.SESSION_ROTATE_HOURS * HOUR) return { actor };
      const revoked = await db
        .updateTable('sessions')
        .set({ revoked_at: new Date(now.getTime() + ROTATION_GRACE_MS), rotated_at: now })
        .where('id', '=', session.id)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(revoked.numUpdatedRows) === 0) return { actor };
      return { actor, replacement: await createSession(session.user_id) };
    },

    async resolveApiToken(token: string): Promise<Actor> {
      const tokenHash = hashSecret(token);
      const found = await tokens.get(tokenHash, () => repo.findActiveApiToken(db, tokenHash));
      if (!found) return anonymous;
      const now = clock.now();
      // Record use at most once a minute: a write per request would cost more than the request.
      if (!found.last_used_at || now.getTime() - found.last_used_at.getTime() > MINUTE) {
        await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', found.id).execute();
        tokens.update(tokenHash, { ...found, last_used_at: now });
      }
      return { kind: 'user', userId: found.user_id, email: found.email, isOperator: found.is_operator, via: 'token' };
    },

    async signOut(token: string): Promise<void> {
      await db.updateTable('sessions').set({ revoked_at: clock.now() }).where('token_hash', '=', hashSecret(token)).execute();
    },

    async createApiToken(actor: Actor, name: string) {
      const user = requireUser(actor);
      return issueApiToken(deps, user.userId, name);
    },

    async listApiTokens(actor: Actor) {
      const user = requireUser(actor);
      return db
        .selectFrom('api_tokens')
        .select(['id', 'name', 'token_prefix', 'last_used_at', 'revoked_at', 'created_at'])
        .where('user_id', '=', user.userId)
        .orderBy('id', 'desc')
        .execute();
    },

    async revokeApiToken(actor: Actor, tokenId: string): Promise<void> {
      const user = requireUser(actor);
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: clock.now() })
        .where('id', '=', tokenId)
        .where('user_id', '=', user.userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('The API token');
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

/** Creates a personal API token; the secret is returned once and only its hash is kept. */
export async function issueApiToken(deps: Pick<Deps, 'db' | 'clock'>, userId: string, name: string) {
  const now = deps.clock.now();
  const token = newSecret('blt');
  const id = newId(now.getTime());
  await deps.db
    .insertInto('api_tokens')
    .values({ id, user_id: userId, name, token_prefix: token.slice(0, 8), token_hash: hashSecret(token), last_used_at: null, revoked_at: null, created_at: now })
    .execute();
  return { id, name, token, createdAt: now };
}

/**
 * A path on this site. Starting with / is not enough: browsers read //host and /\host as another site,
 * and drop tabs and newlines before parsing, so resolve it the way they do and compare the origin.
 */
export function isLocalPath(target: string): boolean {
  if (!target.startsWith('/') || /[\u0000-\u001f\u007f]/.test(target)) return false;
  const base = 'http://backline.invalid';
  try {
    return new URL(target, base).origin === base;
  } catch {
    return false;
  }
}

export const emailSchema = z.email().max(254).transform((email) => email.trim());
