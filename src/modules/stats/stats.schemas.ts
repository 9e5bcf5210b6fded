import { z } from 'zod';
import { errorResponses } from '../../http/schemas.ts';

export const statsQuery = z.object({
  from: z.string().max(40).optional().describe('First day, inclusive, as 2026-01-01 (UTC); default 30 days before `to`'),
  to: z.string().max(40).optional().describe('Day after the last, exclusive; default tomorrow (UTC), so the last 30 days include today'),
  interval: z.enum(['day', 'week', 'month']).optional().describe('Step of the series; default day up to 62 days, week up to 731, month beyond'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an uppercase ISO 4217 code such as EUR').optional().describe("Money figures in this currency; default the repository's, or its busiest when it was never paid in its own"),
  format: z.enum(['json', 'csv', 'pdf']).default('json'),
});

const count = z.number().int();
const bySource = z.object({ ai: count, community: count, expert: count });
const byType = z.object({ ticket: count, session: count, plan: count, consulting: count });
const latency = z.object({
  tickets: count.describe('Tickets with this time'),
  medianSeconds: count.nullable().describe('At most this long for half of them (upper bound of the bucket the median falls in)'),
  p90Seconds: count.nullable().describe('At most this long for nine in ten'),
});

const figures = z
  .object({
    tickets: z.object({ opened: count, resolved: count.describe('Of those opened, resolved or closed now'), bySource, byType }),
    money: z.object({
      releases: count.describe('Payments released to the helpers and the repository (plan periods shared out included)'),
      reversals: count.describe('Refunds and disputes that took released money back'),
      value: count.describe('Gross value released, net of reversals, in minor units'),
      commission: count.describe("The repository's commission"),
      platformFee: count,
      processorFee: count,
      helperEarnings: count,
      valueByType: byType,
    }),
    activeHelpers: count.describe('Helpers with tickets, time or earnings in the period'),
    firstResponse: latency,
    resolution: latency,
    sla: z.object({ met: count, breached: count, compliance: z.number().nullable().describe('met / (met + breached); tickets whose clocks still run are not counted') }),
    satisfaction: z.object({ rated: count, average: z.number().nullable().describe('Mean rating, 1 to 5') }),
    ai: z.object({ questions: count, answered: count, declined: count, helpful: count, unhelpful: count, deflectionRate: z.number() }),
  })
  .meta({ id: 'StatsFigures' });

export const statsOut = z
  .object({
    repo: z.object({ id: z.uuid(), fullName: z.string() }),
    period: z.object({ from: z.string(), to: z.string(), days: count, interval: z.enum(['day', 'week', 'month']) }),
    previousPeriod: z.object({ from: z.string(), to: z.string() }).describe('The period of the same length just before'),
    currency: z.string(),
    currencies: z.array(z.string()).describe("Every currency the repository was paid in, busiest first, then its own"),
    approvedHelpers: count.describe('Helpers approved for the repository now'),
    current: figures,
    previous: figures,
    series: z.array(z.object({ start: z.string(), tickets: count, resolved: count, value: count })).describe('One point per interval, gaps filled with zeroes'),
    helpers: z.array(
      z.object({ id: z.uuid(), name: z.string(), tickets: count, resolved: count, minutes: count, earnings: count, rated: count, rating: z.number().nullable() }),
    ),
    unanswered: z.array(z.object({ question: z.string(), count, lastAskedAt: z.string() })).describe('Questions the docs could not answer: what to document next'),
  })
  .meta({ id: 'StatsReport' });

export const statsErrors = errorResponses;
