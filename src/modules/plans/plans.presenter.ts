import { toIso } from '../../http/schemas.ts';
import type { PeriodRow, PlanRow, SubscriptionRow } from './plans.repository.ts';
import type { PeriodOut, SubscriptionOut } from './plans.schemas.ts';

export function presentPlan(row: PlanRow, repoFullName: string) {
  return {
    id: row.id,
    repo: repoFullName,
    name: row.name,
    description: row.description,
    period: row.period,
    prices: row.prices,
    includedHours: row.included_hours,
    includedTickets: row.included_tickets,
    channels: row.channels,
    privateSlack: row.private_slack,
    privateDiscord: row.private_discord,
    slaPolicyId: row.sla_policy_id,
    active: row.active,
    createdAt: row.created_at.toISOString(),
  };
}

export function presentPeriod(row: PeriodRow): PeriodOut {
  return {
    id: row.id,
    planId: row.plan_id,
    kind: row.kind,
    status: row.status,
    startsAt: toIso(row.starts_at),
    endsAt: toIso(row.ends_at),
    amount: row.amount,
    creditApplied: row.credit_applied,
    creditedBack: row.credited_back,
    charge: row.amount - row.credit_applied,
    paidAt: toIso(row.paid_at),
    paymentId: row.payment_id,
    invoiceId: row.invoice_id,
    closedAt: toIso(row.closed_at),
  };
}

export function presentSubscription(
  row: SubscriptionRow,
  parts: { org: string; repo: string; planName: string; periods: PeriodRow[] },
): SubscriptionOut {
  const current = parts.periods.find((period) => period.id === row.current_period_id);
  const pending = parts.periods.find((period) => period.subscription_id === row.id && period.status === 'pending');
  return {
    id: row.id,
    org: parts.org,
    repo: parts.repo,
    plan: { id: row.plan_id, name: parts.planName },
    status: row.status,
    paymentMethod: row.payment_method,
    poNumber: row.po_number,
    currency: row.currency,
    cancelAtPeriodEnd: row.cancel_at_period_end,
    credit: row.credit,
    currentPeriod: current ? presentPeriod(current) : null,
    pendingPeriod: pending ? presentPeriod(pending) : null,
    createdAt: row.created_at.toISOString(),
    endedAt: toIso(row.ended_at),
  };
}
