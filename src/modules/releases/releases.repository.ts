import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { WindowView } from './releases.ticket-view.ts';
import type { PutWindowsInput } from './releases.schemas.ts';

/** Newest major first; dates as text, so that they stay the calendar days they are. */
export async function listWindows(db: Queryable, repoId: string): Promise<WindowView[]> {
  return db
    .selectFrom('release_windows')
    .select(['major', 'upgrade_path'])
    .select([
      sql<string>`general_from::text`.as('general_from'),
      sql<string | null>`general_until::text`.as('general_until'),
      sql<string | null>`guidance_from::text`.as('guidance_from'),
      sql<string | null>`guidance_until::text`.as('guidance_until'),
    ])
    .where('repo_id', '=', repoId)
    .orderBy('major', 'desc')
    .execute();
}

export async function replaceWindows(trx: Tx, repoId: string, windows: PutWindowsInput['windows'], at: Date): Promise<void> {
  // Two replacements at once would both delete nothing new and then collide on insert: take turns.
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`release_windows:${repoId}`}, 0))`.execute(trx);
  await trx.deleteFrom('release_windows').where('repo_id', '=', repoId).execute();
  if (windows.length === 0) return;
  await trx
    .insertInto('release_windows')
    .values(
      windows.map((window) => ({
        repo_id: repoId,
        major: window.major,
        general_from: window.generalSupport.from,
        general_until: window.generalSupport.until,
        guidance_from: window.technicalGuidance?.from ?? null,
        guidance_until: window.technicalGuidance?.until ?? null,
        upgrade_path: window.upgradePath,
        updated_at: at,
      })),
    )
    .execute();
}
