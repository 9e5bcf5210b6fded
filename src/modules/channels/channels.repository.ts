import { sql } from 'kysely';
import type { Queryable } from '../../db/database.ts';

/** Read-only views of what the chat integrations stored about one repository (Kysely only). */

export async function conversationsPerChannel(db: Queryable, repoId: string) {
  const rows = await db
    .selectFrom('conversations')
    .select((eb) => ['channel', eb.fn.countAll<string>().as('count'), eb.fn.max('updated_at').as('last')])
    .where('repo_id', '=', repoId)
    .groupBy('channel')
    .execute();
  return new Map(rows.map((row) => [row.channel as string, { count: Number(row.count), last: row.last ? new Date(row.last) : null }]));
}

/** The live GitHub App installation covering the repository, by name as GitHub reports it (case-insensitive). */
export function githubInstallationOf(db: Queryable, fullName: string) {
  return db
    .selectFrom('github_installation_repos as r')
    .innerJoin('github_installations as i', 'i.id', 'r.installation_id')
    .select(['i.account_login', 'i.suspended_at'])
    .where(sql<string>`lower(r.full_name)`, '=', fullName.toLowerCase())
    .where('i.deleted_at', 'is', null)
    .orderBy('i.suspended_at', (ob) => ob.asc().nullsFirst())
    .executeTakeFirst();
}
