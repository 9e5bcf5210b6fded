import { conflict, invalidField } from '../../errors.ts';
import type { Actor } from '../auth/actor.ts';
import { sessionAuthorization } from '../offerings/offerings.pricing.ts';
import { withIdempotency } from './idempotency.ts';
import { requireCustomer, ticketAccess } from './payments.access.ts';
import { openCheckout, PAYABLE_TICKET } from './payments.checkout.ts';
import type { PaymentsContext } from './payments.context.ts';
import { presentPaymentById } from './payments.presenter.ts';
import { DEFAULT_SESSION_MINUTES, type PurchaseInput } from './payments.schemas.ts';

/**
 * Buying a fixed-price or per-minute offering for a ticket. The price is the offering's effective price
 * for the ticket's assignee (their own rate, if they set one), or the listed price while nobody is assigned.
 * A fixed price is charged at once; a session authorizes the booked length on the card and captures only
 * the metered time when it is released (see payments.release.ts).
 */
export function purchaseFlows(ctx: PaymentsContext) {
  const { db, clock } = ctx.deps;

  return {
    async purchase(actor: Actor, ticketId: string, input: PurchaseInput, key: string) {
      const { user, ticket, relation } = await ticketAccess(ctx, actor, ticketId);
      requireCustomer(relation, 'buy help on it');
      const offering = (await ctx.offerings.list(actor, ticket.repo_full_name)).find((candidate) => candidate.id === input.offeringId && candidate.active);
      if (!offering) throw invalidField('body.offeringId', `is not an active offering of ${ticket.repo_full_name}`);
      if (offering.kind === 'quote') {
        throw conflict(`"${offering.name}" has no price: ask the helper on the ticket for a quote, then accept it.`, 'priced_by_quote');
      }
      const { repo } = await ctx.repos.access(actor, ticket.repo_full_name);
      const request = { ticketId: ticket.id, ...input };
      return withIdempotency(db, clock, { actorId: user.userId, key, route: 'POST /api/v1/tickets/{id}/purchase', request }, async (trx) => {
        const current = (await ctx.tickets.findById(trx, ticket.id))!;
        if (!PAYABLE_TICKET.includes(current.status)) {
          throw conflict(`This ticket is ${current.status}; it can no longer be paid for.`, 'ticket_not_payable');
        }
        const price = await ctx.offerings.effectivePrice(offering.id, current.assignee_id, input.currency, trx);
        const common = {
          ticketId: current.id,
          repoId: current.repo_id,
          payer: user,
          offeringId: offering.id,
          helperId: current.assignee_id,
          currency: price.currency,
          commissionBps: repo.commission_bps,
        };
        let payment;
        if (price.kind === 'fixed') {
          payment = await openCheckout(ctx, trx, { ...common, kind: 'fixed', amount: price.price, description: offering.name });
        } else {
          const estimatedMinutes = input.estimatedMinutes ?? Math.max(DEFAULT_SESSION_MINUTES, price.minimumMinutes);
          payment = await openCheckout(ctx, trx, {
            ...common,
            kind: 'session',
            amount: sessionAuthorization(price, estimatedMinutes),
            description: `${offering.name} (${estimatedMinutes} minutes booked)`,
            session: { price, estimatedMinutes },
          });
        }
        return { status: 201, body: { payment: await presentPaymentById(trx, payment.id) } };
      });
    },
  };
}
