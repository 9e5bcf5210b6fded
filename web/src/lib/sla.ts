import type { Schemas } from '../api/client.ts';

export type SlaState = { kind: 'none' } | { kind: 'paused' } | { kind: 'due'; at: string; target: string; overdue: boolean; breached: boolean };

const TARGET_NAMES = { firstResponse: 'first response', nextResponse: 'next response', resolution: 'resolution' } as const;

/**
 * The SLA target a ticket must meet next, as the helper queue ranks it: the soonest of the targets still
 * open (a first response not given yet, a customer message waiting, the resolution). None without a policy.
 */
export function slaState(ticket: Schemas['Ticket'], now = Date.now()): SlaState {
  const sla = ticket.sla;
  if (!sla) return { kind: 'none' };
  if (sla.pausedAt) return { kind: 'paused' };
  const open = [
    { target: 'firstResponse', at: ticket.firstResponseAt ? null : sla.firstResponseDueAt },
    { target: 'nextResponse', at: sla.nextResponseDueAt },
    { target: 'resolution', at: ticket.resolvedAt ? null : sla.resolutionDueAt },
  ] as const;
  const soonest = open.filter((item) => item.at).sort((a, b) => Date.parse(a.at!) - Date.parse(b.at!))[0];
  if (!soonest) return { kind: 'none' };
  return { kind: 'due', at: soonest.at!, target: TARGET_NAMES[soonest.target], overdue: Date.parse(soonest.at!) <= now, breached: sla.breached.includes(soonest.target) };
}
