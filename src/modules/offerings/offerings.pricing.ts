/**
 * Money math for offerings: integers in minor units only. Pure functions, shared by the offerings
 * service and by the payments code that authorizes and captures sessions.
 */

/** The most a fixed price, an initial fee or a price bound may be: 100,000.00 in a two-decimal currency. */
export const MAX_PRICE = 10_000_000;
/** The most a session may cost per minute: 1,000.00 in a two-decimal currency. */
export const MAX_PER_MINUTE_RATE = 100_000;
/** A minimum longer than a working day is a typo, not a session. */
export const MAX_MINIMUM_MINUTES = 480;

export type SessionPrice = { initialFee: number; perMinuteRate: number; minimumMinutes: number };

function requireWhole(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number of at least 0 (minor units or minutes), got ${value}`);
  }
}

/**
 * What a session of `minutes` costs, in minor units: initialFee + perMinuteRate × max(minutes, minimumMinutes).
 * Minutes are whole: round a partial minute up before calling. Throws a RangeError rather than return an
 * amount that is fractional, negative or beyond Number.MAX_SAFE_INTEGER (where integers stop being exact).
 */
export function sessionCharge(price: SessionPrice, minutes: number): number {
  requireWhole('initialFee', price.initialFee);
  requireWhole('perMinuteRate', price.perMinuteRate);
  requireWhole('minimumMinutes', price.minimumMinutes);
  requireWhole('minutes', minutes);
  const usage = price.perMinuteRate * Math.max(minutes, price.minimumMinutes);
  const total = price.initialFee + usage;
  // A product or sum of safe integers is exact as long as it is itself a safe integer.
  if (!Number.isSafeInteger(usage) || !Number.isSafeInteger(total)) {
    throw new RangeError(`the session charge for ${minutes} minutes is too large to compute exactly`);
  }
  return total;
}

/**
 * The amount to hold on the customer's card when a session is booked for `estimatedMinutes`: the charge for
 * the booked length, never less than the minimum. Capturing more later (the session ran over) needs a new
 * authorization for the difference, since a capture may not exceed its authorization.
 */
export function sessionAuthorization(price: SessionPrice, estimatedMinutes: number): number {
  return sessionCharge(price, estimatedMinutes);
}
