import type { Queryable } from '../../db/database.ts';

/**
 * Where the GitHub App is installed, as its `installation` and `installation_repositories` events say.
 * Kysely only; written in the transaction that marks the event handled.
 */
export type InstalledRepo = { id: number; full_name: string };
export type Installation = { id: number; account: { login: string; type: string }; repository_selection: 'all' | 'selected' };

export async function saveInstallation(db: Queryable, installation: Installation, now: Date): Promise<void> {
  await db
    .insertInto('github_installations')
    .values({ id: String(installation.id), account_login: installation.account.login, account_type: installation.account.type, repository_selection: installation.repository_selection, suspended_at: null, deleted_at: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ account_login: installation.account.login, repository_selection: installation.repository_selection, deleted_at: null, updated_at: now }))
    .execute();
}

export async function addRepos(db: Queryable, installationId: number, repos: InstalledRepo[], now: Date): Promise<void> {
  if (!repos.length) return;
  await db
    .insertInto('github_installation_repos')
    .values(repos.map((repo) => ({ installation_id: String(installationId), github_repo_id: String(repo.id), full_name: repo.full_name, added_at: now })))
    .onConflict((oc) => oc.columns(['installation_id', 'github_repo_id']).doUpdateSet((eb) => ({ full_name: eb.ref('excluded.full_name') })))
    .execute();
}

export async function removeRepos(db: Queryable, installationId: number, repoIds: number[]): Promise<void> {
  if (!repoIds.length) return;
  await db.deleteFrom('github_installation_repos').where('installation_id', '=', String(installationId)).where('github_repo_id', 'in', repoIds.map(String)).execute();
}

export async function setInstallationState(db: Queryable, installationId: number, changes: { suspended_at?: Date | null; deleted_at?: Date | null }, now: Date): Promise<void> {
  await db.updateTable('github_installations').set({ ...changes, updated_at: now }).where('id', '=', String(installationId)).execute();
  if (changes.deleted_at) await db.deleteFrom('github_installation_repos').where('installation_id', '=', String(installationId)).execute();
}

/** The repositories an installation covers, by full name. */
export async function reposOf(db: Queryable, installationId: number): Promise<string[]> {
  const rows = await db.selectFrom('github_installation_repos').select('full_name').where('installation_id', '=', String(installationId)).orderBy('full_name').execute();
  return rows.map((row) => row.full_name);
}

export function findInstallation(db: Queryable, installationId: number) {
  return db.selectFrom('github_installations').selectAll().where('id', '=', String(installationId)).executeTakeFirst();
}
