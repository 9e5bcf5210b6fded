import type { Deps } from '../../deps.ts';
import type { Actor } from '../auth/actor.ts';
import type { OrgsService } from '../orgs/orgs.service.ts';
import type { PaymentsService } from '../payments/payments.service.ts';
import type { SlaService } from '../sla/sla.service.ts';
import { parsePeriod } from '../statements/statements.period.ts';
import * as repo from './plans.repository.ts';
import { linkedTicketIds } from './plans.tickets.ts';

/**
 * What an organization used of its plans, per subscription and billing period overlapping [from, to):
 * the time helpers logged on its plan tickets during the period, the tickets the period covered, each
 * against what the plan includes, and how the SLA held on those tickets. For its admins.
 */
export function planUsage(deps: Deps, services: { orgs: OrgsService; payments: Pick<PaymentsService, 'minutesByHelper'>; sla: Pick<SlaService, 'performance'> }) {
  const { db, clock } = deps;

  return async function usage(actor: Actor, slug: string, query: { from?: string; to?: string }) {
    const { org } = await services.orgs.requireAdmin(actor, slug);
    const { from, to } = parsePeriod(query, clock.now());
    const items = [];
    for (const period of await repo.periodsOverlapping(db, org.id, from, to)) {
      const allTickets = await linkedTicketIds(db, period.subscription_id);
      const minutes = (await services.payments.minutesByHelper(db, allTickets, period.starts_at!, period.ends_at!)).reduce((sum, helper) => sum + helper.minutes, 0);
      const tickets = await linkedTicketIds(db, period.subscription_id, period.id);
      const sla = await services.sla.performance(db, tickets);
      items.push({
        subscriptionId: period.subscription_id,
        repo: period.full_name,
        plan: { id: period.plan_id, name: period.plan_name },
        period: { id: period.id, startsAt: period.starts_at!.toISOString(), endsAt: period.ends_at!.toISOString() },
        included: { hours: period.included_hours, tickets: period.included_tickets },
        used: { minutes, hours: Math.round((minutes * 100) / 60) / 100, tickets: tickets.length },
        sla: {
          met: sla.firstResponse.met + sla.resolution.met,
          breached: sla.firstResponse.breached + sla.nextResponse.breached + sla.resolution.breached,
          ...sla,
        },
      });
    }
    return { from: from.toISOString(), to: to.toISOString(), items };
  };
}
