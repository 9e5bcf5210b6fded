import { sql, type Kysely } from 'kysely';

/**
 * The web chat: anonymous visitors of a support page or widget, the transcript their live updates are
 * read from, and the key their conversation tokens are signed with when CHAT_TOKEN_SECRET is unset.
 * Also the index the retention job of chat events deletes by.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- A browser talking to the assistant without an account. It acts as a user with a placeholder address
    -- until it proves an email with a code; then user_id is the user with that address.
    CREATE TABLE web_visitors (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id),
      display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
      email_verified_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX web_visitors_user_idx ON web_visitors (user_id);

    -- Everything shown in a web conversation, in order: what the visitor sent, the assistant's replies,
    -- the ticket's status updates and the helpers' messages. seq is the SSE event id a client resumes from.
    CREATE TABLE web_chat_messages (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      -- The client's id of the visitor's input: the same input sent twice is taken once.
      input_id text CHECK (length(input_id) BETWEEN 1 AND 100),
      author text NOT NULL CHECK (author IN ('visitor', 'assistant', 'helper')),
      author_name text,
      body jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      UNIQUE (conversation_id, input_id)
    );
    CREATE INDEX web_chat_messages_conversation_idx ON web_chat_messages (conversation_id, seq);

    -- Secrets the platform makes for itself when the operator gave none (one row per name).
    CREATE TABLE platform_secrets (
      name text PRIMARY KEY,
      value text NOT NULL,
      created_at timestamptz NOT NULL
    );

    CREATE INDEX chat_events_received_idx ON chat_events (received_at);
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
