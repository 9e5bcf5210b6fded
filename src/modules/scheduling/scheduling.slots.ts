import { MINUTE_MS, type LocalInterval, type WorkingTimeSpec } from '../sla/business-time.ts';

export type Exception = { date: string; off: boolean; intervals: LocalInterval[] };
export type Range = [number, number];

/** Slots start on the quarter hour, which is also the quarter hour in every zone's local time. */
export const SLOT_STEP_MS = 15 * MINUTE_MS;

export function availabilitySpec(timeZone: string, weekly: WorkingTimeSpec['weekly'], exceptions: Exception[]): WorkingTimeSpec {
  return {
    timeZone,
    weekly,
    closedDates: exceptions.filter((item) => item.off).map((item) => item.date),
    extraHours: Object.fromEntries(exceptions.filter((item) => item.intervals.length > 0).map((item) => [item.date, item.intervals])),
  };
}

/** `ranges` minus `taken`; both sorted by start, results sorted. */
export function subtract(ranges: Range[], taken: Range[]): Range[] {
  const result: Range[] = [];
  for (const [start, end] of ranges) {
    let cursor = start;
    for (const [takenStart, takenEnd] of taken) {
      if (takenEnd <= cursor || takenStart >= end) continue;
      if (takenStart > cursor) result.push([cursor, takenStart]);
      cursor = Math.max(cursor, takenEnd);
    }
    if (cursor < end) result.push([cursor, end]);
  }
  return result;
}

/**
 * Free slots of `minutes` inside the available ranges. A booking blocks [start, end + its buffer);
 * a new one needs its own buffer before the next booking, so each booking also takes `buffer` before it.
 * This is the rule the bookings_no_overlap constraint enforces, so an offered slot can be booked.
 */
export function freeSlots(options: { available: Range[]; bookings: Range[]; bufferMs: number; lengthMs: number; notBefore: number }): Range[] {
  const taken = options.bookings.map(([start, blockedUntil]): Range => [start - options.bufferMs, blockedUntil]).sort((a, b) => a[0] - b[0]);
  const slots: Range[] = [];
  for (const [start, end] of subtract(options.available, taken)) {
    const earliest = Math.max(start, options.notBefore);
    for (let slot = Math.ceil(earliest / SLOT_STEP_MS) * SLOT_STEP_MS; slot + options.lengthMs <= end; slot += SLOT_STEP_MS) {
      slots.push([slot, slot + options.lengthMs]);
    }
  }
  return slots;
}
