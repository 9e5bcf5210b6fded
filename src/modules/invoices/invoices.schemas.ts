import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { errorResponses, isoDate, pageQuery } from '../../http/schemas.ts';
import { currencyCode } from '../repos/repos.schemas.ts';

/** Far above any real invoice, far below 2^53: sums and quantity × price stay exact JavaScript numbers. */
export const MAX_AMOUNT = 1e13;

const wholeNumber = (what: string, min: number) =>
  z
    .number()
    .refine(Number.isInteger, `must be a whole number of ${what}, not a fraction`)
    .refine((value) => value >= min, min === 0 ? 'must not be negative' : `must be at least ${min}`)
    .refine((value) => value <= MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`);

export const minorUnits = wholeNumber('minor units', 0);
export const positiveMinorUnits = wholeNumber('minor units', 1);

export const countryCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as DE');

export const LINE_KINDS = ['offering', 'time', 'fee', 'plan', 'consulting'] as const;

const reference = z.object({ type: z.string().trim().min(1).max(50), id: z.string().trim().min(1).max(255) });

export const lineInput = z.object({
  kind: z.enum(LINE_KINDS),
  description: z.string().trim().min(1).max(500),
  quantity: wholeNumber('units (minutes for logged time)', 1),
  unitPrice: minorUnits.describe('Minor units per unit of quantity (per minute for logged time)'),
  reference: reference.optional().describe('What the line bills: a ticket, a payment, a plan'),
});

export const buyerInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('org'), orgId: z.uuid() }),
  z.object({
    kind: z.literal('user'),
    userId: z.uuid(),
    country: countryCode.optional().describe("The individual's country: it decides the VAT rate (the seller's when absent)"),
  }),
]);

/** What issueInvoice takes, from the payments code or from an operator. */
export const issueInput = z.object({
  issuer: z
    .object({ kind: z.literal('platform'), repoId: z.uuid().nullable().default(null) })
    .default({ kind: 'platform', repoId: null })
    .describe('The seller: the platform, on behalf of the repository the invoice is for'),
  buyer: buyerInput,
  currency: currencyCode,
  lines: z.array(lineInput).min(1, 'an invoice needs at least one line').max(200),
  poNumber: z.string().trim().min(1).max(100).optional().describe("Purchase order number; the organization's default when absent"),
  netTermsDays: z.number().int().min(0).max(365).optional().describe('Days to pay; NET_TERMS_DAYS when absent'),
  paymentId: z.string().trim().min(1).max(255).optional().describe('The payment this invoice asks for; at most one invoice per payment'),
  taxInclusive: z
    .boolean()
    .default(false)
    .describe('The line prices include VAT (what a card payment charged): the total is their sum and the tax the VAT it includes. Otherwise VAT is added on top'),
});

export const creditNoteInput = z
  .object({
    reason: z.string().trim().min(1).max(500),
    full: z.literal(true).optional().describe('Credit everything not credited yet'),
    lines: z
      .array(z.object({ lineId: z.uuid(), amount: positiveMinorUnits }))
      .min(1)
      .max(200)
      .optional()
      .describe('Amounts to credit per invoice line, each at most what is left of that line'),
  })
  .refine((value) => (value.full === true) !== (value.lines !== undefined), { message: 'give either full: true or lines, not both', path: ['lines'] });

export const markPaidBody = z.object({
  paidAt: isoDate.describe('When the money arrived'),
  reference: z.string().trim().min(1).max(200).describe('The bank transaction or payment reference'),
});
/** The service also takes a Date from its callers in code. */
export const markPaidInput = markPaidBody.extend({ paidAt: z.union([z.date(), isoDate.transform((value) => new Date(value))]) });

export type IssueInput = z.input<typeof issueInput>;
export type CreditNoteInput = z.input<typeof creditNoteInput>;
export type MarkPaidInput = z.input<typeof markPaidInput>;

/** Services are called by other modules, not only by routes, so they validate their own input. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(input)', message: issue.message }));
  const summary = details.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
  throw new AppError(400, 'validation_failed', `The request is not valid. ${summary}`, details);
}

const addressOut = z.array(z.string()).describe('Postal address, one entry per line');

const lineOut = z.object({
  id: z.uuid(),
  position: z.number().int(),
  kind: z.enum(LINE_KINDS),
  description: z.string(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  amount: z.number().int(),
  reference: reference.nullable(),
  creditsLineId: z.uuid().nullable().describe('Credit notes: the invoice line this credits'),
  credited: z.number().int().describe('Invoices: how much of this line credit notes have credited so far'),
});

export const invoiceOut = z
  .object({
    id: z.uuid(),
    kind: z.enum(['invoice', 'credit_note']),
    number: z.string(),
    status: z.enum(['issued', 'paid', 'void']).describe('Credit notes are always issued'),
    currency: z.string(),
    issueDate: z.iso.date(),
    dueDate: z.iso.date().nullable(),
    issuedAt: isoDate,
    paidAt: isoDate.nullable(),
    paymentReference: z.string().nullable(),
    voidedAt: isoDate.nullable(),
    seller: z.object({ legalName: z.string(), address: addressOut, country: z.string(), vatId: z.string().nullable() }),
    buyer: z.object({
      kind: z.enum(['org', 'user']),
      orgId: z.uuid().nullable(),
      userId: z.uuid().nullable(),
      name: z.string(),
      email: z.string().nullable(),
      address: addressOut,
      country: z.string().nullable(),
      vatId: z.string().nullable(),
    }),
    poNumber: z.string().nullable(),
    repoId: z.uuid().nullable(),
    paymentId: z.string().nullable(),
    lines: z.array(lineOut),
    subtotal: z.number().int().describe('The total excluding VAT'),
    tax: z.object({
      country: z.string(),
      rateBps: z.number().int(),
      amount: z.number().int(),
      reverseCharge: z.boolean(),
      inclusive: z.boolean().describe('The lines include VAT (card payments): total = sum of the lines, subtotal = total - tax. Otherwise subtotal = sum of the lines'),
    }),
    total: z.number().int(),
    notes: z.array(z.string()).describe('Printed on the document: the reverse-charge statement, the reason of a credit note'),
    creditedTotal: z.number().int().describe('Invoices: the total of their credit notes'),
    amountDue: z.number().int().describe('Invoices: what is still to pay (0 once paid or void)'),
    creditsInvoice: z.object({ id: z.uuid(), number: z.string() }).nullable(),
    creditNotes: z.array(z.object({ id: z.uuid(), number: z.string(), total: z.number().int(), issuedAt: isoDate })),
    paymentInstructions: z
      .object({ method: z.literal('bank_transfer'), iban: z.string(), bic: z.string().nullable(), reference: z.string(), amount: z.number().int() })
      .nullable()
      .describe('How to pay an open invoice by bank transfer; null when nothing is due or no IBAN is configured'),
    pdfUrl: z.string(),
  })
  .meta({ id: 'Invoice' });

export const invoiceListOut = z.object({ items: z.array(invoiceOut), nextCursor: z.string().nullable() });
export const listQuery = z.object({ ...pageQuery });

export const spendOut = z.object({
  items: z.array(
    z.object({
      repo: z.string().nullable().describe('null for invoices not tied to a repository'),
      currency: z.string(),
      invoiced: z.number().int().describe('Invoice totals, tax included, in minor units'),
      credited: z.number().int().describe('Credit notes against them'),
      net: z.number().int(),
      invoices: z.number().int(),
    }),
  ),
});

export const taxRateOut = z.object({ country: z.string(), rateBps: z.number().int(), updatedAt: isoDate }).meta({ id: 'TaxRate' });
export const taxRateBody = z.object({ rateBps: z.number().int().min(0).max(10_000).describe('1900 = 19%') });

const bankRowOut = z.object({
  row: z.number().int().describe('Line number in the CSV, the header being line 1'),
  date: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  reference: z.string(),
  invoiceId: z.uuid().nullable(),
  invoiceNumber: z.string().nullable(),
  reason: z.string().describe('Why the row was or was not matched, as a code'),
  message: z.string(),
});
export const bankImportOut = z
  .object({ matched: z.array(bankRowOut), unmatched: z.array(bankRowOut), ambiguous: z.array(bankRowOut) })
  .meta({ id: 'BankImport' });
export const bankImportBody = z.union([z.string().describe('text/csv'), z.object({ csv: z.string() })]);

export const invoiceErrors = errorResponses;
