import { z } from 'zod';
import { errorResponses, isoDate } from '../../http/schemas.ts';

const period = {
  from: z.string().max(40).optional().describe('Start, inclusive (ISO date or date-time with offset); default the first of this month'),
  to: z.string().max(40).optional().describe('End, exclusive; default the first of next month'),
};

export const overviewQuery = z.object(period);

export const overviewOut = z
  .object({
    from: isoDate,
    to: isoDate,
    revenue: z.array(
      z.object({
        currency: z.string(),
        period: z.string().describe('Calendar month, UTC'),
        platformFees: z.number().int(),
        processorFees: z.number().int().describe('Change of the processor fees the platform carries (paid back at release)'),
        net: z.number().int(),
      }),
    ),
    balances: z.array(
      z.object({
        currency: z.string(),
        escrowHeld: z.number().int(),
        owedToHelpers: z.number().int(),
        owedToRepos: z.number().int(),
        owedByPayees: z.number().int().describe('Negative balances: refunds after a payout, repaid by later earnings'),
        processorBalance: z.number().int(),
        taxPayable: z.number().int().describe('VAT collected and not yet paid to the tax authority: on top of bank-transfer invoices, included in card prices (booked at release)'),
      }),
    ),
    pendingPayouts: z.array(z.object({ currency: z.string(), status: z.enum(['processing', 'pending_manual']), count: z.number().int(), amount: z.number().int() })),
    negativeBalances: z.array(
      z.object({ payee: z.object({ type: z.enum(['helper', 'repo']), id: z.uuid(), name: z.string().nullable() }), currency: z.string(), balance: z.number().int() }),
    ),
  })
  .meta({ id: 'MoneyOverview' });

export const reconciliationBody = z
  .object({ ...period, provider: z.enum(['stripe', 'sandbox']).optional().describe('Default: Stripe when it is configured, else the sandbox') })
  .strict();

export const reconciliationOut = z
  .object({
    id: z.uuid(),
    provider: z.enum(['stripe', 'sandbox']),
    from: isoDate,
    to: isoDate,
    status: z.enum(['completed', 'failed']),
    checked: z.number().int(),
    error: z.string().nullable(),
    startedAt: isoDate,
    differences: z.array(
      z.object({
        object: z.enum(['charge', 'refund', 'transfer']),
        externalId: z.string(),
        issue: z.enum(['missing_in_ledger', 'missing_at_provider', 'amount_mismatch']),
        currency: z.string(),
        ledgerAmount: z.number().int().nullable(),
        providerAmount: z.number().int().nullable(),
      }),
    ),
  })
  .meta({ id: 'ReconciliationRun' });

export const reconciliationList = z.object({ items: z.array(reconciliationOut) });

export const adminMoneyErrors = errorResponses;
export type ReconciliationInput = z.output<typeof reconciliationBody>;
