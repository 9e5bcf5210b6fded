import { MINUTE_MS, type BusinessClock } from './business-time.ts';
import { TARGET_KINDS, type TargetKind } from './sla.ticket-view.ts';

/**
 * The rules of one ticket's SLA clock, as pure functions of its state: no database, no clock of their
 * own. Each returns a new state; the service stores it. Due times are instants; the business clock
 * says how far working time moves them.
 */

export type Targets = Record<TargetKind, number | null>;

export type SlaState = {
  first_response_due_at: Date | null;
  first_response_met_at: Date | null;
  first_response_breached_at: Date | null;
  next_response_due_at: Date | null;
  next_response_breached_at: Date | null;
  resolution_due_at: Date | null;
  resolution_met_at: Date | null;
  resolution_breached_at: Date | null;
  paused_at: Date | null;
  stopped_at: Date | null;
  next_due_at: Date | null;
};

const DUE = { firstResponse: 'first_response_due_at', nextResponse: 'next_response_due_at', resolution: 'resolution_due_at' } as const;
const BREACHED = { firstResponse: 'first_response_breached_at', nextResponse: 'next_response_breached_at', resolution: 'resolution_breached_at' } as const;

export const dueOf = (state: SlaState, kind: TargetKind) => state[DUE[kind]];
export const breachedAtOf = (state: SlaState, kind: TargetKind) => state[BREACHED[kind]];

/** Targets whose due time is set and not yet met (a next response is met by clearing it). */
export function pending(state: SlaState): Array<{ kind: TargetKind; dueAt: Date }> {
  const met: Record<TargetKind, boolean> = { firstResponse: state.first_response_met_at !== null, nextResponse: false, resolution: state.resolution_met_at !== null };
  return TARGET_KINDS.flatMap((kind) => {
    const dueAt = dueOf(state, kind);
    return dueAt && !met[kind] ? [{ kind, dueAt }] : [];
  });
}

export const isRunning = (state: SlaState) => state.paused_at === null && state.stopped_at === null;

/** The earliest due time still running: what the helper queue sorts by. */
function withNextDue(state: SlaState): SlaState {
  const dues = isRunning(state) ? pending(state).map((item) => item.dueAt.getTime()) : [];
  return { ...state, next_due_at: dues.length ? new Date(Math.min(...dues)) : null };
}

const addMinutes = (clock: BusinessClock, at: Date, minutes: number | null) => (minutes === null ? null : new Date(clock.add(at.getTime(), minutes * MINUTE_MS)));

export function startClock(clock: BusinessClock, targets: Targets, at: Date): SlaState {
  return withNextDue({
    first_response_due_at: addMinutes(clock, at, targets.firstResponse),
    first_response_met_at: null,
    first_response_breached_at: null,
    next_response_due_at: null,
    next_response_breached_at: null,
    resolution_due_at: addMinutes(clock, at, targets.resolution),
    resolution_met_at: null,
    resolution_breached_at: null,
    paused_at: null,
    stopped_at: null,
    next_due_at: null,
  });
}

/** Moves every pending due time that was still ahead at `since` by the working time from `since` to `at`. */
function shiftPending(state: SlaState, clock: BusinessClock, since: Date, at: Date): SlaState {
  const shift = clock.between(since.getTime(), at.getTime());
  const next = { ...state };
  for (const { kind, dueAt } of pending(state)) {
    // A due time already passed when the clock stopped stays a breach; it does not move.
    if (dueAt > since) next[DUE[kind]] = new Date(clock.add(dueAt.getTime(), shift));
  }
  return next;
}

/** Met at `at`: a late meeting records the breach at the due time, if the breach job has not yet. */
function meet(state: SlaState, kind: TargetKind, at: Date): SlaState {
  const dueAt = dueOf(state, kind);
  if (!dueAt || at <= dueAt || breachedAtOf(state, kind)) return state;
  return { ...state, [BREACHED[kind]]: dueAt };
}

export function pause(state: SlaState, at: Date): SlaState {
  return isRunning(state) ? withNextDue({ ...state, paused_at: at }) : state;
}

export function resume(state: SlaState, clock: BusinessClock, at: Date): SlaState {
  if (!state.paused_at) return state;
  return withNextDue({ ...shiftPending(state, clock, state.paused_at, at), paused_at: null });
}

/** A public answer from the support side: the first response, and the answer to a waiting customer message. */
export function supportReplied(state: SlaState, at: Date): SlaState {
  let next = state;
  if (!next.first_response_met_at) next = { ...meet(next, 'firstResponse', at), first_response_met_at: at };
  if (next.next_response_due_at) next = { ...meet(next, 'nextResponse', at), next_response_due_at: null };
  return withNextDue(next);
}

/** A customer message after the first response waits for an answer within the next-response target. */
export function customerWrote(state: SlaState, clock: BusinessClock, targets: Targets, at: Date): SlaState {
  if (!state.first_response_met_at || state.next_response_due_at || targets.nextResponse === null || state.stopped_at) return state;
  return withNextDue({ ...state, next_response_due_at: addMinutes(clock, at, targets.nextResponse) });
}

/** The resolution (its summary reaches the customer) also answers whatever was waiting for a response. */
export function resolved(state: SlaState, at: Date): SlaState {
  const answered = supportReplied(state, at);
  return withNextDue({ ...meet(answered, 'resolution', at), resolution_met_at: at });
}

/** Reopened: the resolution target runs again, moved by the working time the ticket spent resolved. */
export function reopened(state: SlaState, clock: BusinessClock, at: Date): SlaState {
  if (!state.resolution_met_at) return withNextDue({ ...state, stopped_at: null });
  const reopenedState = { ...state, resolution_met_at: null, stopped_at: null };
  return withNextDue(shiftPending(reopenedState, clock, state.resolution_met_at, at));
}

export function stopped(state: SlaState, at: Date): SlaState {
  return state.stopped_at ? state : withNextDue({ ...state, stopped_at: at });
}

/** Breached as of `now`: pending at its due time, which has passed, while the clock was running. */
export function isBreached(state: SlaState, kind: TargetKind, now: Date): boolean {
  const dueAt = dueOf(state, kind);
  if (!dueAt || dueAt > now || breachedAtOf(state, kind)) return false;
  if (!pending(state).some((item) => item.kind === kind)) return false;
  const stoppedBefore = (at: Date | null) => at !== null && at < dueAt;
  return !stoppedBefore(state.paused_at) && !stoppedBefore(state.stopped_at);
}

/** 80% of the target used: the instant 20% of the target before the due time, in working time. */
export function warningAt(clock: BusinessClock, dueAt: Date, targetMinutes: number): Date {
  return new Date(clock.add(dueAt.getTime(), -Math.round(targetMinutes * 0.2 * MINUTE_MS)));
}

export function recordBreach(state: SlaState, kind: TargetKind): SlaState {
  return breachedAtOf(state, kind) ? state : { ...state, [BREACHED[kind]]: dueOf(state, kind) };
}
