import { sql } from 'kysely';
import type { Queryable } from '../../db/database.ts';

export async function findActiveSession(db: Queryable, tokenHash: string, now: Date) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id', 'sessions.created_at', 'sessions.expires_at', 'users.id as user_id', 'users.email', 'users.is_operator'])
    .where('sessions.token_hash', '=', tokenHash)
    // A rotated session is revoked a little in the future (see resolveSession); sign-out revokes now.
    .where((eb) => eb.or([eb('sessions.revoked_at', 'is', null), eb('sessions.revoked_at', '>', now)]))
    .where('sessions.expires_at', '>', now)
    .executeTakeFirst();
}

export async function findActiveApiToken(db: Queryable, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.last_used_at', 'users.id as user_id', 'users.email', 'users.is_operator'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Holds, until the transaction ends, the right to count and add sign-in links for one address: without
 * it, a burst of concurrent requests would all count the same number and all get past the limit.
 */
export async function lockMagicLinksOf(trx: Queryable, email: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`magic_links:${email.toLowerCase()}`}, 0))`.execute(trx);
}

export async function countRecentMagicLinks(db: Queryable, email: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('magic_links')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Marks the link used and returns it, or nothing if it was used, expired or unknown (one winner under races). */
export async function consumeMagicLink(db: Queryable, tokenHash: string, now: Date) {
  return db
    .updateTable('magic_links')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['email', 'redirect_to'])
    .executeTakeFirst();
}
