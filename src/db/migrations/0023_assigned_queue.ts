import { sql, type Kysely } from 'kysely';

/**
 * The helper queue's assigned part (tickets assigned to the helper and not finished) read every such
 * ticket through tickets_assignee_idx and sorted them all to keep one page: a helper with 333 claimed
 * tickets cost 333 heap reads per page. This index holds them by priority and id, so the queue walks
 * each priority in order and stops at the page size, as it does for open tickets (tickets_queue_idx).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX tickets_assigned_queue_idx ON tickets (assignee_id, priority, id)
      WHERE assignee_id IS NOT NULL AND status NOT IN ('closed', 'cancelled');
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
