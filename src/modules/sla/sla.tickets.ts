import type { Tx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import type { TicketChange } from '../tickets/tickets.observers.ts';
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
 * The SLA side of ticket changes, run in the ticket's transaction. For now a repository's default
 * policy applies to its expert tickets; plans will attach theirs the same way with source 'plan'.
 */
export function slaTicketObserver(deps: Pick<Deps, 'clock'>, clocks: CalendarClocks) {
  return async (trx: Tx, change: TicketChange): Promise<void> => {
    const at = deps.clock.now();
    if (change.type === 'created') {
      const { ticket } = change;
      if (ticket.track !== 'expert') return;
      const policy = await repo.defaultPolicy(trx, ticket.repo_id);
      if (!policy) return;
      const set = policy.targets[ticket.priority] ?? {};
      const targets: Targets = { firstResponse: set.firstResponse ?? null, nextResponse: set.nextResponse ?? null, resolution: set.resolution ?? null };
      const clock = await clocks.clockFor(trx, policy.calendar_id);
      const state = startClock(clock, targets, ticket.created_at);
      await repo.insertTicketSla(trx, {
        ticket_id: ticket.id,
        policy_id: policy.id,
        source: 'repo_default',
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
