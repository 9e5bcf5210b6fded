import { sql, type Kysely } from 'kysely';

/**
 * The assistant: conversations held in chat channels, the chat accounts linked to Backline users, and
 * the inbox of chat events (interactions, Slack events) stored once per (provider, external id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A chat account (a Discord user, a Slack user in one workspace) acting as a Backline user. Discord
    -- user ids are global, so their workspace is ''; Slack user ids are unique per workspace only.
    CREATE TABLE external_identities (
      provider text NOT NULL CHECK (provider IN ('discord', 'slack')),
      workspace text NOT NULL DEFAULT '' CHECK (length(workspace) <= 100),
      external_user text NOT NULL CHECK (length(external_user) BETWEEN 1 AND 100),
      user_id uuid NOT NULL REFERENCES users(id),
      display_name text NOT NULL,
      -- Set once the person proved the user's email address with a code; until then the user has a
      -- placeholder address under the reserved .invalid domain, which no email is ever sent to.
      email_verified_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (provider, workspace, external_user)
    );
    CREATE INDEX external_identities_user_idx ON external_identities (user_id);

    -- One person's way through the journey in one channel: the state machine's state and what it gathered.
    CREATE TABLE conversations (
      id uuid PRIMARY KEY,
      channel text NOT NULL CHECK (channel IN ('discord', 'slack', 'web')),
      external_workspace text NOT NULL DEFAULT '',
      external_channel text NOT NULL,
      external_thread text,
      external_user text NOT NULL,
      user_id uuid NOT NULL REFERENCES users(id),
      state text NOT NULL,
      repo_id uuid REFERENCES repos(id),
      ticket_id uuid REFERENCES tickets(id),
      data jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    -- Status updates of a ticket go to the conversations that opened it.
    CREATE INDEX conversations_ticket_idx ON conversations (ticket_id) WHERE ticket_id IS NOT NULL;
    -- Helper commands typed inside a ticket's thread find the ticket through it.
    CREATE INDEX conversations_thread_idx ON conversations (channel, external_thread) WHERE external_thread IS NOT NULL;
    -- A plain message continues the person's latest conversation in that place.
    CREATE INDEX conversations_place_idx ON conversations (channel, external_workspace, external_channel, external_user, updated_at);

    -- Chat providers deliver an event more than once (Slack retries) and anyone may replay a captured
    -- one: the unique key turns the second delivery into a no-op, handled_at makes processing happen once.
    -- Unlike payment events these hold message text and short-lived tokens, and are not kept for audit.
    CREATE TABLE chat_events (
      id uuid PRIMARY KEY,
      provider text NOT NULL CHECK (provider IN ('discord', 'slack')),
      external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 255),
      type text NOT NULL CHECK (length(type) BETWEEN 1 AND 255),
      payload jsonb NOT NULL,
      received_at timestamptz NOT NULL,
      handled_at timestamptz,
      UNIQUE (provider, external_id)
    );
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
