import { sql } from 'kysely';
import { publicUrl } from '../../config.ts';
import type { Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { enqueue } from '../../jobs/queue.ts';
import { DAY, HOUR } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { AssistantService } from '../../modules/assistant/assistant.service.ts';
import { queueEmail } from '../../modules/mail/mail.service.ts';
import { openToken, sealToken, uuidBytes, uuidOf } from '../../modules/mail/reply-address.ts';

export const EMAIL_TICKET_JOB = 'email.new-ticket';
export const CONFIRM_PATH = '/email/confirm';
/** How long a held request can be confirmed: long enough for a weekend away from the mailbox. */
export const CONFIRM_TTL_DAYS = 7;
const CONFIRM_PURPOSE = 'backline-email-confirm-v1';
/** A request's id (16 bytes) and the link's expiry in Unix seconds (4 bytes). */
const CONFIRM_BYTES = 20;

/** A stored mail to a support address, as the job that opens its ticket reads it. */
export type StoredRequest = { repo: string; from: string; fromName: string; subject: string; text: string; messageId: string | null };

/** What became of a received request: already stored, waiting for its sender's confirmation, or on its way to be opened. */
export type Reception = 'duplicate' | 'limited' | 'held' | 'opening';

/** Where a request stands, as its confirmation page shows it. */
export type RequestState = { repo: string } & (
  | { state: 'held'; subject: string }
  | { state: 'opening' }
  | { state: 'opened'; ticketId: string }
  | { state: 'refused'; refusal: string }
);

const invalidLink = () => new AppError(403, 'invalid_confirmation_link', 'This confirmation link is not valid: it was changed or was not issued by Backline. Open the link in the email as it came.');
const expiredLink = () => new AppError(410, 'confirmation_expired', `This confirmation link has expired (links work for ${CONFIRM_TTL_DAYS} days); send your email to the support address again to get a new one.`);

/**
 * Support requests by email, before their ticket is opened (docs/assistant.md): each one is counted
 * against its sender's hourly limit, and one whose sender is not authenticated is held until the person
 * at its From address confirms it by a signed, expiring link. Opening is always the same job.
 */
export function emailRequests(deps: Deps, assistant: AssistantService) {
  const { config, db, clock } = deps;
  const secret = config.EMAIL_REPLY_SECRET!;

  function confirmToken(requestId: string, expiresAt: Date): string {
    const expiry = Buffer.alloc(4);
    expiry.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000));
    return sealToken(secret, CONFIRM_PURPOSE, Buffer.concat([uuidBytes(requestId), expiry]));
  }

  /** The held request a link names; a 403 for a link we did not sign, a 410 once it expired. */
  async function requestOfLink(token: string) {
    const data = openToken(secret, CONFIRM_PURPOSE, token, CONFIRM_BYTES);
    if (!data) throw invalidLink();
    if (data.readUInt32BE(16) * 1000 <= clock.now().getTime()) throw expiredLink();
    const row = await db.selectFrom('email_requests').innerJoin('repos', 'repos.id', 'email_requests.repo_id').select(['email_requests.id', 'message_key', 'held', 'confirmed_at', 'ticket_id', 'refusal', 'repos.full_name']).where('email_requests.id', '=', uuidOf(data.subarray(0, 16))).executeTakeFirst();
    if (!row) throw expiredLink();
    return row;
  }

  /** The chat event and the job that opens its ticket (EMAIL_TICKET_JOB), in the caller's transaction; once per key. */
  async function queueOpening(trx: Queryable, key: string, request: StoredRequest): Promise<void> {
    const eventId = await assistant.inbox.record(trx, { provider: 'email', externalId: key, type: 'new_ticket', payload: request, handled: false });
    if (eventId) await enqueue(trx, clock, EMAIL_TICKET_JOB, { eventId }, { maxAttempts: 5 });
  }

  function confirmationEmail(requestId: string, request: StoredRequest, expiresAt: Date) {
    const link = `${publicUrl(config)}${CONFIRM_PATH}?token=${confirmToken(requestId, expiresAt)}`;
    return {
      to: request.from,
      subject: `Confirm your support request to ${request.repo}`,
      // Only the subject is quoted: the text came from whoever wrote the From header, who may not be its owner.
      text: `We received an email from this address asking ${request.repo} for support${request.subject ? ` ("${request.subject.slice(0, 100)}")` : ''}.\n\nTo open it as a ticket, confirm it here (the link works for ${CONFIRM_TTL_DAYS} days):\n\n${link}\n\nIf you did not write it, ignore this email: nothing is opened in your name.`,
      dedupeKey: `email-request-confirm:${requestId}`,
    };
  }

  return {
    /**
     * Stores one request under its sender's hourly limit: 'limited' (nothing stored) past
     * INBOUND_EMAIL_REQUESTS_PER_HOUR, 'duplicate' for a message seen before. An authenticated sender's
     * request goes on to be opened; any other is held, and its From address gets the confirmation link.
     * Senders are counted under a lock on their address (see countedSender), so concurrent mails cannot
     * all pass the limit.
     */
    async receive(input: { key: string; repoId: string; request: StoredRequest; authenticated: boolean }): Promise<Reception> {
      const { key, request, authenticated } = input;
      const sender = countedSender(request.from);
      return db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`email_requests:${sender}`}, 0))`.execute(trx);
        if (await trx.selectFrom('email_requests').select('id').where('message_key', '=', key).executeTakeFirst()) return 'duplicate';
        const now = clock.now();
        const recent = await trx
          .selectFrom('email_requests')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('sender', '=', sender)
          .where('received_at', '>', new Date(now.getTime() - HOUR))
          .executeTakeFirstOrThrow();
        if (Number(recent.count) >= config.INBOUND_EMAIL_REQUESTS_PER_HOUR) return 'limited';
        const id = newId(now.getTime());
        await trx
          .insertInto('email_requests')
          .values({ id, sender, repo_id: input.repoId, message_key: key, held: authenticated ? null : JSON.stringify(request), received_at: now, confirmed_at: authenticated ? now : null, ticket_id: null, refusal: null })
          .execute();
        if (authenticated) {
          await queueOpening(trx, key, request);
          return 'opening';
        }
        await queueEmail(trx, clock, confirmationEmail(id, request, new Date(now.getTime() + CONFIRM_TTL_DAYS * DAY)));
        return 'held';
      });
    },

    /** Where the request of a confirmation link stands; 403 / 410 for a link that is not valid (any more). */
    async state(token: string): Promise<RequestState> {
      const row = await requestOfLink(token);
      const repo = row.full_name;
      if (row.ticket_id) return { repo, state: 'opened', ticketId: row.ticket_id };
      if (row.refusal) return { repo, state: 'refused', refusal: row.refusal };
      if (row.confirmed_at || !row.held) return { repo, state: 'opening' };
      return { repo, state: 'held', subject: (row.held as StoredRequest).subject };
    },

    /**
     * The sender confirms: the request goes on to be opened, by the same job as an authenticated one.
     * Once: of concurrent confirmations only the one that marks it confirmed queues the job, and a
     * confirmed request stays as it is.
     */
    async confirm(token: string): Promise<void> {
      const row = await requestOfLink(token);
      if (row.confirmed_at || !row.held) return;
      await db.transaction().execute(async (trx) => {
        const claimed = await trx.updateTable('email_requests').set({ confirmed_at: clock.now(), held: null }).where('id', '=', row.id).where('confirmed_at', 'is', null).executeTakeFirst();
        if (claimed.numUpdatedRows > 0n) await queueOpening(trx, row.message_key, row.held as StoredRequest);
      });
    },

    /**
     * Deletes held requests whose confirmation link has expired, a day after it did (their text came from
     * someone who may not own the From address, and nobody can confirm them any more); returns how many.
     * Requests that were confirmed stay: they name their ticket.
     */
    async pruneExpired(): Promise<number> {
      const before = new Date(clock.now().getTime() - (CONFIRM_TTL_DAYS + 1) * DAY);
      const result = await db.deleteFrom('email_requests').where('confirmed_at', 'is', null).where('received_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Records what came of a request (its ticket, or the reason it was refused), in the job's transaction. */
    async recordOutcome(trx: Queryable, key: string, outcome: { ticketId: string } | { refusal: string }): Promise<void> {
      await trx.updateTable('email_requests').set('ticketId' in outcome ? { ticket_id: outcome.ticketId } : { refusal: outcome.refusal.slice(0, 1000) }).where('message_key', '=', key).execute();
    },
  };
}

export type EmailRequests = ReturnType<typeof emailRequests>;

/**
 * The address the per-sender limit counts by: lowercased, and without a `+tag` after the local part. At
 * most providers alice+anything@example.com reaches alice@example.com, so each new tag would otherwise be
 * a fresh hourly allowance for the same mailbox. Only the count uses it: mail still goes to the address
 * as written.
 */
function countedSender(from: string): string {
  return from.toLowerCase().replace(/^([^@+]+)\+[^@]*@/, '$1@');
}
