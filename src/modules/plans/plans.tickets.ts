import { sql } from 'kysely';
import type { Queryable, Tx } from '../../db/database.ts';
import { CACHE_KEYS } from '../../db/notify.ts';
import type { Deps } from '../../deps.ts';
import { notifiedCache, PER_REPOSITORY } from '../../lib/notified-cache.ts';
import type { CreationContributor, TicketDraft } from '../tickets/tickets.observers.ts';
import type { PolicySource } from '../sla/sla.tickets.ts';

/**
 * The running subscription that covers a new expert ticket, as a query of at most one row
 * (subscription_id, period_id, policy_id): on the ticket's repository, of the organization the ticket
 * was opened for, or, for a ticket opened for no organization, of one its requester is a member of (the
 * oldest subscription, if several). A ticket opened for another organization is that organization's
 * business, not the plan's. AI and community tickets are free and count against no plan (callers ask
 * only for expert ones). Past due subscriptions still cover: service continues while the money is late.
 * A query, not a read: it runs inside the statement that opens the ticket.
 */
function coverageQuery(draft: TicketDraft) {
  const orgMatch = draft.org_id
    ? sql<boolean>`s.org_id = ${draft.org_id}`
    : sql<boolean>`EXISTS (SELECT 1 FROM org_members m WHERE m.org_id = s.org_id AND m.user_id = ${draft.requester_id})`;
  return sql`
    SELECT s.id AS subscription_id, p.id AS period_id, pl.sla_policy_id AS policy_id
    FROM subscriptions s
    JOIN subscription_periods p ON p.id = s.current_period_id AND p.status = 'active'
    JOIN plans pl ON pl.id = p.plan_id
    WHERE s.repo_id = ${draft.repo_id} AND s.status IN ('active', 'past_due') AND ${orgMatch}
    ORDER BY s.created_at, s.id
    LIMIT 1`;
}

/**
 * Registered with tickets.contributeToCreation(): the statement opening a ticket a plan covers links it
 * to its subscription and period. Whether a repository has any subscription is kept per process until
 * one is added or removed (migration 0025's trigger): most have none, and their tickets skip the link.
 */
export function linkNewTicket(deps: Pick<Deps, 'clock' | 'notifications'>): CreationContributor {
  const withSubscriptions = notifiedCache<boolean>(deps.notifications, CACHE_KEYS.subscriptions, { ...PER_REPOSITORY, clock: deps.clock });
  return async (db, draft) => {
    if (draft.track !== 'expert') return null;
    if (!(await withSubscriptions.get(draft.repo_id, () => hasSubscriptions(db, draft.repo_id)))) return null;
    const link = db
      .insertInto('subscription_tickets')
      .columns(['ticket_id', 'subscription_id', 'period_id', 'linked_at'])
      .expression(sql`SELECT ${draft.id}::uuid, c.subscription_id, c.period_id, ${draft.created_at}::timestamptz FROM (${coverageQuery(draft)}) AS c`)
      .onConflict((conflict) => conflict.column('ticket_id').doNothing());
    return { inserts: [link] };
  };
}

async function hasSubscriptions(db: Queryable, repoId: string): Promise<boolean> {
  return (await db.selectFrom('subscriptions').select('id').where('repo_id', '=', repoId).limit(1).executeTakeFirst()) !== undefined;
}

/** Registered with sla.addPolicySource(): a covered ticket gets its plan's SLA policy. */
export const planPolicy: PolicySource = (draft) => sql<string | null>`(SELECT c.policy_id FROM (${coverageQuery(draft)}) AS c)`;

export async function linkedTicketIds(db: Queryable, subscriptionId: string, periodId?: string): Promise<string[]> {
  let query = db.selectFrom('subscription_tickets').select('ticket_id').where('subscription_id', '=', subscriptionId);
  if (periodId) query = query.where('period_id', '=', periodId);
  return (await query.execute()).map((row) => row.ticket_id);
}

/** A ticket bought on its own (a consulting request) counts against no plan: its link goes, its SLA clock stays. */
export async function unlinkTicket(trx: Tx, ticketId: string): Promise<void> {
  await trx.deleteFrom('subscription_tickets').where('ticket_id', '=', ticketId).execute();
}
