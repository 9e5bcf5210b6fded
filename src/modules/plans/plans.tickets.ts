import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import type { TicketChange } from '../tickets/tickets.observers.ts';
import type { TicketView } from '../tickets/tickets.service.ts';

type Coverage = { subscriptionId: string; periodId: string; policyId: string };

/**
 * The running subscription that covers a new expert ticket: on the ticket's repository, of the
 * organization the ticket was opened for, or, for a ticket opened for no organization, of one its
 * requester is a member of (the oldest subscription, if several). A ticket opened for another
 * organization is that organization's business, not the plan's. AI and community tickets are free and
 * count against no plan. Past due subscriptions still cover: service continues while the money is late.
 */
export async function coverage(trx: Queryable, ticket: TicketView): Promise<Coverage | null> {
  if (ticket.track !== 'expert') return null;
  const orgMatch = ticket.org_id
    ? sql<boolean>`s.org_id = ${ticket.org_id}`
    : sql<boolean>`EXISTS (SELECT 1 FROM org_members m WHERE m.org_id = s.org_id AND m.user_id = ${ticket.requester_id})`;
  const { rows } = await sql<{ subscription_id: string; period_id: string; policy_id: string }>`
    SELECT s.id AS subscription_id, p.id AS period_id, pl.sla_policy_id AS policy_id
    FROM subscriptions s
    JOIN subscription_periods p ON p.id = s.current_period_id AND p.status = 'active'
    JOIN plans pl ON pl.id = p.plan_id
    WHERE s.repo_id = ${ticket.repo_id} AND s.status IN ('active', 'past_due') AND ${orgMatch}
    ORDER BY s.created_at, s.id
    LIMIT 1`.execute(trx);
  const row = rows[0];
  return row ? { subscriptionId: row.subscription_id, periodId: row.period_id, policyId: row.policy_id } : null;
}

/** Registered with tickets.observe(): links each new ticket a plan covers to its subscription and period. */
export async function linkNewTicket(trx: Tx, change: TicketChange): Promise<void> {
  if (change.type !== 'created') return;
  const covered = await coverage(trx, change.ticket);
  if (!covered) return;
  await trx
    .insertInto('subscription_tickets')
    .values({ ticket_id: change.ticket.id, subscription_id: covered.subscriptionId, period_id: covered.periodId, linked_at: change.ticket.created_at })
    .onConflict((conflict) => conflict.column('ticket_id').doNothing())
    .execute();
}

/** Registered with sla.addPolicySource(): a covered ticket gets its plan's SLA policy. */
export async function planPolicy(trx: Tx, ticket: TicketView): Promise<string | null> {
  return (await coverage(trx, ticket))?.policyId ?? null;
}

export async function linkedTicketIds(db: Queryable, subscriptionId: string, periodId?: string): Promise<string[]> {
  let query = db.selectFrom('subscription_tickets').select('ticket_id').where('subscription_id', '=', subscriptionId);
  if (periodId) query = query.where('period_id', '=', periodId);
  return (await query.execute()).map((row) => row.ticket_id);
}

/** A ticket bought on its own (a consulting request) counts against no plan: its link goes, its SLA clock stays. */
export async function unlinkTicket(trx: Tx, ticketId: string): Promise<void> {
  await trx.deleteFrom('subscription_tickets').where('ticket_id', '=', ticketId).execute();
}
