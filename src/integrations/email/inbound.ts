import { createHash } from 'node:crypto';
import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { JobHandlers } from '../../jobs/queue.ts';
import type { UserActor } from '../../modules/auth/actor.ts';
import { readableText } from '../../modules/assistant/assistant.messages.ts';
import type { AssistantService } from '../../modules/assistant/assistant.service.ts';
import { isPlaceholderAddress, queueEmail } from '../../modules/mail/mail.service.ts';
import { emailRepliesOn, readReplyAddress, readSupportAddress, REPLY_HINT, replyAddress, type ReplyTarget } from '../../modules/mail/reply-address.ts';
import { findRepoByFullName, type RepoRow } from '../../modules/repos/repos.repository.ts';
import { BODY_MAX, TITLE_MAX } from '../../modules/tickets/tickets.schemas.ts';
import type { TicketsService } from '../../modules/tickets/tickets.service.ts';
import { findOrCreateUser, findUserById } from '../../modules/users/users.repository.ts';
import { parseEmail, type InboundEmail } from './mime.ts';
import { EMAIL_TICKET_JOB, emailRequests, type StoredRequest } from './requests.ts';
import { senderProof } from './sender-auth.ts';

export const EMAIL_REPLY_JOB = 'email.reply';

/** A stored reply, as the job that adds it to its ticket reads it. */
type StoredReply = ReplyTarget & { text: string; from: string | null; messageId: string | null; subject: string };

/** Where an email goes: a reply to a ticket as the person its address was issued to, or a new ticket on a repository. */
type Route = { reply: ReplyTarget } | { support: string };

/** An address a new account can be made for and mailed at. */
const SENDER = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@.]{2,}$/;

/** A header as one line of text: control characters (a NUL cannot be stored, a newline could start a header of our email) become spaces. */
const oneLine = (header: string) => header.replace(/[\u0000-\u001f\u007f]/g, ' ');

/** "Re: Fwd: AW: Timeouts" is "Timeouts". */
const SUBJECT_PREFIXES = /^\s*(?:(?:re|fwd?|aw|wg|sv|tr)\s*(?:\[\d+\])?\s*:\s*)+/i;

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
  noAddress: () => new EmailRefused(422, 550, 'no_reply_address', 'This email was not sent to a reply address of a ticket or to the support address of a repository; answer a ticket notification, or write to support+<owner>.<name> at this domain to open a ticket.'),
  forged: () => new EmailRefused(403, 550, 'invalid_reply_address', 'This reply address is not valid: it was changed or was not issued by Backline. Answer the notification email as it came.'),
  ambiguous: () => new EmailRefused(422, 550, 'several_reply_addresses', 'This email was sent to the reply addresses of several tickets; answer each notification separately.'),
  tooLarge: (max: number) => new EmailRefused(413, 552, 'email_too_large', `This email is larger than ${Math.round(max / 1024)} KB; send a shorter reply and link to large logs or files instead of attaching them.`),
  noText: () => new EmailRefused(422, 550, 'no_text', 'This email has no text we can add to the ticket; write your reply as text above the quoted message.'),
  notTheRecipient: () => new EmailRefused(403, 550, 'sender_mismatch', 'This reply address was issued to someone else: answer from the address the notification was sent to. A forwarded notification cannot be answered by another person.'),
  automatic: () => new EmailRefused(422, 550, 'automatic_email', 'This email was sent automatically (an out-of-office answer, a bounce or a bulk mailing); it is not added to a ticket.'),
  unknownRepo: (address: string) => new EmailRefused(422, 550, 'unknown_support_address', `No repository on Backline takes support requests at ${address.slice(0, 150)}.`),
  noSender: () => new EmailRefused(422, 550, 'no_sender', 'This email has no sender address we can answer; send it from your own mailbox.'),
  severalRepos: () => new EmailRefused(422, 550, 'several_support_addresses', 'This email was sent to the support addresses of several repositories; write to each separately.'),
  // 450, not 550: the sender's server tries again later instead of bouncing, and gets in once the hour has passed.
  tooManyRequests: (limit: number) => new EmailRefused(429, 450, 'too_many_requests', `This address sent more than ${limit} support requests in the last hour; wait an hour, or answer the emails about your open tickets instead.`),
};

/** A repository that takes tickets by email: verified, with human support (the track a mailed ticket gets). */
const trackOf = (repo: RepoRow | undefined): 'expert' | 'community' | null =>
  !repo || repo.status !== 'verified' ? null : repo.offers_expert ? 'expert' : repo.offers_community ? 'community' : null;

/**
 * Tickets by email (docs/assistant.md): an email sent to a ticket's signed reply address becomes a message
 * on that ticket from the person the address was issued to, when it comes from that person's address; an
 * email sent to a repository's support address opens a new ticket there as its sender (once a trusted
 * server authenticated them, or they confirmed by a mailed link: requests.ts), who gets an
 * acknowledgement carrying their reply address. Both doors (the SMTP server and POST /webhooks/email) come
 * here: the address is checked first, then the size, then the sender and the text; an accepted email is
 * stored once per message and address, and handled by a job. Null when INBOUND_EMAIL_DOMAIN or
 * EMAIL_REPLY_SECRET is unset.
 */
export function createEmailChannel(deps: Deps, services: { tickets: TicketsService; assistant: AssistantService }) {
  const { config, db, clock, logger } = deps;
  if (!emailRepliesOn(config)) return null;
  const { tickets, assistant } = services;
  const maxBytes = config.INBOUND_EMAIL_MAX_BYTES;
  const requests = emailRequests(deps, assistant);
  assistant.retention.addPruner({ name: 'support requests by email never confirmed', prune: requests.pruneExpired });

  /** The ticket and person of one recipient address; throws for a reply address that does not verify. */
  function checkRecipient(address: string): ReplyTarget | null {
    const read = readReplyAddress(config, address);
    if (read === 'forged') throw refusals.forged();
    return read === 'foreign' ? null : read;
  }

  /**
   * Where the email goes among all its addresses: one reply target (forged ones refuse the whole email),
   * else one repository's support address; reply addresses win over a support address in copy.
   */
  function routeOf(addresses: string[]): Route {
    const targets = addresses.map(checkRecipient).filter((target): target is ReplyTarget => target !== null);
    const distinct = new Map(targets.map((target) => [`${target.ticketId}:${target.userId}`, target]));
    if (distinct.size > 1) throw refusals.ambiguous();
    if (distinct.size === 1) return { reply: [...distinct.values()][0] };
    const repos = new Set(addresses.map((address) => readSupportAddress(config, address)).filter((repo): repo is string => repo !== null));
    if (repos.size > 1) throw refusals.severalRepos();
    if (repos.size === 1) return { support: [...repos][0] };
    throw refusals.noAddress();
  }

  async function actorOf(userId: string): Promise<UserActor | null> {
    const user = await findUserById(db, userId);
    return user ? { kind: 'user', userId: user.id, email: user.email, isOperator: user.is_operator, via: 'email' } : null;
  }

  /** Stores an accepted reply once per key, with the job that adds it. */
  async function store(key: string, payload: StoredReply): Promise<boolean> {
    return assistant.inbox.recordForJob({ provider: 'email', externalId: key, type: 'reply', payload }, EMAIL_REPLY_JOB, { maxAttempts: 5 });
  }

  /** The reply's words, refused when unreadable (binary, empty or too long). */
  function textOf(email: InboundEmail): string {
    if (!email.reply) throw refusals.noText();
    try {
      return readableText(email.reply, 'your message', BODY_MAX);
    } catch (error) {
      throw new EmailRefused(422, 550, 'unreadable_reply', (error as Error).message);
    }
  }

  /** One message sent to one address is one email, however often a provider delivers or retries it. */
  const keyOf = (email: InboundEmail, raw: Buffer, address: string) => createHash('sha256').update(`${email.messageId ?? raw.toString('base64')}\n${address}`).digest('hex');

  /**
   * A reply counts only from the person its address was issued to (their account's address, compared
   * case-insensitively): a notification forwarded to a colleague carries the customer's address, and
   * the colleague's answer must not be added as the customer's.
   */
  async function receiveReply(raw: Buffer, email: InboundEmail, target: ReplyTarget): Promise<boolean> {
    const owner = await findUserById(db, target.userId);
    if (!owner || !email.from || email.from.toLowerCase() !== owner.email.toLowerCase()) {
      logger.warn({ ticketId: target.ticketId, reason: owner ? (email.from ? 'the sender is not the person the reply address was issued to' : 'no From address') : 'the person no longer exists' }, 'email reply refused');
      throw refusals.notTheRecipient();
    }
    const text = textOf(email);
    const payload: StoredReply = { ...target, text, from: email.from, messageId: email.messageId, subject: email.subject.slice(0, 300) };
    const stored = await store(keyOf(email, raw, `${target.ticketId}:${target.userId}`), payload);
    logger.info({ ticketId: target.ticketId, duplicate: !stored }, 'email reply received');
    return stored;
  }

  /**
   * A mail to a repository's support address: checked here (the repository takes tickets, a sender to
   * answer, within the sender's hourly limit), then opened by a job when a trusted server authenticated
   * the sender, else held until the From address confirms it (requests.ts).
   */
  async function receiveRequest(raw: Buffer, email: InboundEmail, repoName: string, address: string): Promise<boolean> {
    const repo = await findRepoByFullName(db, repoName);
    if (!trackOf(repo)) throw refusals.unknownRepo(address);
    if (!email.from || !SENDER.test(email.from) || isPlaceholderAddress(email.from)) throw refusals.noSender();
    const text = textOf(email);
    const request: StoredRequest = { repo: repo!.full_name, from: email.from, fromName: oneLine(email.fromName).slice(0, 100), subject: oneLine(email.subject).slice(0, 300), text, messageId: email.messageId };
    const proof = senderProof(email.authResults, email.from, config.INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS);
    const reception = await requests.receive({ key: keyOf(email, raw, `support:${repo!.id}`), repoId: repo!.id, request, authenticated: proof !== null });
    if (reception === 'limited') {
      logger.warn({ repo: repo!.full_name, limit: config.INBOUND_EMAIL_REQUESTS_PER_HOUR }, 'email support request refused: too many from this sender in an hour');
      throw refusals.tooManyRequests(config.INBOUND_EMAIL_REQUESTS_PER_HOUR);
    }
    logger.info({ repo: repo!.full_name, reception, authenticatedBy: proof }, 'email support request received');
    return reception !== 'duplicate';
  }

  /**
   * Opens the mailed ticket as its sender (a Backline user by that address, created when new), and
   * acknowledges it; the request (stored under `key`) records its ticket, or why it was refused.
   */
  async function openRequest(eventId: string, key: string, request: StoredRequest): Promise<void> {
    const now = clock.now();
    const sender = await findOrCreateUser(db, now, { email: request.from, displayName: request.fromName || request.from.split('@')[0] });
    const actor: UserActor = { kind: 'user', userId: sender.id, email: sender.email, isOperator: sender.is_operator, via: 'email' };
    const repo = await findRepoByFullName(db, request.repo);
    const track = trackOf(repo);
    const title = (request.subject.replace(SUBJECT_PREFIXES, '').trim() || request.text.split('\n')[0].trim()).slice(0, TITLE_MAX);
    let opened: { id: string } | null = null;
    let refusal = track ? null : `${request.repo} takes no support requests at the moment`;
    if (track) {
      try {
        opened = await tickets.create(actor, { repo: request.repo, title, body: request.text, track, priority: 'normal', channel: 'email' });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        refusal = error.message;
      }
    }
    await db.transaction().execute(async (trx) => {
      if (!(await assistant.inbox.markHandled(trx, eventId))) return;
      await requests.recordOutcome(trx, key, opened ? { ticketId: opened.id } : { refusal: refusal! });
      if (!opened) {
        await queueEmail(trx, clock, { to: sender.email, subject: `Not opened: ${title}`.slice(0, 300), text: `Your email could not be opened as a ticket: ${refusal}\n\nWhat you wrote:\n\n${request.text}`, dedupeKey: `email-ticket-refused:${eventId}` });
        return;
      }
      const next = track === 'expert'
        ? `The approved helpers of ${request.repo} were told; the first to take it will answer you here, and a quote or a payment link follows when the work is paid.`
        : `It is a community question: anyone in the ${request.repo} community may answer.`;
      await queueEmail(trx, clock, {
        to: sender.email,
        subject: `Ticket opened: ${title}`.slice(0, 300),
        text: `We opened a ticket on ${request.repo} with your email.\n\n${next}\n\nFollow it at ${publicUrl(config)}/tickets/${opened.id}\n\n${REPLY_HINT}`,
        replyTo: replyAddress(config, opened.id, sender.id),
        dedupeKey: `email-ticket-opened:${eventId}`,
      });
    });
  }

  return {
    maxBytes,
    /** A reply address's ticket and person; null for addresses that are not reply addresses. Throws for a forged one. */
    checkRecipient,
    /**
     * For SMTP's RCPT TO: a reply address that verifies, or the support address of a repository that
     * takes tickets. False for other addresses (refused as unknown); throws for a forged reply address.
     */
    async acceptsRecipient(address: string): Promise<boolean> {
      if (checkRecipient(address)) return true;
      const repo = readSupportAddress(config, address);
      return repo !== null && trackOf(await findRepoByFullName(db, repo)) !== null;
    },
    refusals,
    /** Held support requests and their confirmation links (GET and POST /email/confirm). */
    requests,

    /**
     * Reads, checks and stores one email. `envelopeTo` are the SMTP recipients, which decide over the
     * headers (a reply address in Bcc, or a forward); over HTTP the headers are all there is.
     */
    async receive(raw: Buffer, envelopeTo: string[] | null): Promise<{ duplicate: boolean }> {
      if (raw.length > maxBytes) throw refusals.tooLarge(maxBytes);
      if (envelopeTo) routeOf(envelopeTo);
      const email = await parseEmail(raw).catch(() => {
        throw new EmailRefused(400, 550, 'malformed_email', 'This is not an email message we can read (MIME).');
      });
      const addresses = envelopeTo ?? email.recipients;
      const route = routeOf(addresses);
      if (email.automatic) throw refusals.automatic();
      if ('reply' in route) return { duplicate: !(await receiveReply(raw, email, route.reply)) };
      const address = addresses.find((candidate) => readSupportAddress(config, candidate) === route.support) ?? route.support;
      return { duplicate: !(await receiveRequest(raw, email, route.support, address)) };
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

      /** Opens a ticket from a mail to a support address; a refusal (the repository stopped taking them) is mailed back. */
      [EMAIL_TICKET_JOB]: async ({ eventId }: { eventId: string }) => {
        const event = await assistant.inbox.find(eventId);
        if (!event || event.handled_at) return;
        await openRequest(eventId, event.external_id, event.payload as StoredRequest);
      },
    } satisfies JobHandlers,
  };
}

export type EmailChannel = NonNullable<ReturnType<typeof createEmailChannel>>;
