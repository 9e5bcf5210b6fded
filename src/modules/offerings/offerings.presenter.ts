import type { OfferingKind } from '../../db/types.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import type { HelperRateRow, OfferingRow, PriceRow } from './offerings.repository.ts';
import { BOUNDED_FIELD } from './offerings.validation.ts';

/** The offering's own currency first, then the others by code, so a client can show the first as "the" price. */
function ordered(prices: PriceRow[], currency: string): PriceRow[] {
  return [...prices].sort((a, b) => Number(b.currency === currency) - Number(a.currency === currency) || a.currency.localeCompare(b.currency));
}

// The amounts a kind needs are NOT NULL for that kind by a CHECK in the migration, hence the casts.
function presentPrice(row: PriceRow, showBounds: boolean) {
  const bounds = showBounds ? (row.rate_min === null ? null : { min: row.rate_min, max: row.rate_max as number }) : undefined;
  if (row.kind === 'fixed') return { currency: row.currency, price: row.price as number, bounds };
  return {
    currency: row.currency,
    initialFee: row.initial_fee as number,
    perMinuteRate: row.per_minute_rate as number,
    minimumMinutes: row.minimum_minutes as number,
    bounds,
  };
}

export function presentOffering(row: OfferingRow, prices: PriceRow[], showBounds: boolean) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    description: row.description,
    descriptionHtml: renderMarkdown(row.description),
    currency: row.currency,
    active: row.active,
    sortOrder: row.sort_order,
    prices: ordered(prices, row.currency).map((price) => presentPrice(price, showBounds)),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentRate(row: HelperRateRow, kind: Exclude<OfferingKind, 'quote'>) {
  return {
    offeringId: row.offering_id,
    helperId: row.helper_id,
    displayName: row.display_name,
    currency: row.currency,
    ...(BOUNDED_FIELD[kind] === 'price' ? { price: row.rate } : { perMinuteRate: row.rate }),
    updatedAt: row.updated_at.toISOString(),
  };
}
