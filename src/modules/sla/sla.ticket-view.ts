import { z } from 'zod';
import { isoDate, toIso } from '../../http/schemas.ts';

/**
 * The SLA block of a ticket's JSON, from the ticket_sla columns the tickets repository joins in
 * (prefixed sla_). Kept apart from sla.schemas.ts so that the tickets module can import it without a cycle.
 */

export const TARGET_KINDS = ['firstResponse', 'nextResponse', 'resolution'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const ticketSlaOut = z
  .object({
    policyId: z.uuid(),
    source: z.enum(['repo_default', 'plan']).describe('What attached the policy: the repository default, or a support plan'),
    firstResponseDueAt: isoDate.nullable(),
    nextResponseDueAt: isoDate.nullable().describe('Set while a customer message waits for an answer'),
    resolutionDueAt: isoDate.nullable(),
    pausedAt: isoDate.nullable().describe('The clock stands still while the ticket waits on the customer'),
    breached: z.array(z.enum(TARGET_KINDS)).describe('Targets missed so far'),
  })
  .meta({ id: 'TicketSla' });

export type TicketSlaColumns = {
  sla_policy_id: string | null;
  sla_source: 'repo_default' | 'plan' | null;
  sla_first_response_due_at: Date | null;
  sla_next_response_due_at: Date | null;
  sla_resolution_due_at: Date | null;
  sla_paused_at: Date | null;
  sla_first_response_breached_at: Date | null;
  sla_next_response_breached_at: Date | null;
  sla_resolution_breached_at: Date | null;
};

export function presentTicketSla(row: TicketSlaColumns): z.output<typeof ticketSlaOut> | null {
  if (!row.sla_policy_id || !row.sla_source) return null;
  const breachedAt: Record<TargetKind, Date | null> = {
    firstResponse: row.sla_first_response_breached_at,
    nextResponse: row.sla_next_response_breached_at,
    resolution: row.sla_resolution_breached_at,
  };
  return {
    policyId: row.sla_policy_id,
    source: row.sla_source,
    firstResponseDueAt: toIso(row.sla_first_response_due_at),
    nextResponseDueAt: toIso(row.sla_next_response_due_at),
    resolutionDueAt: toIso(row.sla_resolution_due_at),
    pausedAt: toIso(row.sla_paused_at),
    breached: TARGET_KINDS.filter((kind) => breachedAt[kind] !== null),
  };
}
