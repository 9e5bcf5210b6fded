import type { TicketStatus } from '../../db/types.ts';
import { conflict } from '../../errors.ts';

export type TicketAction =
  | 'claim'
  | 'assign'
  | 'start'
  | 'wait'
  | 'customer_reply'
  | 'release'
  | 'resolve'
  | 'confirm'
  | 'reopen'
  | 'cancel';

/**
 * Every move a ticket may make: for each action, the statuses it may start from and where each one ends.
 * Anything not listed is refused. Community and AI tickets are never claimed, so they go open -> resolved.
 */
export const TRANSITIONS: Record<TicketAction, Partial<Record<TicketStatus, TicketStatus>>> = {
  claim: { open: 'claimed' },
  // A maintainer hands an unclaimed ticket to a helper, or moves work from one helper to another.
  assign: { open: 'claimed', claimed: 'claimed', in_progress: 'in_progress', waiting_on_customer: 'waiting_on_customer' },
  start: { claimed: 'in_progress', waiting_on_customer: 'in_progress' },
  wait: { claimed: 'waiting_on_customer', in_progress: 'waiting_on_customer' },
  customer_reply: { waiting_on_customer: 'in_progress' },
  release: { claimed: 'open', in_progress: 'open', waiting_on_customer: 'open' },
  resolve: { open: 'resolved', claimed: 'resolved', in_progress: 'resolved', waiting_on_customer: 'resolved' },
  confirm: { resolved: 'closed' },
  reopen: { resolved: 'open', closed: 'open' },
  cancel: { open: 'cancelled', claimed: 'cancelled', in_progress: 'cancelled', waiting_on_customer: 'cancelled' },
};

const ACTION_WORDS: Record<TicketAction, string> = {
  claim: 'claimed',
  assign: 'assigned',
  start: 'set in progress',
  wait: 'set waiting on the customer',
  customer_reply: 'moved back to in progress',
  release: 'released',
  resolve: 'resolved',
  confirm: 'confirmed',
  reopen: 'reopened',
  cancel: 'cancelled',
};

/** The ticket_events type each move records. */
export const EVENT_TYPES: Record<TicketAction, string> = {
  claim: 'claimed',
  assign: 'assigned',
  start: 'status_changed',
  wait: 'status_changed',
  customer_reply: 'status_changed',
  release: 'released',
  resolve: 'resolved',
  confirm: 'confirmed',
  reopen: 'reopened',
  cancel: 'cancelled',
};

/** Events only staff see, like the internal notes they announce. */
export const INTERNAL_EVENT_TYPES = ['note_added'];

export function invalidTransition(status: TicketStatus, action: TicketAction) {
  const from = Object.keys(TRANSITIONS[action]).map((name) => name.replaceAll('_', ' ')).join(', ');
  return conflict(
    `This ticket is ${status.replaceAll('_', ' ')}, so it cannot be ${ACTION_WORDS[action]} (action "${action}"); that works only when it is ${from}.`,
    'invalid_transition',
  );
}

export function canMove(status: TicketStatus, action: TicketAction): boolean {
  return TRANSITIONS[action][status] !== undefined;
}

/** The status after `action`, or a 409 invalid_transition naming the current status and the action. */
export function nextStatus(ticket: { status: TicketStatus; assignee_id: string | null }, action: TicketAction): TicketStatus {
  const to = TRANSITIONS[action][ticket.status];
  if (!to) throw invalidTransition(ticket.status, action);
  // An assigned ticket never waits in the open queue: reopening hands it straight back to its assignee.
  return action === 'reopen' && ticket.assignee_id ? 'in_progress' : to;
}
