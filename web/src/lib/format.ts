/** Digits after the decimal point of a currency (2 for EUR, 0 for JPY); 2 while the code typed is not a currency yet. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Money is integers in minor units everywhere; only the screen turns it into "€12.50". */
export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount / 10 ** minorDigits(currency));
}

/**
 * What a person typed ("120", "120.5", "120,50") as minor units of the currency, without going through
 * floating point; null when it is not an amount of that currency (letters, a sign, too many decimals),
 * for a form that says so itself (toMinor below leaves that to the API instead).
 */
export function toMinorUnits(text: string, currency: string): number | null {
  if (!/^[A-Z]{3}$/.test(currency)) return null;
  const parts = /^\s*(\d{1,12})(?:[.,](\d*))?\s*$/.exec(text);
  if (!parts) return null;
  const digits = minorDigits(currency);
  const fraction = parts[2] ?? '';
  if (fraction.length > digits) return null;
  return Number(parts[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

/**
 * What a person types ("25.50") as minor units (2550). Not a number stays NaN, which the JSON body sends
 * as null, so the API's own message says what is wrong; nothing is clamped or guessed here.
 */
export function toMinor(typed: string, currency: string): number {
  // A minus sign is sent as typed, so the API answers that the amount must be positive.
  const negative = typed.trim().startsWith('-');
  const units = toMinorUnits(negative ? typed.trim().slice(1) : typed, currency);
  return units === null ? Number.NaN : negative ? -units : units;
}

/** Minor units as a form shows them to edit: 2550 EUR is "25.50". */
export function fromMinor(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  return (amount / 10 ** digits).toFixed(digits);
}

/** "a, b,, c" as ["a", "b", "c"]: list fields typed as one line. */
export const splitList = (typed: string) => typed.split(',').map((item) => item.trim()).filter(Boolean);

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
