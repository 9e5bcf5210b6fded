import { sql, type Kysely } from 'kysely';

/**
 * The inbox of events that payment providers push to us (webhooks), and the connected accounts that
 * helpers and repositories are paid into.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A provider may deliver the same event many times (retries, replays); the unique key makes the
    -- second delivery a no-op, and handled_at makes processing happen once.
    CREATE TABLE provider_events (
      id uuid PRIMARY KEY,
      provider text NOT NULL CHECK (provider IN ('sandbox', 'stripe', 'invoice')),
      external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 255),
      type text NOT NULL CHECK (length(type) BETWEEN 1 AND 255),
      payload jsonb NOT NULL,
      received_at timestamptz NOT NULL,
      handled_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      UNIQUE (provider, external_id)
    );
    -- What an operator looks at when money seems stuck: events received but not handled.
    CREATE INDEX provider_events_unhandled_idx ON provider_events (received_at) WHERE handled_at IS NULL;

    -- owner_id is a user (helper) or a repository, hence no foreign key.
    CREATE TABLE payout_accounts (
      id uuid PRIMARY KEY,
      owner_type text NOT NULL CHECK (owner_type IN ('helper', 'repo')),
      owner_id uuid NOT NULL,
      provider text NOT NULL CHECK (provider IN ('sandbox', 'stripe', 'invoice')),
      provider_account_id text NOT NULL CHECK (length(provider_account_id) BETWEEN 1 AND 255),
      -- pending: onboarding not finished; active: can receive transfers; restricted: the provider needs more.
      status text NOT NULL CHECK (status IN ('pending', 'active', 'restricted')),
      created_at timestamptz NOT NULL,
      UNIQUE (owner_type, owner_id, provider),
      UNIQUE (provider, provider_account_id)
    );
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
