import type { Expression } from 'kysely';
import type { Tx } from '../../db/database.ts';
import { CACHE_KEYS } from '../../db/notify.ts';
import type { Deps } from '../../deps.ts';
import { notifiedCache, PER_REPOSITORY } from '../../lib/notified-cache.ts';
import type { CreationContributor, TicketChange, TicketDraft } from '../tickets/tickets.observers.ts';
import type { CteInsert } from '../tickets/tickets.repository.ts';
import type { BusinessClock } from './business-time.ts';
import type { CalendarClocks } from './sla.calendars.ts';
import { customerWrote, pause, reopened, resolved, resume, startClock, stopped, supportReplied, type SlaState, type Targets } from './sla.clock.ts';
import { checkJobs, scheduleChecks, targetsOf } from './sla.jobs.ts';
import * as repo from './sla.repository.ts';

/** How each ticket change moves the clock; `at` is now. */
function nextState(change: TicketChange, state: SlaState, clock: BusinessClock, targets: Targets, at: Date): SlaState {
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
 * A policy more specific than the repository's default for a new ticket (a support plan's): a scalar
 * subquery of its id, or of NULL, that the read choosing the policy runs.
 */
export type PolicySource = (draft: TicketDraft) => Expression<string | null>;

/**
 * The SLA clock a new expert ticket starts with, added to the statement that opens it: the policy (a
 * plan's when a source names one of the repository's, else the repository's default) is one read before
 * it; the due times are worked out here, and the clock and its warning and breach jobs are inserted with
 * the ticket. Registered with tickets.contributeToCreation().
 *
 * Whether a repository has any policy at all is kept per process until one is added or removed
 * (migration 0025's trigger, src/db/cache-writes.ts): most have none, and their tickets then skip the read.
 */
export function slaCreationContributor(deps: Pick<Deps, 'clock' | 'notifications'>, clocks: CalendarClocks, sources: readonly PolicySource[]): CreationContributor {
  const withPolicies = notifiedCache<boolean>(deps.notifications, CACHE_KEYS.slaPolicies, { ...PER_REPOSITORY, clock: deps.clock });
  return async (db, draft) => {
    if (draft.track !== 'expert') return null;
    if (!(await withPolicies.get(draft.repo_id, () => repo.hasPolicies(db, draft.repo_id)))) return null;
    const chosen = await repo.policyForNewTicket(db, draft.repo_id, sources.map((source) => source(draft)));
    if (!chosen) return null;
    const { policy, source } = chosen;
    const set = policy.targets[draft.priority] ?? {};
    const targets: Targets = { firstResponse: set.firstResponse ?? null, nextResponse: set.nextResponse ?? null, resolution: set.resolution ?? null };
    const clock = await clocks.clockFor(db, policy.calendar_id);
    const state = startClock(clock, targets, draft.created_at);
    const at = deps.clock.now();
    const inserts: CteInsert[] = [
      repo.ticketSlaInsert(db, {
        ticket_id: draft.id,
        policy_id: policy.id,
        source,
        repo_id: draft.repo_id,
        calendar_id: policy.calendar_id,
        first_response_minutes: targets.firstResponse,
        next_response_minutes: targets.nextResponse,
        resolution_minutes: targets.resolution,
        ...state,
        created_at: at,
        updated_at: at,
      }),
    ];
    return {
      inserts,
      jobs: checkJobs(deps, clock, draft.id, state, targets),
      shows: {
        sla_policy_id: policy.id,
        sla_source: source,
        sla_first_response_due_at: state.first_response_due_at,
        sla_next_response_due_at: state.next_response_due_at,
        sla_resolution_due_at: state.resolution_due_at,
        sla_paused_at: state.paused_at,
        sla_first_response_breached_at: state.first_response_breached_at,
        sla_next_response_breached_at: state.next_response_breached_at,
        sla_resolution_breached_at: state.resolution_breached_at,
      },
    };
  };
}

/**
 * The SLA side of ticket changes, run in the ticket's transaction; new tickets get theirs from
 * slaCreationContributor. A clock is only ever started in the statement that opens its ticket, so a
 * ticket read without one (every read carries its clock) never has one: its changes skip the locking read.
 */
export function slaTicketObserver(deps: Pick<Deps, 'clock'>, clocks: CalendarClocks) {
  return async (trx: Tx, change: TicketChange): Promise<void> => {
    if (change.ticket.sla_policy_id === null) return;
    const at = deps.clock.now();
    const row = await repo.lockTicketSla(trx, change.ticket.id);
    if (!row) return;
    const clock = await clocks.clockFor(trx, row.calendar_id);
    const targets = targetsOf(row);
    const state = nextState(change, repo.stateOf(row), clock, targets, at);
    await repo.saveState(trx, row.ticket_id, state, at);
    await scheduleChecks(trx, deps, clock, row.ticket_id, state, targets);
  };
}
