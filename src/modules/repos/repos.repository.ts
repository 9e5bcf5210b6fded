import { sql, type Selectable } from 'kysely';
import { anyId, type IdSubquery, type Queryable } from '../../db/database.ts';
import type { ReposTable } from '../../db/types.ts';

/** A repository as it is read: every column but the text it is searched by. */
export type RepoRow = Omit<Selectable<ReposTable>, 'search_text'>;

/**
 * RepoRow's columns, named because `repos.*` would also bring the search columns (the text and its
 * tsvector, whose output function PostgreSQL runs for every row): a search page cost it 6% more with them.
 */
export const REPO_COLUMNS = [
  'id', 'owner', 'name', 'full_name', 'description', 'topics', 'language', 'homepage_url', 'docs_url', 'status', 'verification_method', 'verified_at',
  'verified_by', 'offers_ai', 'offers_community', 'offers_expert', 'currency', 'commission_bps', 'show_helpers', 'created_by', 'created_at', 'updated_at',
] as const satisfies readonly (keyof RepoRow)[];
type Unlisted = Exclude<keyof RepoRow, (typeof REPO_COLUMNS)[number]>;
// A column added to repos must be listed above: until it is, this line does not compile, and names it.
true satisfies [Unlisted] extends [never] ? true : Unlisted;
const repoColumns = sql.join(REPO_COLUMNS.map((column) => sql.ref(`repos.${column}`)));

export async function findRepoByFullName(db: Queryable, fullName: string): Promise<RepoRow | undefined> {
  return db
    .selectFrom('repos')
    .select(REPO_COLUMNS)
    .where((eb) => eb(eb.fn('lower', ['full_name']), '=', fullName.toLowerCase()))
    .executeTakeFirst();
}

/** Repositories' full names by id; one statement whatever the number. */
export async function fullNamesOf(db: Queryable, ids: string[]) {
  return db.selectFrom('repos').select(['id', 'full_name as name']).where('id', '=', anyId(ids)).execute();
}

export async function findRepoById(db: Queryable, id: string): Promise<RepoRow | undefined> {
  return db.selectFrom('repos').select(REPO_COLUMNS).where('id', '=', id).executeTakeFirst();
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
 * At least half of the query word's trigrams, in order, in the word (pg_trgm's word similarity): "fastfy"
 * is near "fastify" (0.57), "parser" is not near "pager" (0.43). The two must also be alike as whole
 * words (`%`: similarity at least 0.3, pg_trgm's default), which lets the trigram index find them; a typo
 * is about as long as the word it misspells.
 */
const NEAR_SPELLING = 0.5;

/**
 * Directory search over verified repositories. Each word of the query must match a word of the
 * repository (search_vector: its text split at spaces and punctuation) in one of two ways:
 * - as a prefix ("fast plug" finds "fastify-plugin"), or
 * - as a near spelling (NEAR_SPELLING), which forgives typos ("fastfy helmt"): the query word is
 *   compared with the words in repo_search_words, every word any repository uses, and the close ones
 *   join its alternatives. A word some repository uses is not a typo and gets none: "router" does not
 *   also find "routes". That lookup is also the expensive part (on a table of ~1,000 words the planner
 *   compares the query word with each of them, 1.3 ms), now paid only for words nobody uses.
 * Both come down to one tsquery that repos_search_vector_idx answers. Comparing each query word with the
 * whole text of every repository instead (`<%`) cost ~10 µs a row, 10-14 ms a search on 1,000 repositories.
 * The score adds the text rank, the mean of each word's match (1 for the word itself, what pg_trgm gives
 * a prefix, the best similarity of its near spellings) and a bonus for an exact name, scaled to an
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
      SELECT ${repoColumns}, lower(full_name) AS sort_key FROM repos
      WHERE ${filterSql} ${after}
      ORDER BY lower(full_name), id
      LIMIT ${limit + 1}`.execute(db);
    return { rows: result.rows, keyOf: (row: RepoRow & { sort_key: string }) => [row.sort_key, row.id] };
  }

  const text = words.join(' ');
  const queryWords = sql`unnest(${words}::text[]) WITH ORDINALITY AS q(word, i)`;
  const wordScores = sql.join(
    words.map((word, index) => {
      const i = index + 1;
      // A prefix of a longer word shares all of its trigrams but the last: pg_trgm's word similarity is n/(n+1).
      const prefixScore = [...word].length / ([...word].length + 1);
      return sql`CASE WHEN search_vector @@ ${`'${word}'`}::tsquery THEN 1
        WHEN search_vector @@ ${`'${word}':*`}::tsquery THEN ${prefixScore}::float8
        ELSE coalesce((SELECT score FROM near WHERE i = ${i}), 0) END`;
    }),
    sql` + `,
  );
  const after = cursor ? sql`WHERE (rank_key, id) < (${Number(cursor[0])}, ${String(cursor[1])}::uuid)` : sql``;
  const result = await sql<RepoRow & { rank_key: number }>`
    WITH near AS (
      SELECT q.i, max(word_similarity(q.word, v.word)) AS score, string_agg(v.word, ' | ') AS alternatives
      FROM ${queryWords} JOIN repo_search_words v
        ON q.word % v.word AND word_similarity(q.word, v.word) >= ${NEAR_SPELLING} AND NOT starts_with(v.word, q.word)
      WHERE NOT EXISTS (SELECT FROM repo_search_words known WHERE known.word = q.word)
      GROUP BY q.i
    ),
    matcher AS (
      SELECT to_tsquery('simple', string_agg('(' || q.word || ':*' || coalesce(' | ' || near.alternatives, '') || ')', ' & ')) AS every_word,
        to_tsquery('simple', string_agg(q.word || ':*' || coalesce(' | ' || near.alternatives, ''), ' | ')) AS any_word
      FROM ${queryWords} LEFT JOIN near USING (i)
    )
    SELECT * FROM (
      SELECT ${repoColumns},
        round((
          ts_rank(search_vector, (SELECT any_word FROM matcher)) * 2
          + (${wordScores}) / ${words.length}
          + CASE WHEN lower(name) = ${text} OR lower(full_name) = ${text} THEN 1 ELSE 0 END
        ) * 1000000)::bigint AS rank_key
      FROM repos
      WHERE ${filterSql} AND search_vector @@ (SELECT every_word FROM matcher)
    ) ranked
    ${after}
    ORDER BY rank_key DESC, id DESC
    LIMIT ${limit + 1}`.execute(db);
  return { rows: result.rows, keyOf: (row: RepoRow & { rank_key: number }) => [Number(row.rank_key), row.id] };
}
