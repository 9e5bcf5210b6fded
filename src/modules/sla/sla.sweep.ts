import { MINUTE_MS, type BusinessClock } from './business-time.ts';
import type { TargetKind } from './sla.ticket-view.ts';

/**
 * What the sweep reads of each running clock: its next due time (the earliest pending one, kept by the
 * clock rules in ticket_sla.next_due_at) in epoch milliseconds, and which target that is. Four columns,
 * because reading rows is most of the sweep's cost.
 */
export type SweepRow = { ticket_id: string; calendar_id: string | null; target: TargetKind; due_ms: number };

export type TimeLeft = { ticketId: string; target: TargetKind; dueAt: Date; businessMinutesLeft: number };

/**
 * Time left on the most urgent target of each ticket, in working minutes of its calendar (negative once
 * breached). The business clocks answer from cached intervals with a binary search, so the arithmetic for
 * 100,000 tickets takes milliseconds (bench/sla.ts).
 */
export function sweep(rows: SweepRow[], now: number, clockOf: (calendarId: string | null) => BusinessClock): TimeLeft[] {
  return rows.map((row) => ({
    ticketId: row.ticket_id,
    target: row.target,
    dueAt: new Date(row.due_ms),
    businessMinutesLeft: Math.floor(clockOf(row.calendar_id).between(now, row.due_ms) / MINUTE_MS),
  }));
}
