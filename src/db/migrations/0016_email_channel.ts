import { sql, type Kysely } from 'kysely';

/**
 * Ticket notifications carry a signed reply address (reply+<token>@INBOUND_EMAIL_DOMAIN), so that
 * answering the email answers in the ticket. The address is fixed when the email is queued.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE emails ADD COLUMN reply_to text`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
