import { sql, type Kysely } from 'kysely';

/**
 * The GitHub App and email channels of the assistant: GitHub users and email senders become chat
 * identities, issues and mail threads become conversations, webhook deliveries and inbound messages
 * are stored once in chat_events; and the app's installations say which repositories it may act on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE external_identities DROP CONSTRAINT external_identities_provider_check;
    ALTER TABLE external_identities ADD CONSTRAINT external_identities_provider_check CHECK (provider IN ('discord', 'slack', 'github', 'email'));
    ALTER TABLE conversations DROP CONSTRAINT conversations_channel_check;
    ALTER TABLE conversations ADD CONSTRAINT conversations_channel_check CHECK (channel IN ('discord', 'slack', 'web', 'github', 'email'));
    ALTER TABLE chat_events DROP CONSTRAINT chat_events_provider_check;
    ALTER TABLE chat_events ADD CONSTRAINT chat_events_provider_check CHECK (provider IN ('discord', 'slack', 'github', 'email'));

    -- An installation of the GitHub App on a user or organization account (GitHub's id). Deleted
    -- installations are kept with deleted_at, so a late event for them is recognized and ignored.
    CREATE TABLE github_installations (
      id bigint PRIMARY KEY,
      account_login text NOT NULL,
      account_type text NOT NULL,
      repository_selection text NOT NULL CHECK (repository_selection IN ('all', 'selected')),
      suspended_at timestamptz,
      deleted_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );

    -- The repositories an installation covers, by lower-cased full name (how Backline names repositories).
    CREATE TABLE github_installation_repos (
      installation_id bigint NOT NULL REFERENCES github_installations(id),
      github_repo_id bigint NOT NULL,
      full_name text NOT NULL,
      added_at timestamptz NOT NULL,
      PRIMARY KEY (installation_id, github_repo_id)
    );
    CREATE INDEX github_installation_repos_name_idx ON github_installation_repos (lower(full_name));
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
