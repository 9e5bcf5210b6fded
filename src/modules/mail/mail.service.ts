import type { Database, Queryable } from '../../db/database.ts';
import type { MailTransport } from '../../integrations/email/client.ts';
import { enqueue, type JobContext } from '../../jobs/queue.ts';
import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';

export type EmailDraft = {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Where answers go: a ticket's signed reply address (reply-address.ts), so that a reply lands in the ticket. */
  replyTo?: string | null;
  /** The same key queues one email however often the cause repeats (job retries, duplicate events). */
  dedupeKey?: string;
};

export const DELIVER_EMAIL_JOB = 'email.deliver';

export const isPlaceholderAddress = (address: string) => /\.invalid$/i.test(address.trim());

/** Records the email and its delivery job in the caller's transaction. */
export async function queueEmail(db: Queryable, clock: Clock, draft: EmailDraft): Promise<void> {
  // Chat users have a placeholder address under the reserved .invalid domain (RFC 2606) until they
  // verify one; mail to it could never arrive, and retrying it would only fill the outbox.
  if (isPlaceholderAddress(draft.to)) return;
  const now = clock.now();
  const id = newId(now.getTime());
  const inserted = await db
    .insertInto('emails')
    .values({
      id,
      to_address: draft.to,
      subject: draft.subject,
      text_body: draft.text,
      html_body: draft.html ?? null,
      dedupe_key: draft.dedupeKey ?? null,
      reply_to: draft.replyTo ?? null,
      status: 'queued',
      transport: null,
      sent_at: null,
      error: null,
      created_at: now,
    })
    .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) await enqueue(db, clock, DELIVER_EMAIL_JOB, { emailId: id }, { singletonKey: `email:${id}` });
}

/**
 * Sends one queued email. A refusal is recorded on the email (the outbox shows why it is still queued)
 * and rethrown so the job retries; after the last attempt the email is marked failed.
 */
export async function deliverEmail(
  db: Database,
  clock: Clock,
  transport: MailTransport,
  emailId: string,
  attempt?: Pick<JobContext, 'attempt' | 'maxAttempts'>,
): Promise<void> {
  const email = await db.selectFrom('emails').selectAll().where('id', '=', emailId).executeTakeFirst();
  if (!email || email.status === 'sent') return;
  try {
    await transport.send({ to: email.to_address, subject: email.subject, text: email.text_body, html: email.html_body, replyTo: email.reply_to });
  } catch (error) {
    const lastAttempt = attempt !== undefined && attempt.attempt >= attempt.maxAttempts;
    const message = error instanceof Error ? error.message : String(error);
    await db
      .updateTable('emails')
      .set({ status: lastAttempt ? 'failed' : 'queued', error: message.slice(0, 2000), transport: transport.name })
      .where('id', '=', emailId)
      .execute();
    throw error;
  }
  await db
    .updateTable('emails')
    .set({ status: 'sent', sent_at: clock.now(), transport: transport.name, error: null })
    .where('id', '=', emailId)
    .execute();
}

export async function listOutbox(db: Database, limit = 50, to?: string) {
  let query = db.selectFrom('emails').selectAll().orderBy('id', 'desc').limit(limit);
  if (to) query = query.where((eb) => eb(eb.fn('lower', ['to_address']), '=', to.toLowerCase()));
  return query.execute();
}
