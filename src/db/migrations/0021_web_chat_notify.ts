import { sql, type Kysely } from 'kysely';

/**
 * Live web chat streams were woken by a query every few seconds per open stream. Now each new transcript
 * entry sends its conversation id on the channel `backline_live` (src/db/notify.ts), from a trigger so that
 * every writer (a server, the worker, a script) notifies, and only once its transaction commits.
 * PostgreSQL sends one notification per distinct payload per transaction, so a batch of replies wakes a
 * stream once. The channel name is fixed here: LIVE_CHANNEL in notify.ts must stay the same.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION web_chat_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('backline_live', NEW.conversation_id::text);
      RETURN NULL;
    END $$;
    CREATE TRIGGER web_chat_messages_notify AFTER INSERT ON web_chat_messages
      FOR EACH ROW EXECUTE FUNCTION web_chat_messages_notify();
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
