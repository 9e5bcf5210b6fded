/**
 * Minor units to text and back, exactly: no floating point between a bank's "1190.00" and 119000.
 * The number of minor-unit digits of a currency (EUR 2, JPY 0, BHD 3) comes from Intl, the same
 * source that formats the amounts on the PDF, so parsing and printing always agree.
 */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** 119000 EUR -> "1190.00": the exact decimal, as a string. */
export function toDecimal(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const units = String(Math.abs(amount)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${units}` : `${sign}${units.slice(0, -digits)}.${units.slice(-digits)}`;
}

/** "€1,190.00". Intl formats a decimal string exactly, with the currency's own minor-unit digits. */
export function formatMoney(amount: number, currency: string, locale = 'en'): string {
  const digits = minorDigits(currency);
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  return format.format(toDecimal(amount, currency) as unknown as number);
}

/**
 * "1190.00" or "-25.5" in `currency` -> minor units; null when the text is not a plain decimal with at
 * most the currency's digits. Thousands separators and decimal commas are refused rather than guessed:
 * "1,190" could mean either.
 */
export function parseDecimal(text: string, currency: string): number | null {
  const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  const digits = minorDigits(currency);
  if (fraction.length > digits) return null;
  const units = BigInt(whole + fraction.padEnd(digits, '0'));
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return sign === '-' && units !== 0n ? -Number(units) : Number(units);
}
