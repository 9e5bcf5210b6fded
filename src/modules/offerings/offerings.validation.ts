import type { OfferingKind } from '../../db/types.ts';
import { AppError, type ErrorDetail } from '../../errors.ts';
import { MAX_PER_MINUTE_RATE } from './offerings.pricing.ts';
import type { PriceRow } from './offerings.repository.ts';
import type { MyRateInput, PriceInput } from './offerings.schemas.ts';

/**
 * The rules that depend on an offering's kind. Zod checks each field on its own; these check which fields
 * belong together, which Zod cannot do for a PATCH, where the kind is the stored one.
 */

const AMOUNT_FIELDS = { fixed: ['price'], session: ['initialFee', 'perMinuteRate', 'minimumMinutes'] } as const;
const ALL_AMOUNT_FIELDS = ['price', 'initialFee', 'perMinuteRate', 'minimumMinutes'] as const;
/** The amount maintainers bound and helpers may replace with their own rate. */
export const BOUNDED_FIELD = { fixed: 'price', session: 'perMinuteRate' } as const;

/** Same shape as the handler's Zod errors, so clients read one format whichever layer refused. */
export function validationFailed(details: ErrorDetail[]): AppError {
  const summary = details.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
  return new AppError(400, 'validation_failed', `The request is not valid. ${summary}`, details);
}

/** Problems with the complete list of prices of an offering of `kind` whose main currency is `currency`. */
export function priceIssues(kind: OfferingKind, prices: PriceInput[], currency: string): ErrorDetail[] {
  if (kind === 'quote') {
    return prices.length ? [{ path: 'body.prices', message: 'a quote offering has no price: the helper quotes each request; leave prices out' }] : [];
  }
  const issues: ErrorDetail[] = [];
  const seen = new Set<string>();
  prices.forEach((entry, index) => {
    const at = `body.prices.${index}`;
    if (seen.has(entry.currency)) issues.push({ path: `${at}.currency`, message: `${entry.currency} is listed twice` });
    seen.add(entry.currency);
    const wanted: readonly string[] = AMOUNT_FIELDS[kind];
    for (const field of ALL_AMOUNT_FIELDS) {
      if (wanted.includes(field) && entry[field] === undefined) {
        issues.push({ path: `${at}.${field}`, message: `is required for a ${kind} offering` });
      } else if (!wanted.includes(field) && entry[field] !== undefined) {
        issues.push({ path: `${at}.${field}`, message: `does not apply to a ${kind} offering, which is priced by ${wanted.join(', ')}` });
      }
    }
    const bounded = entry[BOUNDED_FIELD[kind]];
    if (entry.bounds && bounded !== undefined) {
      if (kind === 'session' && entry.bounds.max > MAX_PER_MINUTE_RATE) {
        issues.push({ path: `${at}.bounds.max`, message: `must be at most ${MAX_PER_MINUTE_RATE} minor units per minute` });
      }
      if (bounded < entry.bounds.min || bounded > entry.bounds.max) {
        issues.push({ path: `${at}.bounds`, message: `must contain the ${BOUNDED_FIELD[kind]} (${bounded}), which helpers without a rate of their own charge` });
      }
    }
  });
  if (!seen.has(currency)) {
    issues.push({ path: 'body.prices', message: `must include a price in ${currency}, the offering's currency (or set "currency" to one that has a price)` });
  }
  return issues;
}

/**
 * The rate a helper asks for, once it fits the offering's kind and the maintainers' bounds in that currency.
 * `prices` are the offering's prices, to name the currencies it is sold in.
 */
export function checkedHelperRate(kind: OfferingKind, input: MyRateInput, prices: PriceRow[]): number {
  if (kind === 'quote') {
    throw validationFailed([{ path: 'body', message: 'a quote offering has no price to set: you quote each request instead' }]);
  }
  const field = BOUNDED_FIELD[kind];
  const other = field === 'price' ? 'perMinuteRate' : 'price';
  const issues: ErrorDetail[] = [];
  if (input[other] !== undefined) issues.push({ path: `body.${other}`, message: `does not apply to a ${kind} offering; send ${field}` });
  if (input[field] === undefined) issues.push({ path: `body.${field}`, message: `is required for a ${kind} offering` });
  const price = prices.find((candidate) => candidate.currency === input.currency);
  if (!price) {
    const sold = prices.map((candidate) => candidate.currency).join(', ');
    issues.push({ path: 'body.currency', message: `this offering is not sold in ${input.currency}; it is priced in ${sold}` });
  } else if (price.rate_min === null || price.rate_max === null) {
    issues.push({ path: 'body.currency', message: `the maintainers have set no bounds for helper rates in ${input.currency}, so every helper charges the listed price` });
  } else if (input[field] !== undefined && (input[field] < price.rate_min || input[field] > price.rate_max)) {
    issues.push({ path: `body.${field}`, message: `must be between ${price.rate_min} and ${price.rate_max} minor units of ${input.currency}, the bounds the maintainers allow` });
  }
  if (issues.length) throw validationFailed(issues);
  return input[field] as number;
}
