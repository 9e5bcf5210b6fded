import { z } from 'zod';
import { isoDate, timeZone } from '../../http/schemas.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import { PRIORITIES } from '../tickets/tickets.schemas.ts';
import type { TargetKind } from './sla.ticket-view.ts';
import { hasWorkingTime, localDate, weeklyHours, weeklyHoursOut } from './working-time.schemas.ts';

/** About ten weeks around the clock; a business-hours target this long spans most of a year. */
export const MAX_TARGET_MINUTES = 100_000;

const name = z.string().trim().min(1, 'must not be empty').max(100);
const holidays = z.array(localDate).max(400).describe('Local dates with no working hours, "YYYY-MM-DD"');
const NO_WORKING_TIME = 'a calendar needs working hours: give at least one interval on one weekday';
const NOTHING_TO_CHANGE = 'give at least one field to change';

export const createCalendarBody = z
  .object({
    name,
    timeZone: timeZone.describe('IANA time zone of the working hours, e.g. Europe/Paris'),
    weeklyHours,
    holidays: holidays.default([]),
  })
  .refine((body) => hasWorkingTime(body.weeklyHours), { path: ['weeklyHours'], message: NO_WORKING_TIME });

/** Fields left out keep their value; weeklyHours and holidays, when given, replace the whole week or list. */
export const updateCalendarBody = z
  .object({ name: name.optional(), timeZone: timeZone.optional(), weeklyHours: weeklyHours.optional(), holidays: holidays.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: NOTHING_TO_CHANGE })
  .refine((body) => body.weeklyHours === undefined || hasWorkingTime(body.weeklyHours), { path: ['weeklyHours'], message: NO_WORKING_TIME });

export const calendarIdParams = repoParams.extend({ calendarId: z.uuid() });
export const policyIdParams = repoParams.extend({ policyId: z.uuid() });

const minutes = z.number().int().min(1).max(MAX_TARGET_MINUTES);
const targetSet = z
  .object({ firstResponse: minutes.optional(), nextResponse: minutes.optional(), resolution: minutes.optional() })
  .strict()
  .describe('Minutes of business time (or of any time, around the clock)');
const targets = z.object(Object.fromEntries(PRIORITIES.map((priority) => [priority, targetSet.optional()])) as Record<(typeof PRIORITIES)[number], z.ZodOptional<typeof targetSet>>).strict();

const hasTarget = (value: z.output<typeof targets>) => Object.values(value).some((set) => set && Object.keys(set).length > 0);
const NO_TARGET = 'a policy needs at least one target, e.g. { "urgent": { "firstResponse": 60 } }';
const calendarId = z.uuid().nullable().describe("One of the repository's calendars; null measures around the clock");
const targetsIn = targets.describe('Per priority (urgent, high, normal, low): firstResponse, nextResponse and resolution in minutes');

export const createPolicyBody = z
  .object({ name, calendarId: calendarId.default(null), targets: targetsIn })
  .refine((body) => hasTarget(body.targets), { path: ['targets'], message: NO_TARGET });

/** Fields left out keep their value; targets, when given, replace every target. Tickets keep the targets they were given. */
export const updatePolicyBody = z
  .object({ name: name.optional(), calendarId: calendarId.optional(), targets: targetsIn.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: NOTHING_TO_CHANGE })
  .refine((body) => body.targets === undefined || hasTarget(body.targets), { path: ['targets'], message: NO_TARGET });

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
export type UpdateCalendarInput = z.output<typeof updateCalendarBody>;
export type UpdatePolicyInput = z.output<typeof updatePolicyBody>;
export type PolicyTargets = Partial<Record<(typeof PRIORITIES)[number], Partial<Record<TargetKind, number>>>>;
