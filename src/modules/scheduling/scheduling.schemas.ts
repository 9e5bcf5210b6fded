import { z } from 'zod';
import { isoDate, timeZone } from '../../http/schemas.ts';
import { dayIntervals, localDate, weeklyHours, weeklyHoursOut } from '../sla/working-time.schemas.ts';

/** A month and a bit: what one slots request may span. */
export const MAX_RANGE_DAYS = 31;
export const MIN_BOOKING_MINUTES = 15;
export const MAX_BOOKING_MINUTES = 480;
export const MAX_BUFFER_MINUTES = 240;

const exception = z
  .object({
    date: localDate,
    off: z.boolean().default(false).describe("The weekly hours do not apply on this date"),
    intervals: dayIntervals.default([]).describe('Extra hours on this date (with off: the only hours that day)'),
  })
  .refine((value) => value.off || value.intervals.length > 0, { message: 'an exception is a day off, extra hours, or both', path: ['intervals'] });

export const availabilityBody = z.object({
  timeZone: timeZone.describe('Your time zone: the weekly hours and exception dates are read in it'),
  weeklyHours,
  exceptions: z
    .array(exception)
    .max(366)
    .default([])
    .superRefine((items, context) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.date)) context.addIssue({ code: 'custom', path: [index, 'date'], message: `${item.date} is listed twice; put its day off and hours in one entry` });
        seen.add(item.date);
      });
    }),
  bufferMinutes: z.number().int().min(0).max(MAX_BUFFER_MINUTES).default(0).describe('Kept free after each booking'),
  cancelNoticeHours: z.number().int().min(0).max(720).nullable().default(null).describe("Free cancellation until this many hours before; null: the repository's or the platform's notice"),
});

export const availabilityOut = z
  .object({
    helperId: z.uuid(),
    timeZone: z.string(),
    weeklyHours: weeklyHoursOut,
    exceptions: z.array(z.object({ date: z.string(), off: z.boolean(), intervals: z.array(z.object({ start: z.string(), end: z.string() })) })),
    bufferMinutes: z.number().int(),
    cancelNoticeHours: z.number().int().nullable(),
    updatedAt: isoDate.nullable().describe('null until you publish your availability'),
  })
  .meta({ id: 'HelperAvailability' });

const instant = z.iso.datetime({ offset: true });
const bookingMinutes = z.coerce.number().int().min(MIN_BOOKING_MINUTES).max(MAX_BOOKING_MINUTES);

export const slotsQuery = z
  .object({
    from: instant.describe('Start of the range, ISO 8601 with an offset or Z'),
    to: instant,
    tz: timeZone.optional().describe('Show the slots in this zone (default: your profile time zone)'),
    minutes: bookingMinutes.default(60).describe('Length of the session'),
  })
  .refine((query) => Date.parse(query.to) > Date.parse(query.from), { path: ['to'], message: 'must be after from' })
  .refine((query) => Date.parse(query.to) - Date.parse(query.from) <= MAX_RANGE_DAYS * 86_400_000, { path: ['to'], message: `may be at most ${MAX_RANGE_DAYS} days after from` });

export const slotsOut = z.object({
  helperId: z.uuid(),
  timeZone: z.string().describe('The zone start and end are shown in'),
  minutes: z.number().int(),
  items: z.array(z.object({ start: z.string(), end: z.string(), startUtc: isoDate, endUtc: isoDate })),
});

export const bookingBody = z.object({
  helperId: z.uuid(),
  ticketId: z.uuid().optional().describe('The ticket the session is about; you must be its customer'),
  start: instant,
  minutes: bookingMinutes,
  tz: timeZone.describe('Your time zone, for the invitation and reminders'),
});

export const rescheduleBody = z.object({ start: instant, minutes: bookingMinutes.optional() });
export const cancelBody = z.object({ reason: z.string().trim().max(1000).optional() }).optional();
export const bookingPolicyBody = z.object({ cancelNoticeHours: z.number().int().min(0).max(720) });
export const bookingPolicyOut = z.object({ repo: z.string(), cancelNoticeHours: z.number().int(), custom: z.boolean().describe('false: the platform default applies') });

const person = z.object({ id: z.uuid(), displayName: z.string() });
export const bookingOut = z
  .object({
    id: z.uuid(),
    helper: person,
    customer: person,
    ticketId: z.uuid().nullable(),
    status: z.enum(['confirmed', 'cancelled']),
    start: isoDate,
    end: isoDate,
    minutes: z.number().int(),
    customerTimeZone: z.string(),
    helperTimeZone: z.string(),
    startForCustomer: z.string().describe("The start in the customer's zone, with its offset"),
    startForHelper: z.string().describe("The start in the helper's zone, with its offset"),
    freeCancellationUntil: isoDate,
    cancelledAt: isoDate.nullable(),
    cancelledBy: z.uuid().nullable(),
    lateCancellation: z.boolean().nullable(),
    session: z.object({ startedAt: isoDate.nullable(), stoppedAt: isoDate.nullable(), meteredMinutes: z.number().int().nullable() }),
    createdAt: isoDate,
  })
  .meta({ id: 'Booking' });

export type AvailabilityInput = z.output<typeof availabilityBody>;
export type SlotsQuery = z.output<typeof slotsQuery>;
export type BookingInput = z.output<typeof bookingBody>;
export type RescheduleInput = z.output<typeof rescheduleBody>;

export const bookingsQuery = z.object({ ticket: z.uuid().describe('The ticket whose sessions to list') });
export const bookingListOut = z.object({ items: z.array(bookingOut) });
