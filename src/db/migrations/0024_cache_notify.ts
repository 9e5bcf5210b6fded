import { sql, type Kysely } from 'kysely';

/**
 * Every request read its API token and, for a repository's pages, the repository and the caller's role
 * in it: round trips that cost more than the rest of a small request. Processes now keep them
 * (src/lib/notified-cache.ts), and these triggers tell every process when what they keep changes, once
 * per statement and only once its transaction commits, whoever wrote it (a server, the worker, the CLI).
 * The keys travel on `backline_live` like the web chat's (0021); LIVE_CHANNEL in notify.ts names it too.
 *
 * - `cache:api_tokens`: a token revoked or removed, or its user's email or operator flag changed or the
 *   user removed (what a token resolves to). A token's last use is written once a minute and changes
 *   nothing kept, so the trigger names the columns that matter.
 * - `cache:repos`: any change to a repository, or to who maintains which.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION notify_cache_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('backline_live', TG_ARGV[0]);
      RETURN NULL;
    END $$;
    CREATE TRIGGER api_tokens_cache AFTER UPDATE OF revoked_at, token_hash, user_id OR DELETE ON api_tokens
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:api_tokens');
    CREATE TRIGGER users_cache AFTER UPDATE OF email, is_operator OR DELETE ON users
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:api_tokens');
    CREATE TRIGGER repos_cache AFTER UPDATE OR DELETE ON repos
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:repos');
    CREATE TRIGGER repo_maintainers_cache AFTER INSERT OR UPDATE OR DELETE ON repo_maintainers
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:repos');
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
