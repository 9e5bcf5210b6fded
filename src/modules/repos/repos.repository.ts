import { sql, type Selectable } from 'kysely';
import type { IdSubquery, Queryable } from '../../db/database.ts';
import type { MaintainerRole, ReposTable } from '../../db/types.ts';

export type RepoRow = Selectable<ReposTable>;

export async function findRepoByFullName(db: Queryable, fullName: string): Promise<RepoRow | undefined> {
  return db
    .selectFrom('repos')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['full_name']), '=', fullName.toLowerCase()))
    .executeTakeFirst();
}

export async function findRepoById(db: Queryable, id: string): Promise<RepoRow | undefined> {
  return db.selectFrom('repos').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The repository with the user's maintainer role on it (null for none, or for nobody signed in), in one statement. */
export async function findRepoWithRole(db: Queryable, fullName: string, userId: string | null): Promise<{ row: RepoRow; role: MaintainerRole | null } | undefined> {
  const found = await db
    .selectFrom('repos')
    .selectAll('repos')
    .$if(userId !== null, (query) =>
      query.select((eb) =>
        eb.selectFrom('repo_maintainers').select('repo_maintainers.role').whereRef('repo_maintainers.repo_id', '=', 'repos.id').where('repo_maintainers.user_id', '=', userId!).as('viewer_role'),
      ),
    )
    .where((eb) => eb(eb.fn('lower', ['full_name']), '=', fullName.toLowerCase()))
    .executeTakeFirst();
  if (!found) return undefined;
  const { viewer_role: role, ...row } = found;
  return { row, role: role ?? null };
}

export function maintainedRepoIdsQuery(db: Queryable, userId: string): IdSubquery {
  return db.selectFrom('repo_maintainers').select('repo_id as id').where('user_id', '=', userId);
}

export async function reposMaintainedBy(db: Queryable, userId: string) {
  return db
    .selectFrom('repo_maintainers')
    .innerJoin('repos', 'repos.id', 'repo_maintainers.repo_id')
    .select(['repos.id', 'repos.full_name', 'repos.status', 'repo_maintainers.role'])
    .where('repo_maintainers.user_id', '=', userId)
    .orderBy('repos.full_name')
    .execute();
}

/** Owners and maintainers of a repository with their email, for notices about its tickets. */
export async function maintainerContacts(db: Queryable, repoId: string) {
  return db
    .selectFrom('repo_maintainers')
    .innerJoin('users', 'users.id', 'repo_maintainers.user_id')
    .select(['repo_maintainers.user_id', 'users.email'])
    .where('repo_maintainers.repo_id', '=', repoId)
    .orderBy('repo_maintainers.created_at')
    .execute();
}

export async function demandFor(db: Queryable, fullName: string) {
  const row = await db
    .selectFrom('onboarding_requests')
    .select([
      sql<number>`count(DISTINCT coalesce(requested_by::text, lower(email), id::text))`.as('requests'),
      sql<number>`count(DISTINCT org_id)`.as('organizations'),
    ])
    .where((eb) => eb(eb.fn('lower', ['full_name']), '=', fullName.toLowerCase()))
    .executeTakeFirstOrThrow();
  return { requests: Number(row.requests), organizations: Number(row.organizations) };
}

export type DirectoryFilters = { q?: string; topic?: string; language?: string; offering?: 'ai' | 'community' | 'expert' };

/**
 * Directory search over verified repositories. Each word of the query must hit one of two matchers:
 * - full-text as a prefix ("fast plug" finds "fastify-plugin"), or
 * - trigram word similarity (`<%`, GIN-indexed), which forgives typos ("fastfy helmt").
 * The score adds the text rank, the mean similarity and a bonus for an exact name, scaled to an
 * integer so that the keyset cursor compares exactly.
 */
export async function searchDirectory(db: Queryable, filters: DirectoryFilters, cursor: unknown[] | undefined, limit: number) {
  const words = (filters.q ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const filterSql = sql.join(
    [
      sql`status = 'verified'`,
      filters.topic ? sql`topics @> ARRAY[${filters.topic}]::text[]` : sql`true`,
      filters.language ? sql`lower(language) = lower(${filters.language})` : sql`true`,
      filters.offering === 'ai' ? sql`offers_ai` : sql`true`,
      filters.offering === 'community' ? sql`offers_community` : sql`true`,
      filters.offering === 'expert' ? sql`offers_expert` : sql`true`,
    ],
    sql` AND `,
  );

  if (words.length === 0) {
    const after = cursor ? sql`AND (lower(full_name), id) > (${String(cursor[0])}, ${String(cursor[1])}::uuid)` : sql``;
    const result = await sql<RepoRow & { sort_key: string }>`
      SELECT *, lower(full_name) AS sort_key FROM repos
      WHERE ${filterSql} ${after}
      ORDER BY lower(full_name), id
      LIMIT ${limit + 1}`.execute(db);
    return { rows: result.rows, keyOf: (row: RepoRow & { sort_key: string }) => [row.sort_key, row.id] };
  }

  const text = words.join(' ');
  // Every word must match, as a prefix or as a near spelling.
  const wordMatches = sql.join(
    words.map((word) => sql`(to_tsvector('simple', search_text) @@ to_tsquery('simple', ${`${word}:*`}) OR ${word} <% search_text)`),
    sql` AND `,
  );
  const similarity = sql.join(words.map((word) => sql`word_similarity(${word}, search_text)`), sql` + `);
  const tsquery = words.map((word) => `${word}:*`).join(' | ');
  const after = cursor ? sql`WHERE (rank_key, id) < (${Number(cursor[0])}, ${String(cursor[1])}::uuid)` : sql``;
  const result = await sql<RepoRow & { rank_key: number }>`
    SELECT * FROM (
      SELECT repos.*,
        round((
          ts_rank(to_tsvector('simple', search_text), to_tsquery('simple', ${tsquery})) * 2
          + (${similarity}) / ${words.length}
          + CASE WHEN lower(name) = ${text} OR lower(full_name) = ${text} THEN 1 ELSE 0 END
        ) * 1000000)::bigint AS rank_key
      FROM repos
      WHERE ${filterSql} AND ${wordMatches}
    ) ranked
    ${after}
    ORDER BY rank_key DESC, id DESC
    LIMIT ${limit + 1}`.execute(db);
  return { rows: result.rows, keyOf: (row: RepoRow & { rank_key: number }) => [Number(row.rank_key), row.id] };
}
