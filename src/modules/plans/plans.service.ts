import type { Deps } from '../../deps.ts';
import type { JobHandlers } from '../../jobs/queue.ts';
import type { LedgerService } from '../ledger/ledger.service.ts';
import type { OrgsService } from '../orgs/orgs.service.ts';
import type { PaymentsService } from '../payments/payments.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { SlaService } from '../sla/sla.service.ts';
import type { PlansContext } from './plans.billing.ts';
import { planCatalogue } from './plans.catalogue.ts';
import { planJobHandlers } from './plans.jobs.ts';
import { subscriptionFlows } from './plans.subscriptions.ts';
import { linkNewTicket, planPolicy, unlinkTicket } from './plans.tickets.ts';
import { planUsage } from './plans.usage.ts';

/**
 * Support plans: a repository's tiers, organizations' subscriptions to them billed by card or invoice,
 * the tickets they cover (with the plan's SLA), usage, and the revenue shared out at each period's close.
 * See docs/plans.md.
 */
export function createPlansService(
  deps: Deps,
  services: { repos: ReposService; orgs: OrgsService; sla: SlaService; payments: PaymentsService; ledger: LedgerService },
) {
  const ctx: PlansContext = { deps, payments: services.payments, ledger: services.ledger };
  const catalogue = planCatalogue(deps, services);
  const subscriptions = subscriptionFlows(ctx, services.orgs);
  services.payments.onHeld('plan', subscriptions.paymentHeld);
  services.payments.onRefund('plan', subscriptions.refundGuard);
  services.sla.addPolicySource(planPolicy);

  return {
    createPlan: catalogue.create,
    listPlans: catalogue.list,
    updatePlan: catalogue.update,
    subscribe: subscriptions.subscribe,
    subscriptions: subscriptions.list,
    subscription: subscriptions.get,
    change: subscriptions.change,
    cancel: subscriptions.cancel,
    usage: planUsage(deps, services),
    /** Register with tickets.contributeToCreation(): links new tickets a plan covers to its subscription. */
    creationContributor: linkNewTicket(deps),
    unlinkTicket,
    jobHandlers: planJobHandlers(ctx) satisfies JobHandlers,
  };
}

export type PlansService = ReturnType<typeof createPlansService>;
