import { sql, type Kysely } from 'kysely';

/**
 * `cache:conversations`, like 0024's keys: sent when a conversation is added, linked to another ticket or
 * channel, or removed, so that processes can keep which conversations each ticket has. Every message and
 * move on a ticket asks, to push it to the ticket's chat threads, and most tickets have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TRIGGER conversations_cache AFTER INSERT OR UPDATE OF ticket_id, channel OR DELETE ON conversations
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:conversations');
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
