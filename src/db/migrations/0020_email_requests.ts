import { sql, type Kysely } from 'kysely';

/**
 * Mails to a repository's support address, one row each: the per-sender hourly limit counts them (in the
 * database, so every process sees the same count), and a request whose sender is not authenticated waits
 * here for its sender to confirm it by the link mailed to the From address.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE email_requests (
      id uuid PRIMARY KEY,
      -- The From address, lowercased: what the per-sender limit counts by.
      sender text NOT NULL CHECK (length(sender) BETWEEN 3 AND 320),
      repo_id uuid NOT NULL REFERENCES repos(id),
      -- One message to one repository is one request (a provider's redelivery is recognized); a request is
      -- opened through the chat event of the same key.
      message_key text NOT NULL UNIQUE CHECK (length(message_key) BETWEEN 1 AND 255),
      -- The request while it waits for confirmation; null once confirmed, or from the start when the sender
      -- was authenticated (the chat event holds it then).
      held jsonb,
      received_at timestamptz NOT NULL,
      -- When it went on to be opened: at once for an authenticated sender, else when the link was used.
      confirmed_at timestamptz,
      -- What came of it: the ticket, or why the tickets service refused it.
      ticket_id uuid REFERENCES tickets(id),
      refusal text
    );
    CREATE INDEX email_requests_sender_idx ON email_requests (sender, received_at);
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
