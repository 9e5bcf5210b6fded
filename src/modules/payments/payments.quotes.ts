import { badRequest, conflict, forbidden, invalidField, notFound } from '../../errors.ts';
import { DAY } from '../../lib/clock.ts';
import { newId, UUID_PATTERN } from '../../lib/ids.ts';
import type { Actor } from '../auth/actor.ts';
import { queueEmail } from '../mail/mail.service.ts';
import type { TicketView } from '../tickets/tickets.service.ts';
import { withIdempotency } from './idempotency.ts';
import { requireAssignee, requireCustomer, ticketAccess, ticketBehind } from './payments.access.ts';
import { openCheckout, PAYABLE_TICKET } from './payments.checkout.ts';
import { notifyPaymentObservers, type PaymentsContext } from './payments.context.ts';
import { quoteEmail } from './payments.notifications.ts';
import { presentPaymentById, presentQuote } from './payments.presenter.ts';
import { QUOTE_DEFAULT_DAYS, QUOTE_MAX_DAYS, type CreateQuoteInput } from './payments.schemas.ts';
import * as quotes from './quotes.repository.ts';

/** A helper quotes while working on the ticket: after claiming it and before resolving it. */
const QUOTABLE = ['claimed', 'in_progress', 'waiting_on_customer'];

/** Why a quote cannot be accepted, declined or withdrawn any more, or null while it still can. */
function closedReason(quote: quotes.QuoteRow, now: Date) {
  switch (quote.status) {
    case 'accepted':
      return conflict('This quote was already accepted; it is paid once. See GET /api/v1/tickets/{id}/payments.', 'quote_already_accepted');
    case 'declined':
      return conflict('This quote was declined; ask the helper for a new one.', 'quote_declined');
    case 'withdrawn':
      return conflict('The helper withdrew this quote; ask them for a new one.', 'quote_withdrawn');
    default:
      return quote.expires_at.getTime() <= now.getTime()
        ? conflict(`This quote expired on ${quote.expires_at.toISOString()}; ask the helper for a new one.`, 'quote_expired')
        : null;
  }
}

export function quoteFlows(ctx: PaymentsContext) {
  const { db, clock } = ctx.deps;

  /** The currencies the ticket's offering is sold in, or null when the ticket has none (any currency goes). */
  async function offeringCurrencies(actor: Actor, ticket: TicketView): Promise<string[] | null> {
    if (!ticket.offering_id) return null;
    const offering = (await ctx.offerings.list(actor, ticket.repo_full_name)).find((candidate) => candidate.id === ticket.offering_id);
    // Withdrawn since the ticket was opened: the customer is no longer bound to its currencies.
    if (!offering) return null;
    return [...new Set([offering.currency, ...offering.prices.map((price) => price.currency)])];
  }

  function expiryOf(input: CreateQuoteInput, now: Date): Date {
    if (!input.expiresAt) return new Date(now.getTime() + QUOTE_DEFAULT_DAYS * DAY);
    const expiresAt = new Date(input.expiresAt);
    if (expiresAt.getTime() <= now.getTime()) throw invalidField('body.expiresAt', 'must be in the future');
    if (expiresAt.getTime() > now.getTime() + QUOTE_MAX_DAYS * DAY) throw invalidField('body.expiresAt', `must be at most ${QUOTE_MAX_DAYS} days from now`);
    return expiresAt;
  }

  /** The quote and its ticket as the actor sees them; someone else's quote is a 404. */
  async function quoteAccess(actor: Actor, id: string) {
    const quote = UUID_PATTERN.test(id) ? await quotes.findQuote(db, id) : undefined;
    if (!quote) throw notFound('The quote');
    return { quote, ...(await ticketBehind(ctx, actor, quote.ticket_id, 'The quote')) };
  }

  /** Declines or withdraws: the first decision under the row lock wins, later ones get a 409. */
  async function decide(id: string, actorId: string, status: 'declined' | 'withdrawn') {
    const now = clock.now();
    const row = await db.transaction().execute(async (trx) => {
      const quote = (await quotes.findQuote(trx, id, { lock: true }))!;
      const closed = closedReason(quote, now);
      if (closed) throw closed;
      return quotes.updateQuote(trx, id, { status, decided_by: actorId, decided_at: now, updated_at: now });
    });
    return presentQuote(row, now);
  }

  return {
    async create(actor: Actor, ticketId: string, input: CreateQuoteInput) {
      const { user, ticket, relation } = await ticketAccess(ctx, actor, ticketId);
      requireAssignee(relation, 'send a quote');
      if (!QUOTABLE.includes(ticket.status)) {
        throw conflict(`This ticket is ${ticket.status.replaceAll('_', ' ')}; quotes are sent while it is claimed or in progress.`, 'ticket_not_quotable');
      }
      const currencies = await offeringCurrencies(actor, ticket);
      if (currencies && !currencies.includes(input.currency)) {
        throw badRequest(`The ticket's offering is sold in ${currencies.join(', ')}; quote in one of those, not ${input.currency}.`, [
          { path: 'body.currency', message: `must be one of ${currencies.join(', ')}` },
        ]);
      }
      const now = clock.now();
      const row = await db.transaction().execute(async (trx) => {
        const quote = await quotes.insertQuote(trx, {
          id: newId(now.getTime()),
          ticket_id: ticket.id,
          helper_id: user.userId,
          amount: input.amount,
          currency: input.currency,
          description: input.description,
          estimated_minutes: input.estimatedMinutes,
          status: 'pending',
          expires_at: expiryOf(input, now),
          decided_by: null,
          decided_at: null,
          created_at: now,
          updated_at: now,
        });
        await queueEmail(trx, clock, quoteEmail(ctx.deps.config, ticket, quote));
        await notifyPaymentObservers(ctx, trx, { type: 'quote_sent', ticket, quote });
        return quote;
      });
      return presentQuote(row, now);
    },

    /** The customer, the assignee and the repository's maintainers see a ticket's quotes. */
    async list(actor: Actor, ticketId: string) {
      const { ticket, relation } = await ticketAccess(ctx, actor, ticketId);
      if (!relation.customer && !relation.assignee && !relation.maintainer) {
        throw forbidden("A ticket's quotes are for its customer, its assignee and the repository's maintainers.");
      }
      const now = clock.now();
      return { items: (await quotes.quotesOfTicket(db, ticket.id)).map((row) => presentQuote(row, now)) };
    },

    async decline(actor: Actor, id: string) {
      const { user, quote, relation } = await quoteAccess(actor, id);
      requireCustomer(relation, 'decline a quote');
      return decide(quote.id, user.userId, 'declined');
    },

    async withdraw(actor: Actor, id: string) {
      const { user, quote } = await quoteAccess(actor, id);
      if (quote.helper_id !== user.userId) throw forbidden('Only the helper who sent this quote may withdraw it.');
      return decide(quote.id, user.userId, 'withdrawn');
    },

    /**
     * The customer accepts: the quote is locked, checked and marked accepted, and its payment opened, in
     * one transaction with the Idempotency-Key. Two accepts with different keys take turns on the lock:
     * the second finds the quote accepted (409), so there is exactly one payment.
     */
    async accept(actor: Actor, id: string, key: string) {
      const { user, quote, ticket, relation } = await quoteAccess(actor, id);
      if (!relation.customer) throw notFound('The quote');
      const { repo } = await ctx.repos.access(actor, ticket.repo_full_name);
      const stored = await withIdempotency(db, clock, { actorId: user.userId, key, route: 'POST /api/v1/quotes/{id}/accept', request: { quoteId: quote.id } }, async (trx) => {
        const now = clock.now();
        const locked = (await quotes.findQuote(trx, quote.id, { lock: true }))!;
        const closed = closedReason(locked, now);
        if (closed) throw closed;
        const current = (await ctx.tickets.findById(trx, ticket.id))!;
        if (!PAYABLE_TICKET.includes(current.status)) {
          throw conflict(`This ticket is ${current.status}; a quote on it can no longer be accepted.`, 'ticket_not_payable');
        }
        if (current.assignee_id !== locked.helper_id) {
          throw conflict('The helper who sent this quote no longer works on this ticket; ask the current assignee for a quote.', 'quote_helper_changed');
        }
        const payment = await openCheckout(ctx, trx, {
          ticketId: current.id,
          repoId: current.repo_id,
          payer: user,
          kind: 'quote',
          quoteId: locked.id,
          helperId: locked.helper_id,
          amount: locked.amount,
          currency: locked.currency,
          description: locked.description,
          commissionBps: repo.commission_bps,
        });
        await quotes.updateQuote(trx, locked.id, { status: 'accepted', decided_by: user.userId, decided_at: now, updated_at: now });
        return { status: 201, body: { payment: await presentPaymentById(trx, payment.id) } };
      });
      return stored;
    },
  };
}
