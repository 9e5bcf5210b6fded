import { z } from 'zod';
import { isoDate } from '../../http/schemas.ts';
import { MAX_PRICE } from '../offerings/offerings.pricing.ts';
import { orgParams } from '../orgs/orgs.schemas.ts';
import { currencyCode, repoParams } from '../repos/repos.schemas.ts';
import { CHANNELS } from '../tickets/tickets.schemas.ts';

export const PLAN_PERIODS = ['month', 'year'] as const;
export const PAYMENT_METHODS = ['card', 'invoice'] as const;

const amount = z
  .number({ error: 'must be a number of minor units, e.g. 250000 for 2,500.00' })
  .int('must be a whole number of minor units: no fractions')
  .positive('must be greater than zero')
  .max(MAX_PRICE * 100, `must be at most ${MAX_PRICE * 100} minor units`);

export const planParams = repoParams;
export const subscriptionParams = orgParams.extend({ id: z.uuid() });

const planFields = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100),
    description: z.string().trim().max(2000).default(''),
    period: z.enum(PLAN_PERIODS).describe('How long a billing period lasts'),
    prices: z
      .array(z.object({ currency: currencyCode, amount }).strict())
      .min(1, 'a plan needs a price in at least one currency')
      .max(20)
      .refine((prices) => new Set(prices.map((price) => price.currency)).size === prices.length, 'each currency may be listed once')
      .describe('The price of one period per currency, in minor units'),
    includedHours: z.number().int().positive().max(10_000).nullable().default(null).describe('Hours of help included per period'),
    includedTickets: z.number().int().positive().max(100_000).nullable().default(null).describe('Tickets included per period'),
    channels: z
      .array(z.enum(CHANNELS))
      .min(1)
      .default(['web', 'email'])
      .refine((channels) => new Set(channels).size === channels.length, 'each channel may be listed once')
      .describe('Where plan members get help'),
    privateSlack: z.boolean().default(false).describe('A private Slack channel with the team'),
    privateDiscord: z.boolean().default(false).describe('A private Discord channel with the team'),
    slaPolicyId: z.uuid({ error: 'a plan needs SLA targets: give the id of one of the repository\'s SLA policies' }).describe('One of the repository\'s SLA policies'),
    active: z.boolean().default(true).describe('Inactive plans are hidden from customers and cannot be subscribed to'),
  })
  .strict();

const includesSomething = (body: { includedHours?: number | null; includedTickets?: number | null }) => body.includedHours !== null || body.includedTickets !== null;
export const INCLUDES_SOMETHING = 'a plan includes hours, tickets or both per period: give includedHours and/or includedTickets';

export const createPlanBody = planFields.refine(includesSomething, { path: ['includedHours'], message: INCLUDES_SOMETHING });

export const planIdParams = repoParams.extend({ id: z.uuid() });

/**
 * A plan's edit: any field but its period (subscribers' cycles are counted in it). Prices, included
 * amounts and the SLA policy apply to what comes next: running periods keep the price they were charged.
 */
export const updatePlanBody = z
  .object(Object.fromEntries(Object.entries(planFields.omit({ period: true }).shape).map(([name, field]) => [name, (field instanceof z.ZodDefault ? field.unwrap() : field).optional()])) as {
    [K in Exclude<keyof typeof planFields.shape, 'period'>]: z.ZodOptional<typeof planFields.shape[K] extends z.ZodDefault<infer Inner> ? Inner : typeof planFields.shape[K]>;
  })
  .strict();

export const planOut = z
  .object({
    id: z.uuid(),
    repo: z.string(),
    name: z.string(),
    description: z.string(),
    period: z.enum(PLAN_PERIODS),
    prices: z.array(z.object({ currency: z.string(), amount: z.number().int() })),
    includedHours: z.number().int().nullable(),
    includedTickets: z.number().int().nullable(),
    channels: z.array(z.string()),
    privateSlack: z.boolean(),
    privateDiscord: z.boolean(),
    slaPolicyId: z.uuid(),
    active: z.boolean(),
    createdAt: isoDate,
  })
  .meta({ id: 'Plan' });

export const subscribeBody = z
  .object({
    planId: z.uuid(),
    paymentMethod: z.enum(PAYMENT_METHODS).describe('card: pay now on the checkout page; invoice: an invoice with net terms, paid by bank transfer'),
    poNumber: z.string().trim().min(1).max(100).optional().describe("Printed on invoices; the organization's default when absent"),
    currency: currencyCode.optional().describe("One of the plan's currencies; required when it has several"),
  })
  .strict();

export const changeBody = z.object({ planId: z.uuid().describe('Another plan of the same repository, with the same period and a price in the subscription\'s currency') }).strict();

export const periodOut = z
  .object({
    id: z.uuid(),
    planId: z.uuid(),
    kind: z.enum(['initial', 'renewal', 'change']),
    status: z.enum(['pending', 'active', 'void']).describe('pending: waits for its card payment to start'),
    startsAt: isoDate.nullable(),
    endsAt: isoDate.nullable(),
    amount: z.number().int().describe('The price of this period, in minor units'),
    creditApplied: z.number().int().describe('Paid with credit left by an earlier change'),
    creditedBack: z.number().int().describe('Credited for the unused part when the plan changed'),
    charge: z.number().int().describe('What its payment or invoice asks for: amount − creditApplied'),
    paidAt: isoDate.nullable(),
    paymentId: z.uuid().nullable(),
    invoiceId: z.uuid().nullable(),
    closedAt: isoDate.nullable().describe('When its revenue was shared out'),
  })
  .meta({ id: 'SubscriptionPeriod' });

export const subscriptionOut = z
  .object({
    id: z.uuid(),
    org: z.string(),
    repo: z.string(),
    plan: z.object({ id: z.uuid(), name: z.string() }),
    status: z.enum(['incomplete', 'active', 'past_due', 'ended', 'cancelled']),
    paymentMethod: z.enum(PAYMENT_METHODS),
    poNumber: z.string().nullable(),
    currency: z.string(),
    cancelAtPeriodEnd: z.boolean(),
    credit: z.number().int().describe('Paid and not used yet, spent on the next charges'),
    currentPeriod: periodOut.nullable(),
    pendingPeriod: periodOut.nullable().describe('A period that starts when its card payment arrives'),
    createdAt: isoDate,
    endedAt: isoDate.nullable(),
  })
  .meta({ id: 'Subscription' });

const paymentLink = z.object({ id: z.uuid(), status: z.string(), provider: z.string(), amount: z.number().int(), currency: z.string(), url: z.string().nullable() });
const invoiceLink = z.object({ id: z.uuid(), number: z.string(), total: z.number().int(), dueDate: z.string().nullable() });

export const billedOut = z.object({
  subscription: subscriptionOut,
  payment: paymentLink.nullable().describe('The card checkout or the invoice payment for the new period; null when credit paid it'),
  invoice: invoiceLink.nullable(),
});

export const changedOut = billedOut.extend({
  proration: z.object({ credit: z.number().int(), newRest: z.number().int(), creditApplied: z.number().int(), charge: z.number().int(), creditLeft: z.number().int() }),
});

export const usageQuery = z.object({ from: z.string().max(40).optional(), to: z.string().max(40).optional() });

const targetCount = z.object({ met: z.number().int(), breached: z.number().int() });
export const usageOut = z.object({
  from: isoDate,
  to: isoDate,
  items: z.array(
    z.object({
      subscriptionId: z.uuid(),
      repo: z.string(),
      plan: z.object({ id: z.uuid(), name: z.string() }),
      period: z.object({ id: z.uuid(), startsAt: isoDate, endsAt: isoDate }),
      included: z.object({ hours: z.number().int().nullable(), tickets: z.number().int().nullable() }),
      used: z.object({ minutes: z.number().int(), hours: z.number().describe('minutes / 60, to two decimals'), tickets: z.number().int() }),
      sla: z.object({
        met: z.number().int(),
        breached: z.number().int(),
        firstResponse: targetCount,
        nextResponse: z.object({ breached: z.number().int() }),
        resolution: targetCount,
      }),
    }),
  ),
});

export type CreatePlanInput = z.output<typeof createPlanBody>;
export type UpdatePlanInput = z.output<typeof updatePlanBody>;
export type SubscribeInput = z.output<typeof subscribeBody>;
export type ChangeInput = z.output<typeof changeBody>;
export type SubscriptionOut = z.output<typeof subscriptionOut>;
export type PeriodOut = z.output<typeof periodOut>;
