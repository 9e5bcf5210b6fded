import { z } from 'zod';
import { errorResponse, errorResponses, isoDate } from '../../http/schemas.ts';
import { MAX_PRICE } from '../offerings/offerings.pricing.ts';
import { currencyCode } from '../repos/repos.schemas.ts';

/** The longest a quote may stay open, and how long it stays open when the helper does not say. */
export const QUOTE_MAX_DAYS = 90;
export const QUOTE_DEFAULT_DAYS = 7;
export const ESTIMATE_MAX_MINUTES = 10_000;
/** A session booked without a length authorizes this long (or its minimum, if longer). */
export const DEFAULT_SESSION_MINUTES = 60;

/**
 * Whole minor units above zero and at most the platform's price ceiling (MAX_PRICE, as for offerings).
 * The messages say why, since "12.5" usually means 12.50 and should be sent as 1250.
 */
export const amount = z
  .number({ error: 'must be a number of minor units, e.g. 2500 for 25.00' })
  .int('must be a whole number of minor units, e.g. 2550 for 25.50: no fractions')
  .positive('must be greater than zero')
  .max(MAX_PRICE, `must be at most ${MAX_PRICE} minor units`);

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

export const createQuoteBody = z
  .object({
    amount: amount.describe('The price of the work, in minor units of `currency`'),
    currency: currencyCode.describe("ISO 4217; one of the currencies of the ticket's offering, when it has one"),
    description: text(2000).describe('What the price covers'),
    estimatedMinutes: z.number().int('must be a whole number of minutes').min(1).max(ESTIMATE_MAX_MINUTES),
    expiresAt: isoDate.optional().describe(`When the offer lapses (default: in ${QUOTE_DEFAULT_DAYS} days; at most ${QUOTE_MAX_DAYS})`),
  })
  .strict();

export const purchaseBody = z
  .object({
    offeringId: z.uuid().describe('A fixed or session offering of the ticket\'s repository'),
    currency: currencyCode,
    estimatedMinutes: z
      .number()
      .int('must be a whole number of minutes')
      .min(1)
      .max(ESTIMATE_MAX_MINUTES)
      .optional()
      .describe(`Sessions only: the booked length the card is authorized for (default ${DEFAULT_SESSION_MINUTES}, never below the minimum)`),
  })
  .strict();

export const refundBody = z
  .object({
    amount: amount.describe('Minor units to give back; at most what was captured and not yet refunded'),
    reason: text(2000),
  })
  .strict();

export const disputeBody = z.object({ reason: text(2000).describe('What went wrong; an operator reads it before deciding') }).strict();

export const resolutionBody = z
  .object({
    outcome: z.enum(['release', 'refund']).describe('release: the helper is paid; refund: the customer gets `amount` back (default: everything) and the rest is released'),
    amount: amount.optional(),
  })
  .strict();

export const timeEntryBody = z
  .object({
    minutes: z.number({ error: 'must be a number of minutes' }).int('must be a whole number of minutes').min(1, 'must be at least 1').max(1440, 'must be at most 1440 (a day)'),
    note: z.string().trim().max(2000).default(''),
  })
  .strict();

export const idempotencyHeaders = z.object({
  'idempotency-key': z.string().optional().describe('Required: a unique value per attempt (a UUID); a retry with the same key returns the first answer'),
});

const split = z.object({ helper: z.number().int(), commission: z.number().int(), platformFee: z.number().int(), processorFee: z.number().int() });

export const refundOut = z.object({
  id: z.uuid(),
  amount: z.number().int(),
  reason: z.string(),
  source: z.enum(['request', 'dispute_resolution', 'provider']),
  createdAt: isoDate,
});

export const disputeOut = z.object({
  id: z.uuid(),
  source: z.enum(['customer', 'provider']),
  status: z.enum(['open', 'released', 'refunded', 'won', 'lost']),
  reason: z.string(),
  amount: z.number().int().nullable(),
  openedAt: isoDate,
  closedAt: isoDate.nullable(),
});

export const PAYMENT_STATUSES = ['pending', 'authorized', 'held', 'released', 'refunded', 'disputed', 'failed', 'expired', 'cancelled'] as const;

export const paymentOut = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid().nullable().describe("Null for a plan's payment: it pays for a subscription period"),
    quoteId: z.uuid().nullable(),
    offeringId: z.uuid().nullable(),
    kind: z.enum(['quote', 'fixed', 'session', 'plan', 'consulting']),
    status: z.enum(PAYMENT_STATUSES),
    provider: z.enum(['sandbox', 'stripe', 'invoice']),
    description: z.string(),
    amount: z.number().int().describe('Charged, or for a session the amount authorized on the card'),
    currency: z.string(),
    capturedAmount: z.number().int(),
    refundedAmount: z.number().int(),
    chargedBackAmount: z.number().int().describe('Taken back by the card network after a lost dispute'),
    processorFee: z.number().int(),
    commissionBps: z.number().int(),
    platformFeeBps: z.number().int(),
    url: z.string().nullable().describe('Where the payer pays'),
    invoiceId: z.uuid().nullable().describe("The buyer's invoice (GET /api/v1/invoices/{id} and .pdf), issued when the payment is released or, paid by invoice, when it is opened"),
    failureReason: z.string().nullable(),
    heldAt: isoDate.nullable(),
    releaseDueAt: isoDate.nullable(),
    releasedAt: isoDate.nullable(),
    split: split.nullable().describe('After release: how the released amount, less the VAT its invoice says a card price included, was divided'),
    refunds: z.array(refundOut),
    disputes: z.array(disputeOut),
    createdAt: isoDate,
  })
  .meta({ id: 'Payment' });

export const paymentEnvelope = z.object({ payment: paymentOut });
export const paymentList = z.object({ items: z.array(paymentOut) });
export const disputesQuery = z.object({
  status: z.enum(['open', 'closed']).default('open').describe('open: payments with a dispute to decide (default); closed: settled ones'),
});
export const disputedPaymentList = z.object({
  items: z.array(z.object({ payment: paymentOut, ticket: z.object({ id: z.uuid(), title: z.string(), repo: z.string() }).nullable() })),
});
export const refundResult = z.object({ refund: refundOut, payment: paymentOut });

export const QUOTE_STATUSES = ['pending', 'accepted', 'declined', 'withdrawn', 'expired'] as const;

export const quoteOut = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    helperId: z.uuid(),
    amount: z.number().int(),
    currency: z.string(),
    description: z.string(),
    estimatedMinutes: z.number().int(),
    status: z.enum(QUOTE_STATUSES),
    expiresAt: isoDate,
    decidedAt: isoDate.nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'Quote' });

export const quoteList = z.object({ items: z.array(quoteOut) });

export const timeEntryOut = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    helperId: z.uuid(),
    minutes: z.number().int(),
    note: z.string(),
    paymentId: z.uuid().nullable().describe('The session payment that billed this time'),
    createdAt: isoDate,
  })
  .meta({ id: 'TimeEntry' });

export const timeEntryList = z.object({ items: z.array(timeEntryOut), totalMinutes: z.number().int() });

/** Money routes can also answer 422 (an Idempotency-Key reused for another request) and 502 (the processor failed). */
export const moneyErrors = { ...errorResponses, 422: errorResponse, 502: errorResponse };

export type CreateQuoteInput = z.output<typeof createQuoteBody>;
export type PurchaseInput = z.output<typeof purchaseBody>;
export type RefundInput = z.output<typeof refundBody>;
export type ResolutionInput = z.output<typeof resolutionBody>;
export type TimeEntryInput = z.output<typeof timeEntryBody>;
export type PaymentOut = z.output<typeof paymentOut>;
