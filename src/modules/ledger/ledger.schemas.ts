import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { errorResponses } from '../../http/schemas.ts';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** Exactly three uppercase letters of a known ISO 4217 code: the ledger does not guess what "usd" meant. */
export const ledgerCurrency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an uppercase ISO 4217 code such as EUR or USD')
  .refine((code) => CURRENCIES.has(code), { message: 'is not an ISO 4217 currency code' });

const minorUnits = z
  .number()
  .refine(Number.isSafeInteger, 'must be a whole number of minor units within ±2^53')
  .refine((amount) => amount !== 0, 'must not be zero');

const idempotencyKey = z.string().min(1).max(255);
const reference = z.object({ type: z.string().trim().min(1).max(50), id: z.string().trim().min(1).max(255) });

/** Reversals are made by `reverse`, which links them to what they reverse; `post` makes every other kind. */
export const postableKinds = ['capture', 'release', 'refund', 'dispute', 'payout', 'transfer'] as const;

export const postInput = z.object({
  idempotencyKey,
  kind: z.enum(postableKinds),
  currency: ledgerCurrency,
  reference,
  memo: z.string().max(500).default(''),
  entries: z.array(z.object({ accountCode: z.string().max(200), amount: minorUnits })).min(2).max(100),
});

export const reverseInput = z
  .object({
    idempotencyKey,
    /** Minor units of the original transaction's total (its debits) to take back. */
    amount: z.number().refine((value) => Number.isSafeInteger(value) && value > 0, 'must be a positive whole number of minor units').optional(),
    /** A share of the original total, as integers so no floating point is involved; rounded down. */
    fraction: z
      .object({ numerator: z.number().int().positive(), denominator: z.number().int().positive() })
      .refine((value) => value.numerator <= value.denominator, 'must be at most 1 (numerator <= denominator)')
      .optional(),
    reference: reference.optional(),
    memo: z.string().max(500).default(''),
    /**
     * Takes this much back from the one entry of this account, as near as the entry's remainder and the
     * room of the other entries on its side allow, and the rest of its side in proportion: a refund's VAT
     * follows its credit note rather than the proportion (docs/payments.md).
     */
    pin: z
      .object({ accountCode: z.string().max(200), amount: z.number().refine((value) => Number.isSafeInteger(value) && value >= 0, 'must be a whole number of minor units, at least 0') })
      .optional(),
  })
  .refine((value) => (value.amount === undefined) !== (value.fraction === undefined), 'give either amount or fraction, not both');

export type PostInput = z.input<typeof postInput>;
export type ReverseInput = z.input<typeof reverseInput>;

/** Services are called by other modules, not only by routes, so they validate their own input. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(input)', message: issue.message }));
  const summary = details.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
  throw new AppError(400, 'validation_failed', `The ledger request is not valid. ${summary}`, details);
}

export const checkOut = z
  .object({
    ok: z.boolean(),
    problems: z.array(z.string()).describe('One line per broken invariant; empty when the ledger is consistent'),
  })
  .meta({ id: 'LedgerCheck' });

export const ledgerErrors = errorResponses;
