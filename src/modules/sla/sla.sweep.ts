import { MINUTE_MS, type BusinessClock } from './business-time.ts';
import type { TargetKind } from './sla.ticket-view.ts';

/** What the sweep reads of each running clock. */
export type SweepRow = {
  ticket_id: string;
  calendar_id: string | null;
  first_response_due_at: Date | null;
  first_response_met_at: Date | null;
  next_response_due_at: Date | null;
  resolution_due_at: Date | null;
  resolution_met_at: Date | null;
};

export type TimeLeft = { ticketId: string; target: TargetKind; dueAt: Date; businessMinutesLeft: number };

/**
 * Time left on the most urgent target of each ticket, in working minutes of its calendar (negative once
 * breached). One pass with no allocation beyond the result; the business clocks answer from cached
 * intervals, so 100,000 tickets take milliseconds (bench/sla.ts).
 */
export function sweep(rows: SweepRow[], now: number, clockOf: (calendarId: string | null) => BusinessClock): TimeLeft[] {
  const result: TimeLeft[] = [];
  for (const row of rows) {
    let target: TargetKind | null = null;
    let due = Infinity;
    if (row.first_response_due_at && !row.first_response_met_at && row.first_response_due_at.getTime() < due) {
      target = 'firstResponse';
      due = row.first_response_due_at.getTime();
    }
    if (row.next_response_due_at && row.next_response_due_at.getTime() < due) {
      target = 'nextResponse';
      due = row.next_response_due_at.getTime();
    }
    if (row.resolution_due_at && !row.resolution_met_at && row.resolution_due_at.getTime() < due) {
      target = 'resolution';
      due = row.resolution_due_at.getTime();
    }
    if (target === null) continue;
    const left = clockOf(row.calendar_id).between(now, due);
    result.push({ ticketId: row.ticket_id, target, dueAt: new Date(due), businessMinutesLeft: Math.floor(left / MINUTE_MS) });
  }
  return result;
}
