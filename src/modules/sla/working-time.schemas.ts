import { z } from 'zod';
import { parseClockTime, parseLocalDate, WEEKDAYS, type LocalInterval } from './business-time.ts';

/**
 * Input shapes for working time, shared by SLA calendars and helpers' availability: local times of day
 * and local dates in the owner's zone. Overlaps are refused rather than merged: they are a typing mistake.
 */

const clockTime = z.string().refine((value) => parseClockTime(value) !== null, 'must be a time of day "HH:MM" (00:00 to 24:00)');

export const localDate = z.string().refine((value) => parseLocalDate(value) !== null, 'must be a date "YYYY-MM-DD"');

const interval = z
  .object({ start: clockTime, end: clockTime })
  .refine(({ start, end }) => parseClockTime(end)! > parseClockTime(start)!, { message: 'must end after it starts', path: ['end'] });

/** The intervals of one day: at most 8, none overlapping another. */
export const dayIntervals = z
  .array(interval)
  .max(8)
  .superRefine((intervals, context) => {
    const sorted = intervals.map((item, index) => ({ index, start: parseClockTime(item.start)!, end: parseClockTime(item.end)! })).sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].start < sorted[i - 1].end) {
        const [first, second] = [intervals[sorted[i - 1].index], intervals[sorted[i].index]];
        context.addIssue({ code: 'custom', path: [sorted[i].index], message: `overlaps ${first.start}-${first.end}; join them or move one (${second.start}-${second.end})` });
      }
    }
  });

export const weeklyHours = z
  .object(Object.fromEntries(WEEKDAYS.map((day) => [day, dayIntervals.optional()])) as Record<(typeof WEEKDAYS)[number], z.ZodOptional<typeof dayIntervals>>)
  .strict()
  .describe('Intervals per weekday in local time, e.g. { "monday": [{ "start": "09:00", "end": "12:00" }, { "start": "13:00", "end": "17:00" }] }');

export type WeeklyHoursInput = z.output<typeof weeklyHours>;

export const hasWorkingTime = (weekly: WeeklyHoursInput) => Object.values(weekly).some((intervals) => (intervals?.length ?? 0) > 0);

/** Stored and shown with every weekday present, in order, so that clients need no defaults. */
export function fullWeek(weekly: Partial<Record<(typeof WEEKDAYS)[number], LocalInterval[]>>) {
  return Object.fromEntries(
    WEEKDAYS.map((day) => [day, [...(weekly[day] ?? [])].sort((a, b) => parseClockTime(a.start)! - parseClockTime(b.start)!).map(({ start, end }) => ({ start, end }))]),
  ) as Record<(typeof WEEKDAYS)[number], LocalInterval[]>;
}

export const weeklyHoursOut = z.object(Object.fromEntries(WEEKDAYS.map((day) => [day, z.array(z.object({ start: z.string(), end: z.string() }))])) as Record<(typeof WEEKDAYS)[number], z.ZodArray<z.ZodObject<{ start: z.ZodString; end: z.ZodString }>>>);
