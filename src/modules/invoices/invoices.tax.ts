/** Value added tax on invoices: which rate applies, EU reverse charge, and the rounding rule. */

/** EU member states by ISO 3166-1 code (Greece is GR here, though its VAT ids start with EL). */
const EU = new Set(['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK']);

export const REVERSE_CHARGE_NOTE = 'Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC)';

export type TaxBuyer = { business: boolean; country: string | null; vatId: string | null };

/**
 * How a sale is taxed. A business with a VAT id in another EU country than the seller accounts for
 * the VAT itself (reverse charge, rate 0). Anyone else is taxed at the rate of their country, or of
 * the seller's when their country is unknown.
 */
export type TaxTreatment = { country: string; reverseCharge: boolean };

export function taxTreatment(sellerCountry: string, buyer: TaxBuyer): TaxTreatment {
  const country = buyer.country ?? sellerCountry;
  const reverseCharge = buyer.business && buyer.vatId !== null && country !== sellerCountry && EU.has(country) && EU.has(sellerCountry);
  return { country, reverseCharge };
}

/**
 * Tax on an amount at `rateBps` basis points, rounded half up to the minor unit, in integers:
 * floor((amount × rate + 5000) / 10000). Applied once per document, on its subtotal, never per line,
 * so the tax printed is the tax of the total printed.
 */
export function taxOn(amount: number, rateBps: number): number {
  return Number((BigInt(amount) * BigInt(rateBps) + 5000n) / 10000n);
}

/**
 * The VAT included in a tax-inclusive `total` (a card price, see docs/invoices.md): the total less its
 * net, where the net is total × 10000 / (10000 + rate) rounded half up to the minor unit, in integers:
 * floor((2 × total × 10000 + d) / 2d) with d = 10000 + rate. Applied once per document, like `taxOn`.
 * It never exceeds the total and grows by 0 or 1 when the total grows by 1, so cumulative credit notes
 * never credit more VAT than the invoice carried.
 */
export function includedTax(total: number, rateBps: number): number {
  const denominator = 10000n + BigInt(rateBps);
  const net = (2n * BigInt(total) * 10000n + denominator) / (2n * denominator);
  return total - Number(net);
}
