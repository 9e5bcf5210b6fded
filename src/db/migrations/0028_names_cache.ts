import { sql, type Kysely } from 'kysely';

/**
 * Keys for the names a ticket list shows beside each row, which processes now keep rather than look up
 * per row in every list statement (a quarter of PostgreSQL's time per helper queue page): like 0024's
 * keys, sent once per statement when its transaction commits.
 *
 * - `cache:user_names`: a user's display name changed, or a user was removed.
 * - `cache:orgs`: an organization's slug changed, or an organization was removed.
 * Repositories' names already travel as 0024's `cache:repos`, sent on any change to a repository.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TRIGGER users_names_cache AFTER UPDATE OF display_name OR DELETE ON users
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:user_names');
    CREATE TRIGGER orgs_cache AFTER UPDATE OF slug OR DELETE ON orgs
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:orgs');
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
