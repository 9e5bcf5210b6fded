import { z } from 'zod';
import { isoDate } from '../../http/schemas.ts';
import { currencyCode, repoParams } from '../repos/repos.schemas.ts';
import { MAX_MINIMUM_MINUTES, MAX_PER_MINUTE_RATE, MAX_PRICE } from './offerings.pricing.ts';

export const OFFERING_KINDS = ['fixed', 'session', 'quote'] as const;
export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 2000;
/** Enough for every currency a project could sensibly price in, few enough to list without paging. */
export const PRICES_MAX = 20;

export const offeringParams = repoParams.extend({ id: z.uuid() });

/** Whole minor units. The messages say why, since "12.5" usually means 12.50 and should be sent as 1250. */
function minorUnits(max: number, allowZero: boolean) {
  const whole = z
    .number({ error: 'must be a number of minor units, e.g. 2500 for 25.00' })
    .int('must be a whole number of minor units, e.g. 2550 for 25.50: no fractions');
  const floor = allowZero ? whole.nonnegative('must not be negative') : whole.positive('must be greater than zero');
  return floor.max(max, `must be at most ${max} minor units`);
}

const bounds = z
  .object({ min: minorUnits(MAX_PRICE, false), max: minorUnits(MAX_PRICE, false) })
  .strict()
  .refine((range) => range.min <= range.max, { message: 'must not be below min', path: ['max'] })
  .describe('What approved helpers may charge instead of the listed amount: the price of a fixed offering, the per-minute rate of a session. Absent or null: helpers use the listed price.');

/** One currency's price. Which fields belong depends on the offering's kind; offerings.validation.ts checks that. */
export const priceInput = z
  .object({
    currency: currencyCode,
    price: minorUnits(MAX_PRICE, false).optional().describe('Fixed offerings: the price, in minor units'),
    initialFee: minorUnits(MAX_PRICE, true).optional().describe('Session offerings: charged once per session, in minor units'),
    perMinuteRate: minorUnits(MAX_PER_MINUTE_RATE, false).optional().describe('Session offerings: per minute, in minor units'),
    minimumMinutes: z
      .number()
      .int('must be a whole number of minutes')
      .nonnegative('must not be negative')
      .max(MAX_MINIMUM_MINUTES, `must be at most ${MAX_MINIMUM_MINUTES} minutes`)
      .optional()
      .describe('Session offerings: a shorter session is charged as this long'),
    bounds: bounds.nullish(),
  })
  .strict();

const offeringFields = {
  name: z.string().trim().min(1, 'must not be empty').max(NAME_MAX),
  description: z.string().trim().max(DESCRIPTION_MAX).describe(`Markdown, at most ${DESCRIPTION_MAX} characters; raw HTML is shown as text`),
  currency: currencyCode.describe("The offering's main currency, listed first; it must have a price. Defaults to the repository's currency."),
  prices: z
    .array(priceInput)
    .max(PRICES_MAX)
    .describe('One entry per currency. Fixed: { currency, price }; session: { currency, initialFee, perMinuteRate, minimumMinutes }; quote: none'),
  active: z.boolean().describe('Inactive offerings are hidden from customers and cannot be bought'),
  sortOrder: z.number().int().min(0).max(10_000).describe('Lower first'),
};

export const createOfferingBody = z
  .object({
    kind: z.enum(OFFERING_KINDS).describe('fixed: a fixed-price ticket; session: a live session billed per minute; quote: the customer asks for a quote'),
    ...offeringFields,
    description: offeringFields.description.default(''),
    currency: offeringFields.currency.optional(),
    prices: offeringFields.prices.optional(),
    active: offeringFields.active.default(true),
    sortOrder: offeringFields.sortOrder.default(0),
  })
  .strict();

/** The kind never changes: prices of one kind mean nothing for another. Create a new offering instead. */
export const updateOfferingBody = z.object(offeringFields).partial().strict();

export const myRateBody = z
  .object({
    currency: currencyCode,
    price: minorUnits(MAX_PRICE, false).optional().describe('Fixed offerings: your price, in minor units'),
    perMinuteRate: minorUnits(MAX_PER_MINUTE_RATE, false).optional().describe('Session offerings: your per-minute rate, in minor units'),
  })
  .strict();

export const myRateQuery = z.object({ currency: currencyCode.optional().describe('Only this currency; all of your rates on the offering when absent') });

const boundsOut = z
  .object({ min: z.number().int(), max: z.number().int() })
  .nullable()
  .optional()
  .describe('Shown to maintainers and approved helpers; null when helpers may not set their own rate in this currency');

const fixedPriceOut = z.object({ currency: z.string(), price: z.number().int(), bounds: boundsOut }).meta({ id: 'FixedPrice' });
const sessionPriceOut = z
  .object({ currency: z.string(), initialFee: z.number().int(), perMinuteRate: z.number().int(), minimumMinutes: z.number().int(), bounds: boundsOut })
  .meta({ id: 'SessionPrice' });

export const offeringOut = z
  .object({
    id: z.uuid(),
    kind: z.enum(OFFERING_KINDS),
    name: z.string(),
    description: z.string(),
    descriptionHtml: z.string(),
    currency: z.string(),
    active: z.boolean(),
    sortOrder: z.number().int(),
    prices: z.array(z.union([fixedPriceOut, sessionPriceOut])).describe("Amounts in minor units; the offering's currency first"),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'Offering' });

export const offeringList = z.object({ items: z.array(offeringOut) });

export const rateOut = z
  .object({
    offeringId: z.uuid(),
    helperId: z.uuid(),
    displayName: z.string(),
    currency: z.string(),
    price: z.number().int().optional().describe('Fixed offerings'),
    perMinuteRate: z.number().int().optional().describe('Session offerings'),
    updatedAt: isoDate,
  })
  .meta({ id: 'HelperRate' });

export const rateList = z.object({ items: z.array(rateOut) });

export type PriceInput = z.output<typeof priceInput>;
export type CreateOfferingInput = z.output<typeof createOfferingBody>;
export type UpdateOfferingInput = z.output<typeof updateOfferingBody>;
export type MyRateInput = z.output<typeof myRateBody>;
