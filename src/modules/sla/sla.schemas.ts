import { z } from 'zod';
import { isoDate, timeZone } from '../../http/schemas.ts';
import { PRIORITIES } from '../tickets/tickets.schemas.ts';
import type { TargetKind } from './sla.ticket-view.ts';
import { hasWorkingTime, localDate, weeklyHours, weeklyHoursOut } from './working-time.schemas.ts';

/** About ten weeks around the clock; a business-hours target this long spans most of a year. */
export const MAX_TARGET_MINUTES = 100_000;

const name = z.string().trim().min(1, 'must not be empty').max(100);

export const createCalendarBody = z
  .object({
    name,
    timeZone: timeZone.describe('IANA time zone of the working hours, e.g. Europe/Paris'),
    weeklyHours,
    holidays: z.array(localDate).max(400).default([]).describe('Local dates with no working hours, "YYYY-MM-DD"'),
  })
  .refine((body) => hasWorkingTime(body.weeklyHours), {
    path: ['weeklyHours'],
    message: 'a calendar needs working hours: give at least one interval on one weekday',
  });

const minutes = z.number().int().min(1).max(MAX_TARGET_MINUTES);
const targetSet = z
  .object({ firstResponse: minutes.optional(), nextResponse: minutes.optional(), resolution: minutes.optional() })
  .strict()
  .describe('Minutes of business time (or of any time, around the clock)');
const targets = z.object(Object.fromEntries(PRIORITIES.map((priority) => [priority, targetSet.optional()])) as Record<(typeof PRIORITIES)[number], z.ZodOptional<typeof targetSet>>).strict();

export const createPolicyBody = z
  .object({
    name,
    calendarId: z.uuid().nullable().default(null).describe("One of the repository's calendars; null measures around the clock"),
    targets: targets.describe('Per priority (urgent, high, normal, low): firstResponse, nextResponse and resolution in minutes'),
  })
  .refine((body) => Object.values(body.targets).some((set) => set && Object.keys(set).length > 0), {
    path: ['targets'],
    message: 'a policy needs at least one target, e.g. { "urgent": { "firstResponse": 60 } }',
  });

export const defaultPolicyBody = z.object({ policyId: z.uuid().nullable().describe('null: no SLA for tickets without a plan') });

export const calendarOut = z
  .object({
    id: z.uuid(),
    repo: z.string(),
    name: z.string(),
    timeZone: z.string(),
    weeklyHours: weeklyHoursOut,
    holidays: z.array(z.string()),
    createdAt: isoDate,
  })
  .meta({ id: 'BusinessCalendar' });

const targetsOut = z.object(
  Object.fromEntries(PRIORITIES.map((priority) => [priority, z.object({ firstResponse: z.number().nullable(), nextResponse: z.number().nullable(), resolution: z.number().nullable() })])) as Record<
    (typeof PRIORITIES)[number],
    z.ZodObject<{ firstResponse: z.ZodNullable<z.ZodNumber>; nextResponse: z.ZodNullable<z.ZodNumber>; resolution: z.ZodNullable<z.ZodNumber> }>
  >,
);

export const policyOut = z
  .object({
    id: z.uuid(),
    repo: z.string(),
    name: z.string(),
    calendarId: z.uuid().nullable(),
    measuredIn: z.enum(['business_hours', 'around_the_clock']),
    targets: targetsOut,
    isDefault: z.boolean().describe("Applied to the repository's expert tickets"),
    createdAt: isoDate,
  })
  .meta({ id: 'SlaPolicy' });

export const defaultPolicyOut = z.object({ policyId: z.uuid().nullable() });

export type CreateCalendarInput = z.output<typeof createCalendarBody>;
export type CreatePolicyInput = z.output<typeof createPolicyBody>;
export type PolicyTargets = Partial<Record<(typeof PRIORITIES)[number], Partial<Record<TargetKind, number>>>>;
