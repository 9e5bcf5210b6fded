/** How many minor units a currency has (2 for EUR, 0 for JPY): the API counts money in them. */
export function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Money is integers in minor units everywhere; only the screen turns it into "€12.50". */
export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount / 10 ** fractionDigits(currency));
}

/**
 * What a person typed ("120", "120.5", "120,50") as minor units of the currency, without going through
 * floating point; null when it is not an amount of that currency (letters, a sign, too many decimals).
 */
export function toMinorUnits(text: string, currency: string): number | null {
  if (!/^[A-Z]{3}$/.test(currency)) return null;
  const parts = /^\s*(\d{1,12})(?:[.,](\d*))?\s*$/.exec(text);
  if (!parts) return null;
  const digits = fractionDigits(currency);
  const fraction = parts[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(parts[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/** Minor units as the plain decimal a form field shows ("50.00"), the inverse of toMinorUnits. */
export function toDecimalText(amount: number, currency: string): string {
  const digits = fractionDigits(currency);
  if (digits === 0) return String(amount);
  const sign = amount < 0 ? '-' : '';
  const whole = Math.abs(amount);
  return `${sign}${Math.floor(whole / 10 ** digits)}.${String(whole % 10 ** digits).padStart(digits, '0')}`;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function date(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(iso));
}

export function minutes(total: number): string {
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  return hours ? `${hours} h${rest ? ` ${rest} min` : ''}` : `${rest} min`;
}

/** A length of time for people: "45 min", "2 h 15 min", then whole days past two days ("3 days"). */
export function duration(milliseconds: number): string {
  const total = Math.floor(Math.abs(milliseconds) / 60_000);
  if (total < 1) return 'less than a minute';
  if (total < 2 * 24 * 60) return minutes(total);
  return `${Math.floor(total / (24 * 60))} days`;
}

export const humanize = (value: string) => value.replace(/_/g, ' ');
