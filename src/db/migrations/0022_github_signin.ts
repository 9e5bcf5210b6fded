import { sql, type Kysely } from 'kysely';

/**
 * Signing in with GitHub: a user's GitHub account by its numeric id, which (unlike the login) never
 * changes, so a renamed GitHub account still signs in to the same Backline user.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users ADD COLUMN github_id bigint;
    CREATE UNIQUE INDEX users_github_id_key ON users (github_id) WHERE github_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users DROP COLUMN github_id`.execute(db);
}
