import type { Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { AppError, conflict, forbidden, invalidField, notFound } from '../../errors.ts';
import { DAY } from '../../lib/clock.ts';
import { newId, UUID_PATTERN } from '../../lib/ids.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import { withIdempotency } from '../payments/idempotency.ts';
import type { PaymentsService } from '../payments/payments.service.ts';
import type { PlansService } from '../plans/plans.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { SchedulingService } from '../scheduling/scheduling.service.ts';
import { MAX_BOOKING_MINUTES } from '../scheduling/scheduling.schemas.ts';
import type { TicketsService } from '../tickets/tickets.service.ts';
import { presentQuote, presentRequest } from './consulting.presenter.ts';
import * as repo from './consulting.repository.ts';
import { QUOTE_DEFAULT_DAYS, type AcceptInput, type QuoteInput, type RequestInput } from './consulting.schemas.ts';

type Services = {
  repos: ReposService;
  tickets: TicketsService;
  payments: PaymentsService;
  scheduling: SchedulingService;
  plans: Pick<PlansService, 'unlinkTicket'>;
};

/** The first session of an engagement is booked at acceptance: the quoted hours, a working day at most. */
export const firstSessionMinutes = (hours: number) => Math.min(hours * 60, MAX_BOOKING_MINUTES);

/** A scheduling refusal about one proposed start, named for the field the quoting helper sent. */
function aboutProposedStart(error: unknown, index: number): unknown {
  if (error instanceof AppError && error.status === 404) {
    return conflict('Publish your availability first (PUT /api/v1/helpers/me/availability): proposed starts must lie within it.', 'no_availability');
  }
  if (error instanceof AppError && error.status === 400) return invalidField(`body.proposedStarts.${index}`, error.details[0]?.message ?? error.message);
  return error;
}

/** Why a quote can no longer be accepted, or null while it can. */
function closedReason(quote: repo.QuoteRow, now: Date): AppError | null {
  if (quote.status === 'accepted') return conflict('This quote was already accepted.', 'quote_already_accepted');
  if (quote.status !== 'pending') return conflict(`This quote was ${quote.status}; ask for a new one.`, `quote_${quote.status}`);
  if (quote.expires_at.getTime() <= now.getTime()) return conflict(`This quote expired on ${quote.expires_at.toISOString()}; ask for a new one.`, 'quote_expired');
  return null;
}

/**
 * Consulting requests: a business asks for a service with its context, and the request is worked as an
 * expert ticket of the repository (its helpers are notified; it has a conversation and a time log). An
 * approved helper or a maintainer answers with a quote: hours, price, proposed starts within their own
 * availability. Accepting it, with an Idempotency-Key, opens the payment (card or invoice) and books the
 * first session in one transaction: both or neither. The money is held until the ticket is confirmed,
 * then released to the quoting helper like any ticket's payment.
 */
export function consultingRequests(deps: Deps, services: Services) {
  const { db, clock } = deps;
  const { repos, tickets, payments, scheduling, plans } = services;

  /** The request as the actor sees it, through its ticket's visibility rule (404 for everyone else). */
  async function visible(actor: Actor, id: string) {
    requireUser(actor); // signed out is a 401 whether or not the request exists
    const request = UUID_PATTERN.test(id) ? await repo.findRequest(db, id) : undefined;
    if (!request) throw notFound('The consulting request');
    const { ticket, relation } = await tickets.access(actor, request.ticket_id).catch((error) => {
      throw error instanceof AppError && error.status === 404 ? notFound('The consulting request') : error;
    });
    if (!relation.customer && !relation.staff) throw notFound('The consulting request');
    return { request, ticket, relation, user: requireUser(actor) };
  }

  async function present(scope: Queryable, request: repo.RequestRow) {
    return presentRequest(request, await repo.requestNames(scope, request), await repo.quotesOf(scope, request.id), clock.now());
  }

  /**
   * Declines (the customer) or withdraws (the helper who sent it) a pending quote, under its row lock, so
   * that it cannot be accepted in the same moment. Saying it twice changes nothing; an accepted quote is
   * paid for and cannot be closed this way (a 409): the payment is refunded instead.
   */
  async function closeQuote(actor: Actor, quoteId: string, outcome: 'declined' | 'withdrawn') {
    requireUser(actor); // signed out is a 401 before anything is looked up
    const found = UUID_PATTERN.test(quoteId) ? await repo.findQuote(db, quoteId) : undefined;
    if (!found) throw notFound('The quote');
    const { relation, user } = await visible(actor, found.request_id);
    if (outcome === 'declined' && !relation.customer) throw forbidden('Only the person who asked, or an admin of their organization, declines a quote.');
    if (outcome === 'withdrawn' && found.helper_id !== user.userId) throw forbidden('Only the helper who sent a quote withdraws it.');
    return db.transaction().execute(async (trx) => {
      const quote = (await repo.findQuote(trx, quoteId, { lock: true }))!;
      const now = clock.now();
      if (quote.status === outcome) return presentQuote(quote, now);
      if (quote.status === 'accepted') throw conflict('This quote was accepted and paid for; ask for a refund instead.', 'quote_already_accepted');
      if (quote.status !== 'pending') throw conflict(`This quote was ${quote.status} already.`, `quote_${quote.status}`);
      return presentQuote(await repo.updateQuote(trx, quote.id, { status: outcome, decided_by: user.userId, decided_at: now, updated_at: now }), now);
    });
  }

  return {
    get: async (actor: Actor, id: string) => present(db, (await visible(actor, id)).request),

    async request(actor: Actor, input: RequestInput) {
      const user = requireUser(actor);
      const { repo: repository } = await repos.access(actor, input.repo);
      const service = UUID_PATTERN.test(input.serviceId) ? await repo.findService(db, input.serviceId) : undefined;
      if (!service || service.repo_id !== repository.id || !service.active) {
        throw invalidField('body.serviceId', `is not a consulting service of ${repository.full_name}; see GET /api/v1/repos/${repository.full_name}/consulting-services`);
      }
      const ticket = await tickets.create(actor, { repo: input.repo, title: `Consulting: ${service.name}`, body: input.context, track: 'expert', priority: 'normal', channel: 'web', org: input.org });
      const now = clock.now();
      const id = newId(now.getTime());
      await db.transaction().execute(async (trx) => {
        const opened = (await tickets.findById(trx, ticket.id))!;
        await repo.insertRequest(trx, { id, repo_id: repository.id, service_id: service.id, ticket_id: ticket.id, requester_id: user.userId, org_id: opened.org_id, context: input.context, status: 'open', created_at: now, updated_at: now });
        // Bought on its own: its hours and revenue are not a support plan's.
        await plans.unlinkTicket(trx, ticket.id);
      });
      return present(db, (await repo.findRequest(db, id))!);
    },

    async quote(actor: Actor, id: string, input: QuoteInput) {
      const { request, relation, user } = await visible(actor, id);
      if (!relation.helper && !relation.maintainer) throw forbidden("Only the repository's approved helpers and maintainers answer consulting requests.");
      if (request.requester_id === user.userId) throw forbidden('You asked for this; another helper has to quote it.');
      if (request.status !== 'open') throw conflict('A quote for this request was already accepted.', 'request_accepted');
      const service = (await repo.findService(db, request.service_id))!;
      const rate = service.rates.find((candidate) => candidate.currency === input.currency);
      if (input.amount === undefined && !rate) {
        throw invalidField('body.amount', `is required: the service has no hourly rate in ${input.currency} (it has ${service.rates.map((candidate) => candidate.currency).join(', ')})`);
      }
      const amount = input.amount ?? input.hours * rate!.hourlyRate;
      if (!Number.isSafeInteger(amount) || amount > 1_000_000_000) throw invalidField('body.hours', 'the price comes to more than 1,000,000,000 minor units; quote an amount');
      const now = clock.now();
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : new Date(now.getTime() + QUOTE_DEFAULT_DAYS * DAY);
      if (expiresAt <= now) throw invalidField('body.expiresAt', 'must be in the future');
      const starts = input.proposedStarts.map((start) => Date.parse(start));
      for (const [index, start] of starts.entries()) {
        await scheduling.prepareSession({ helperId: user.userId, start, minutes: firstSessionMinutes(input.hours), repoId: request.repo_id }).catch((error) => {
          throw aboutProposedStart(error, index);
        });
      }
      const row = await repo.insertQuote(db, {
        id: newId(now.getTime()),
        request_id: request.id,
        helper_id: user.userId,
        hours: input.hours,
        amount,
        currency: input.currency,
        note: input.note,
        proposed_starts: starts.map((start) => new Date(start)),
        status: 'pending',
        expires_at: expiresAt,
        payment_method: null,
        payment_id: null,
        booking_id: null,
        decided_by: null,
        decided_at: null,
        created_at: now,
        updated_at: now,
      });
      return presentQuote(row, now);
    },

    /** The customer says no to a pending quote; the helper may send another. */
    decline: (actor: Actor, quoteId: string) => closeQuote(actor, quoteId, 'declined'),

    /** The quoting helper takes back a quote not accepted yet. */
    withdraw: (actor: Actor, quoteId: string) => closeQuote(actor, quoteId, 'withdrawn'),

    async accept(actor: Actor, quoteId: string, input: AcceptInput, key: string) {
      requireUser(actor);
      const found = UUID_PATTERN.test(quoteId) ? await repo.findQuote(db, quoteId) : undefined;
      if (!found) throw notFound('The quote');
      const { request, relation, user } = await visible(actor, found.request_id);
      if (!relation.customer) throw forbidden('Only the person who asked, or an admin of their organization, accepts a quote.');
      if (found.helper_id === user.userId) throw forbidden('You sent this quote; the customer accepts it.');
      const start = Date.parse(input.start);
      if (!found.proposed_starts.some((proposed) => proposed.getTime() === start)) {
        throw invalidField('body.start', `must be one of the proposed starts: ${found.proposed_starts.map((proposed) => proposed.toISOString()).join(', ')}`);
      }
      if (input.paymentMethod === 'invoice' && !request.org_id) {
        throw invalidField('body.paymentMethod', 'invoices are issued to an organization: ask on behalf of one (org) to pay by invoice, or pay by card');
      }
      const session = await scheduling.prepareSession({ helperId: found.helper_id, start, minutes: firstSessionMinutes(found.hours), repoId: request.repo_id });
      const route = 'POST /api/v1/consulting-quotes/{id}/accept';
      return withIdempotency(db, clock, { actorId: user.userId, key, route, request: { quoteId, ...input } }, async (trx) => {
        const quote = (await repo.findQuote(trx, quoteId, { lock: true }))!;
        const now = clock.now();
        const closed = closedReason(quote, now);
        if (closed) throw closed;
        const locked = (await repo.findRequest(trx, request.id, { lock: true }))!;
        if (locked.status !== 'open') throw conflict('Another quote for this request was accepted already.', 'request_accepted');
        const names = await repo.requestNames(trx, locked);
        const { payment, invoice } = await payments.openCharge(trx, {
          kind: 'consulting',
          method: input.paymentMethod,
          ticketId: locked.ticket_id,
          repoId: locked.repo_id,
          helperId: quote.helper_id,
          payer: { userId: user.userId, email: user.email },
          amount: quote.amount,
          currency: quote.currency,
          description: `${names.service_name} for ${names.full_name}, ${quote.hours} hours`,
          commissionBps: names.commission_bps,
          invoice: locked.org_id ? { orgId: locked.org_id, poNumber: input.poNumber, reference: { type: 'consulting_quote', id: quote.id } } : undefined,
        });
        const bookingId = await scheduling.bookPrepared(trx, session, { customerId: user.userId, ticketId: locked.ticket_id, tz: input.tz });
        const accepted = await repo.updateQuote(trx, quote.id, {
          status: 'accepted',
          payment_method: input.paymentMethod,
          payment_id: payment.id,
          booking_id: bookingId,
          decided_by: user.userId,
          decided_at: now,
          updated_at: now,
        });
        await repo.updateRequest(trx, locked.id, { status: 'accepted', updated_at: now });
        return {
          status: 201,
          body: {
            quote: presentQuote(accepted, now),
            payment: { id: payment.id, status: payment.status, provider: payment.provider, amount: payment.amount, currency: payment.currency, url: payment.url },
            invoice: invoice && { id: invoice.id, number: invoice.number, total: invoice.total, dueDate: invoice.dueDate },
            booking: { id: bookingId, start: new Date(start).toISOString(), minutes: firstSessionMinutes(quote.hours) },
          },
        };
      });
    },
  };
}
