import { z } from 'zod';
import { isoDate, timeZone } from '../../http/schemas.ts';
import { MAX_PRICE } from '../offerings/offerings.pricing.ts';
import { PAYMENT_METHODS } from '../plans/plans.schemas.ts';
import { currencyCode, fullNameSchema, repoParams } from '../repos/repos.schemas.ts';

export const MAX_HOURS = 1000;
export const MAX_PROPOSED_STARTS = 10;
export const QUOTE_DEFAULT_DAYS = 14;

const minorUnits = z
  .number({ error: 'must be a number of minor units, e.g. 15000 for 150.00' })
  .int('must be a whole number of minor units: no fractions')
  .positive('must be greater than zero')
  .max(MAX_PRICE, `must be at most ${MAX_PRICE} minor units`);
const hours = z.number().int('must be a whole number of hours').min(1).max(MAX_HOURS);
const instant = z.iso.datetime({ offset: true });

export const serviceParams = repoParams;

export const createServiceBody = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(100),
    description: z.string().trim().max(4000).default(''),
    rates: z
      .array(z.object({ currency: currencyCode, hourlyRate: minorUnits }).strict())
      .min(1, 'a service needs an hourly rate in at least one currency')
      .max(20)
      .refine((rates) => new Set(rates.map((rate) => rate.currency)).size === rates.length, 'each currency may be listed once')
      .describe('Hourly rate per currency, in minor units'),
    typicalHours: hours.describe('How long the service usually takes'),
    active: z.boolean().default(true),
  })
  .strict();

/** Every field may change; rates, when given, replace the old ones (quotes already sent keep their amount). */
export const updateServiceBody = z
  .object({
    name: createServiceBody.shape.name,
    description: z.string().trim().max(4000),
    rates: createServiceBody.shape.rates,
    typicalHours: hours,
    active: z.boolean(),
  })
  .partial()
  .strict();

export const serviceIdParams = repoParams.extend({ id: z.uuid() });

export const serviceOut = z
  .object({
    id: z.uuid(),
    repo: z.string(),
    name: z.string(),
    description: z.string(),
    rates: z.array(z.object({ currency: z.string(), hourlyRate: z.number().int() })),
    typicalHours: z.number().int(),
    active: z.boolean(),
    createdAt: isoDate,
  })
  .meta({ id: 'ConsultingService' });

export const requestBody = z
  .object({
    repo: fullNameSchema.describe('The repository, "owner/name"'),
    serviceId: z.uuid(),
    context: z.string().trim().min(1, 'must not be empty').max(10_000).describe('What you need and why: systems, versions, deadlines'),
    org: z.string().trim().toLowerCase().max(60).optional().describe('Slug of an organization you are a member of, to ask on its behalf (needed to pay by invoice)'),
  })
  .strict();

export const quoteBody = z
  .object({
    hours,
    currency: currencyCode,
    amount: minorUnits.optional().describe("The price; by default hours × the service's hourly rate in that currency"),
    proposedStarts: z
      .array(instant)
      .min(1, 'propose at least one start')
      .max(MAX_PROPOSED_STARTS)
      .describe("Starts of the first session, within the quoting helper's availability"),
    note: z.string().trim().max(4000).default(''),
    expiresAt: instant.optional().describe(`When the offer lapses (default: in ${QUOTE_DEFAULT_DAYS} days)`),
  })
  .strict();

export const acceptBody = z
  .object({
    paymentMethod: z.enum(PAYMENT_METHODS),
    poNumber: z.string().trim().min(1).max(100).optional(),
    start: instant.describe('One of the proposed starts: the first session is booked then'),
    tz: timeZone.default('UTC').describe('Your time zone, for the invitation and reminders'),
  })
  .strict();

export const quoteOut = z
  .object({
    id: z.uuid(),
    requestId: z.uuid(),
    helperId: z.uuid(),
    hours: z.number().int(),
    amount: z.number().int(),
    currency: z.string(),
    note: z.string(),
    proposedStarts: z.array(isoDate),
    status: z.enum(['pending', 'accepted', 'declined', 'withdrawn', 'expired']),
    expiresAt: isoDate,
    paymentMethod: z.enum(PAYMENT_METHODS).nullable(),
    paymentId: z.uuid().nullable(),
    bookingId: z.uuid().nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'ConsultingQuote' });

export const requestOut = z
  .object({
    id: z.uuid(),
    repo: z.string(),
    service: z.object({ id: z.uuid(), name: z.string() }),
    ticketId: z.uuid().describe('The request is worked as an expert ticket: its conversation, claim and time log'),
    org: z.string().nullable(),
    context: z.string(),
    status: z.enum(['open', 'accepted']),
    quotes: z.array(quoteOut),
    createdAt: isoDate,
  })
  .meta({ id: 'ConsultingRequest' });

export const acceptedOut = z.object({
  quote: quoteOut,
  payment: z.object({ id: z.uuid(), status: z.string(), provider: z.string(), amount: z.number().int(), currency: z.string(), url: z.string().nullable() }),
  invoice: z.object({ id: z.uuid(), number: z.string(), total: z.number().int(), dueDate: z.string().nullable() }).nullable(),
  booking: z.object({ id: z.uuid(), start: isoDate, minutes: z.number().int() }),
});

export type CreateServiceInput = z.output<typeof createServiceBody>;
export type UpdateServiceInput = z.output<typeof updateServiceBody>;
export type RequestInput = z.output<typeof requestBody>;
export type QuoteInput = z.output<typeof quoteBody>;
export type AcceptInput = z.output<typeof acceptBody>;
