import { AppError, forbidden, notFound } from '../../errors.ts';
import { UUID_PATTERN } from '../../lib/ids.ts';
import { requireUser, type Actor, type UserActor } from '../auth/actor.ts';
import type { Relation, TicketView } from '../tickets/tickets.service.ts';
import type { PaymentsContext } from './payments.context.ts';
import * as repo from './payments.repository.ts';

/**
 * Who may see and do what with money. Seeing a payment starts with seeing its ticket (the tickets
 * domain's one visibility rule); among those, only the people the money concerns see the payment.
 * Anyone else gets a 404, so that a payment's existence does not leak.
 */
export type PaymentAccess = { user: UserActor; payment: repo.PaymentRow; ticket: TicketView | null; relation: Relation };

export function concerns(user: UserActor, relation: Relation, payment: repo.PaymentRow): boolean {
  return relation.customer || relation.maintainer || relation.assignee || payment.payer_id === user.userId || payment.helper_id === user.userId;
}

export async function visiblePayment(ctx: PaymentsContext, actor: Actor, id: string): Promise<PaymentAccess> {
  const user = requireUser(actor);
  const payment = UUID_PATTERN.test(id) ? await repo.findPayment(ctx.deps.db, id) : undefined;
  if (!payment) throw notFound('The payment');
  if (payment.ticket_id === null) return withoutTicket(ctx, user, payment);
  const { ticket, relation } = await ticketBehind(ctx, actor, payment.ticket_id, 'The payment');
  if (!concerns(user, relation, payment)) throw notFound('The payment');
  return { user, payment, ticket, relation };
}

/**
 * A payment for no ticket (a plan's period) concerns the person who pays it and the repository's
 * maintainers (operators too); the organization's other admins see it through the subscription.
 */
async function withoutTicket(ctx: PaymentsContext, user: UserActor, payment: repo.PaymentRow): Promise<PaymentAccess> {
  const maintainer = user.isOperator || (await ctx.repos.maintainedRepoIds(user.userId)).includes(payment.repo_id);
  const payer = payment.payer_id === user.userId;
  if (!payer && !maintainer) throw notFound('The payment');
  return { user, payment, ticket: null, relation: { customer: payer, maintainer, helper: false, assignee: false, staff: maintainer } };
}

/** The ticket as the actor sees it; a 404 when they cannot see it at all. */
export async function ticketAccess(ctx: PaymentsContext, actor: Actor, ticketId: string) {
  const user = requireUser(actor);
  return { user, ...(await ctx.tickets.access(actor, ticketId)) };
}

/** The ticket a payment or a quote belongs to: whoever cannot see the ticket gets a 404 named for `what`. */
export async function ticketBehind(ctx: PaymentsContext, actor: Actor, ticketId: string, what: string) {
  return ticketAccess(ctx, actor, ticketId).catch((error) => {
    throw error instanceof AppError && error.status === 404 ? notFound(what) : error;
  });
}

export function requireCustomer(relation: Relation, what: string): void {
  if (!relation.customer) throw forbidden(`Only the person who opened this ticket, or an admin of its organization, may ${what}.`);
}

export function requireAssignee(relation: Relation, what: string): void {
  if (!relation.assignee) throw forbidden(`Only the helper assigned to this ticket may ${what}; claim it first.`);
}
