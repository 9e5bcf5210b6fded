import { createHash } from 'node:crypto';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { JobHandlers } from '../../jobs/queue.ts';
import type { UserActor } from '../../modules/auth/actor.ts';
import { readableText } from '../../modules/assistant/assistant.messages.ts';
import type { AssistantService } from '../../modules/assistant/assistant.service.ts';
import { queueEmail } from '../../modules/mail/mail.service.ts';
import { emailRepliesOn, readReplyAddress, type ReplyTarget } from '../../modules/mail/reply-address.ts';
import { BODY_MAX } from '../../modules/tickets/tickets.schemas.ts';
import type { TicketsService } from '../../modules/tickets/tickets.service.ts';
import { findUserById } from '../../modules/users/users.repository.ts';
import { parseEmail } from './mime.ts';

export const EMAIL_REPLY_JOB = 'email.reply';

/** A stored reply, as the job that adds it to its ticket reads it. */
type StoredReply = ReplyTarget & { text: string; from: string | null; messageId: string | null; subject: string };

/**
 * Why an inbound email is refused. The SMTP server answers with `smtp` (550 at RCPT for addresses, 552 for
 * size, 550 after DATA for the content); the HTTP endpoint with the status. Nothing is stored for them.
 */
export class EmailRefused extends AppError {
  readonly smtp: number;
  constructor(status: number, smtp: number, code: string, message: string) {
    super(status, code, message);
    this.smtp = smtp;
  }
}

const refusals = {
  noAddress: () => new EmailRefused(422, 550, 'no_reply_address', 'This email was not sent to a reply address of a ticket; answer a ticket notification to reach the ticket.'),
  forged: () => new EmailRefused(403, 550, 'invalid_reply_address', 'This reply address is not valid: it was changed or was not issued by Backline. Answer the notification email as it came.'),
  ambiguous: () => new EmailRefused(422, 550, 'several_reply_addresses', 'This email was sent to the reply addresses of several tickets; answer each notification separately.'),
  tooLarge: (max: number) => new EmailRefused(413, 552, 'email_too_large', `This email is larger than ${Math.round(max / 1024)} KB; send a shorter reply and link to large logs or files instead of attaching them.`),
  noText: () => new EmailRefused(422, 550, 'no_text', 'This email has no text we can add to the ticket; write your reply as text above the quoted message.'),
};

/**
 * Replies by email (docs/assistant.md): an email sent to a ticket's signed reply address becomes a message
 * on that ticket from the person the address was issued to. Both doors (the SMTP server and POST
 * /webhooks/email) come here: the address is checked first, then the size, then the text; an accepted
 * reply is stored once per message and address, and added to the ticket by a job. Null when
 * INBOUND_EMAIL_DOMAIN or EMAIL_REPLY_SECRET is unset.
 */
export function createEmailChannel(deps: Deps, services: { tickets: TicketsService; assistant: AssistantService }) {
  const { config, db, clock, logger } = deps;
  if (!emailRepliesOn(config)) return null;
  const { tickets, assistant } = services;
  const maxBytes = config.INBOUND_EMAIL_MAX_BYTES;

  /** The ticket and person of one recipient address; throws for a reply address that does not verify. */
  function checkRecipient(address: string): ReplyTarget | null {
    const read = readReplyAddress(config, address);
    if (read === 'forged') throw refusals.forged();
    return read === 'foreign' ? null : read;
  }

  /** The one reply target among all the addresses: forged ones refuse the whole email. */
  function targetOf(addresses: string[]): ReplyTarget {
    const targets = addresses.map(checkRecipient).filter((target): target is ReplyTarget => target !== null);
    const distinct = new Map(targets.map((target) => [`${target.ticketId}:${target.userId}`, target]));
    if (distinct.size === 0) throw refusals.noAddress();
    if (distinct.size > 1) throw refusals.ambiguous();
    return [...distinct.values()][0];
  }

  async function actorOf(userId: string): Promise<UserActor | null> {
    const user = await findUserById(db, userId);
    return user ? { kind: 'user', userId: user.id, email: user.email, isOperator: user.is_operator, via: 'email' } : null;
  }

  return {
    maxBytes,
    /** For SMTP's RCPT TO: null for addresses that are not ours (the server refuses them as unknown). */
    checkRecipient,
    refusals,

    /**
     * Reads, checks and stores one email. `envelopeTo` are the SMTP recipients, which decide over the
     * headers (a reply address in Bcc, or a forward); over HTTP the headers are all there is.
     */
    async receive(raw: Buffer, envelopeTo: string[] | null): Promise<{ duplicate: boolean; ticketId: string }> {
      if (raw.length > maxBytes) throw refusals.tooLarge(maxBytes);
      if (envelopeTo) targetOf(envelopeTo);
      const email = await parseEmail(raw).catch(() => {
        throw new EmailRefused(400, 550, 'malformed_email', 'This is not an email message we can read (MIME).');
      });
      const target = targetOf(envelopeTo ?? email.recipients);
      if (!email.reply) throw refusals.noText();
      let text: string;
      try {
        text = readableText(email.reply, 'your reply', BODY_MAX);
      } catch (error) {
        throw new EmailRefused(422, 550, 'unreadable_reply', (error as Error).message);
      }
      // One message sent to one address is one reply, however often a provider delivers or retries it.
      const key = createHash('sha256').update(`${email.messageId ?? raw.toString('base64')}\n${target.ticketId}:${target.userId}`).digest('hex');
      const payload: StoredReply = { ...target, text, from: email.from, messageId: email.messageId, subject: email.subject.slice(0, 300) };
      const stored = await assistant.inbox.recordForJob({ provider: 'email', externalId: key, type: 'reply', payload }, EMAIL_REPLY_JOB, { maxAttempts: 5 });
      logger.info({ ticketId: target.ticketId, duplicate: !stored }, 'email reply received');
      return { duplicate: !stored, ticketId: target.ticketId };
    },

    jobHandlers: {
      /**
       * Adds the reply as its person. When the tickets service refuses (the ticket is closed, the person no
       * longer works on it), the sender is told by email why, so that a reply never silently disappears.
       */
      [EMAIL_REPLY_JOB]: async ({ eventId }: { eventId: string }) => {
        const event = await assistant.inbox.find(eventId);
        if (!event || event.handled_at) return;
        const reply = event.payload as StoredReply;
        const actor = await actorOf(reply.userId);
        let refusal: string | null = actor ? null : 'the account this reply address was issued to no longer exists';
        if (actor) {
          try {
            await tickets.postMessage(actor, reply.ticketId, { body: reply.text, internal: false, channel: 'email' });
          } catch (error) {
            if (!(error instanceof AppError) || error.status >= 500) throw error;
            refusal = error.message;
          }
        }
        await db.transaction().execute(async (trx) => {
          if (!(await assistant.inbox.markHandled(trx, eventId))) return;
          if (refusal && actor) {
            await queueEmail(trx, clock, {
              to: actor.email,
              subject: `Not delivered: ${reply.subject || 'your reply'}`.slice(0, 300),
              text: `Your reply could not be added to the ticket: ${refusal}\n\nWhat you wrote:\n\n${reply.text}`,
              dedupeKey: `email-reply-refused:${eventId}`,
            });
          }
        });
      },
    } satisfies JobHandlers,
  };
}

export type EmailChannel = NonNullable<ReturnType<typeof createEmailChannel>>;
