import { sql } from 'kysely';
import type { IdSubquery, Queryable } from '../../db/database.ts';
import type { HelperStatus } from '../../db/types.ts';

export async function findHelper(db: Queryable, repoId: string, userId: string) {
  return db.selectFrom('repo_helpers').selectAll().where('repo_id', '=', repoId).where('user_id', '=', userId).executeTakeFirst();
}

export async function listHelpers(db: Queryable, repoId: string, statuses: HelperStatus[]) {
  return db
    .selectFrom('repo_helpers')
    .innerJoin('users', 'users.id', 'repo_helpers.user_id')
    .select([
      'repo_helpers.user_id',
      'repo_helpers.status',
      'repo_helpers.pitch',
      'repo_helpers.links',
      'repo_helpers.decided_at',
      'repo_helpers.created_at',
      'users.display_name',
      'users.github_login',
      'users.email',
    ])
    .where('repo_helpers.repo_id', '=', repoId)
    .where('repo_helpers.status', 'in', statuses)
    .orderBy('repo_helpers.created_at')
    .execute();
}

/** The repositories a user is an approved helper of; with `onlyRepoId`, that one if they help it (else none). */
export function approvedRepoIdsQuery(db: Queryable, userId: string, onlyRepoId?: string): IdSubquery {
  // 'approved' is written into the statement, not sent as a parameter: once a prepared statement runs on
  // a generic plan (from its sixth run), only a literal lets PostgreSQL use the partial index of approved
  // helpers (repo_helpers_user_idx). As a parameter, the helper queue scanned every helper row five times.
  const query = db.selectFrom('repo_helpers').select('repo_id as id').where('user_id', '=', userId).where('status', '=', sql.lit('approved'));
  return onlyRepoId ? query.where('repo_id', '=', onlyRepoId) : query;
}

export async function approvedRepoIds(db: Queryable, userId: string): Promise<string[]> {
  return (await approvedRepoIdsQuery(db, userId).execute()).map((row) => row.id);
}
