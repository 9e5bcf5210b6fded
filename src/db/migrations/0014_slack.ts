import { sql, type Kysely } from 'kysely';

/**
 * Slack workspaces that installed the app (OAuth v2). Each workspace has its own bot token, which is a
 * credential to post as the app there: it is stored encrypted (AES-256-GCM, src/lib/encryption.ts), so a
 * copy of the database or a backup does not hand out every workspace's token.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE slack_installations (
      team_id text PRIMARY KEY CHECK (length(team_id) BETWEEN 1 AND 32),
      team_name text NOT NULL DEFAULT '',
      enterprise_id text,
      app_id text NOT NULL,
      bot_user_id text NOT NULL,
      -- 'v1.<iv>.<tag>.<ciphertext>' in base64url; the team id is the associated data, so a token
      -- copied into another workspace's row does not decrypt.
      bot_token_encrypted text NOT NULL,
      scopes text NOT NULL DEFAULT '',
      -- The channel picked on the consent screen (incoming-webhook scope): where ticket threads open.
      support_channel_id text,
      installed_by text NOT NULL,
      installed_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
