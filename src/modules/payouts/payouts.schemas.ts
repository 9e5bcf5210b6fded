import { z } from 'zod';
import { errorResponses, isoDate } from '../../http/schemas.ts';

const minorUnits = z.number().int().refine(Number.isSafeInteger, 'must be a whole number of minor units');

export const payoutSettingsBody = z
  .object({
    schedule: z.enum(['weekly', 'monthly']).describe('Weekly: at most one payout per ISO week (UTC); monthly: one per calendar month'),
    minimums: z
      .record(z.string().regex(/^[A-Z]{3}$/, 'must be an uppercase ISO 4217 code such as EUR'), minorUnits.refine((value) => value > 0, 'must be positive'))
      .default({})
      .describe('Your own minimum per currency, in minor units; only above the platform minimum. A currency left out uses the platform minimum.'),
  })
  .strict();

export const payoutSettingsOut = z
  .object({
    schedule: z.enum(['weekly', 'monthly']),
    minimums: z.record(z.string(), z.number().int()).describe('The minimums the payee chose'),
    platformMinimum: z.number().int().describe('The platform minimum of currencies without an exception (PAYOUT_MINIMUM)'),
  })
  .meta({ id: 'PayoutSettings' });

export const balanceOut = z
  .object({
    schedule: z.enum(['weekly', 'monthly']),
    items: z.array(
      z.object({
        currency: z.string(),
        balance: z.number().int().describe('What the ledger owes you now; negative after a refund of money already paid out, repaid by later earnings'),
        inPayout: z.number().int().describe('Paid out of the balance but not arrived yet (processing or waiting for a bank transfer)'),
        minimum: z.number().int().describe('A payout is made once the balance reaches this'),
        currentPeriod: z.string().describe('The period whose payout is next (2026-W02, 2026-01)'),
        paidThisPeriod: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'PayoutBalance' });

export const payoutOut = z
  .object({
    id: z.uuid(),
    payee: z.object({ type: z.enum(['helper', 'repo']), id: z.uuid() }),
    currency: z.string(),
    amount: z.number().int(),
    period: z.string(),
    method: z.enum(['stripe', 'manual']),
    status: z.enum(['processing', 'pending_manual', 'paid', 'failed']),
    ledgerTransactionId: z.uuid(),
    reversalTransactionId: z.uuid().nullable(),
    providerTransferId: z.string().nullable(),
    failureReason: z.string().nullable(),
    paidReference: z.string().nullable(),
    paidAt: isoDate.nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'Payout' });

export const payoutList = z.object({ items: z.array(payoutOut) });
export const adminPayoutList = z.object({
  items: z.array(payoutOut.extend({ payeeName: z.string().nullable().describe("The helper's display name or the repository's full name") })),
});

export const markPaidBody = z.object({ reference: z.string().trim().min(1).max(200).optional().describe("The bank transfer's reference") }).strict();
export const markFailedBody = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
export const adminListQuery = z.object({
  status: z.enum(['processing', 'pending_manual', 'paid', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const runOut = z.object({ enqueued: z.boolean() });

export const payoutErrors = errorResponses;

export type PayoutSettingsInput = z.input<typeof payoutSettingsBody>;
