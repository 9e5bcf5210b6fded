import type { Tx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import type { TicketChange } from '../tickets/tickets.observers.ts';
import type { TicketView } from '../tickets/tickets.service.ts';
import type { BusinessClock } from './business-time.ts';
import type { CalendarClocks } from './sla.calendars.ts';
import { customerWrote, pause, reopened, resolved, resume, startClock, stopped, supportReplied, type SlaState, type Targets } from './sla.clock.ts';
import { scheduleChecks, targetsOf } from './sla.jobs.ts';
import * as repo from './sla.repository.ts';

/** How each ticket change moves the clock; `at` is now. */
function nextState(change: Exclude<TicketChange, { type: 'created' }>, state: SlaState, clock: BusinessClock, targets: Targets, at: Date): SlaState {
  if (change.type === 'message') {
    if (change.internal) return state;
    // A customer's reply ends waiting on them (the ticket moves back in progress right after).
    return change.byCustomer ? customerWrote(resume(state, clock, at), clock, targets, at) : supportReplied(state, at);
  }
  const to = change.ticket.status;
  let next = change.from === 'waiting_on_customer' && to !== 'waiting_on_customer' ? resume(state, clock, at) : state;
  if (to === 'waiting_on_customer' && change.from !== 'waiting_on_customer') next = pause(next, at);
  if (change.action === 'resolve') next = resolved(next, at);
  if (change.action === 'reopen') next = reopened(next, clock, at);
  if (change.action === 'confirm' || change.action === 'cancel') next = stopped(next, at);
  return next;
}

/**
 * A policy more specific than the repository's default for a new ticket (a support plan's), or null.
 * Called in the ticket's transaction: it must use `trx`.
 */
export type PolicySource = (trx: Tx, ticket: TicketView) => Promise<string | null>;

/** The policy a new expert ticket gets: a plan's when a source names one, else the repository's default. */
async function policyFor(trx: Tx, ticket: TicketView, sources: readonly PolicySource[]) {
  for (const source of sources) {
    const policyId = await source(trx, ticket);
    const policy = policyId ? await repo.findPolicy(trx, ticket.repo_id, policyId) : undefined;
    if (policy) return { policy, source: 'plan' as const };
  }
  const policy = await repo.defaultPolicy(trx, ticket.repo_id);
  return policy ? { policy, source: 'repo_default' as const } : null;
}

/**
 * The SLA side of ticket changes, run in the ticket's transaction. A repository's default policy
 * applies to its expert tickets, unless a support plan covering the ticket attaches its own
 * (source 'plan', see `sources`).
 */
export function slaTicketObserver(deps: Pick<Deps, 'clock'>, clocks: CalendarClocks, sources: readonly PolicySource[] = []) {
  return async (trx: Tx, change: TicketChange): Promise<void> => {
    const at = deps.clock.now();
    if (change.type === 'created') {
      const { ticket } = change;
      if (ticket.track !== 'expert') return;
      const chosen = await policyFor(trx, ticket, sources);
      if (!chosen) return;
      const { policy } = chosen;
      const set = policy.targets[ticket.priority] ?? {};
      const targets: Targets = { firstResponse: set.firstResponse ?? null, nextResponse: set.nextResponse ?? null, resolution: set.resolution ?? null };
      const clock = await clocks.clockFor(trx, policy.calendar_id);
      const state = startClock(clock, targets, ticket.created_at);
      await repo.insertTicketSla(trx, {
        ticket_id: ticket.id,
        policy_id: policy.id,
        source: chosen.source,
        repo_id: ticket.repo_id,
        calendar_id: policy.calendar_id,
        first_response_minutes: targets.firstResponse,
        next_response_minutes: targets.nextResponse,
        resolution_minutes: targets.resolution,
        ...state,
        created_at: at,
        updated_at: at,
      });
      await scheduleChecks(trx, deps, clock, ticket.id, state, targets);
      return;
    }
    const row = await repo.lockTicketSla(trx, change.ticket.id);
    if (!row) return;
    const clock = await clocks.clockFor(trx, row.calendar_id);
    const targets = targetsOf(row);
    const state = nextState(change, repo.stateOf(row), clock, targets, at);
    await repo.saveState(trx, row.ticket_id, state, at);
    await scheduleChecks(trx, deps, clock, row.ticket_id, state, targets);
  };
}
