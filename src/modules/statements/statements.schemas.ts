import { z } from 'zod';
import { errorResponses } from '../../http/schemas.ts';

export const statementQuery = z.object({
  from: z.string().max(40).optional().describe('Start, inclusive: an ISO date (UTC midnight) or a date-time with offset; default the first of this month'),
  to: z.string().max(40).optional().describe('End, exclusive; default the first of next month'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an uppercase ISO 4217 code such as EUR').optional().describe('Default: the main currency (the repository\'s, else the busiest)'),
  format: z.enum(['json', 'csv', 'pdf']).default('json'),
});

export const payoutStatementQuery = statementQuery.pick({ format: true });

const money = {
  gross: z.number().int(),
  commission: z.number().int(),
  platformFee: z.number().int(),
  processorFee: z.number().int(),
  net: z.number().int().describe("What the line added to (or took from) this payee's balance"),
};

export const statementOut = z
  .object({
    payee: z.object({ type: z.enum(['helper', 'repo']), id: z.uuid(), name: z.string() }),
    currency: z.string(),
    currencies: z.array(z.string()).describe('Every currency the payee has money in'),
    note: z.string().nullable().describe('Says which currency this is when there are several'),
    from: z.string(),
    to: z.string(),
    payoutId: z.uuid().nullable(),
    openingBalance: z.number().int(),
    closingBalance: z.number().int().describe('openingBalance + totals.net; equals the ledger balance at `to`'),
    lines: z.array(
      z.object({
        date: z.string(),
        transactionId: z.uuid(),
        kind: z.enum(['release', 'plan', 'refund', 'dispute', 'payout', 'reversal']),
        ticket: z.object({ id: z.uuid(), title: z.string() }).nullable(),
        payoutId: z.uuid().nullable(),
        description: z.string(),
        ...money,
      }),
    ),
    totals: z.object(money),
  })
  .meta({ id: 'Statement' });

/** JSON by default; with format=csv or pdf the body is that document instead (streams and buffers skip the serializer). */
export const statementResponse = statementOut;

export const statementErrors = errorResponses;
