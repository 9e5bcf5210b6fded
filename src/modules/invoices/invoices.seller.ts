import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';

export type Seller = { issuer: string; legalName: string; address: string; country: string; vatId: string | null };

/** The platform's key in the numbering and on invoices: it is the seller, on behalf of repositories. */
export const PLATFORM_ISSUER = 'platform';

/**
 * The seller of a test-mode platform (the embedded sandbox, no STRIPE_SECRET_KEY): the offline journey issues
 * invoices on a fresh machine, under a name nobody can mistake for a real company's. "ZZ" is the ISO 3166
 * user-assigned code, so no real country's VAT rules (reverse charge) apply to these documents.
 */
export const TEST_MODE_SELLER = { legalName: 'Backline (test mode)', country: 'ZZ' } as const;

const sellerConfigured = (config: Config) => Boolean(config.PLATFORM_LEGAL_NAME && config.PLATFORM_COUNTRY);
/** Real money (Stripe) is never invoiced by an unconfigured seller; only the sandbox falls back to defaults. */
const testMode = (config: Config) => !config.STRIPE_SECRET_KEY;

/**
 * Refuses to start with card payments through Stripe and no seller: every released payment is invoiced, and
 * a real payment must not get a test-mode invoice, nor go without one.
 */
export function requireSellerForRealMoney(config: Config): void {
  if (!testMode(config) && !sellerConfigured(config)) {
    throw new Error('STRIPE_SECRET_KEY is set but PLATFORM_LEGAL_NAME and PLATFORM_COUNTRY are not: every released payment is invoiced, so set the seller (docs/invoices.md).');
  }
}

/** The platform as seller, from configuration; a test-mode platform sells as TEST_MODE_SELLER until it is set. */
export function platformSeller(config: Config): Seller {
  if (!sellerConfigured(config)) {
    if (testMode(config)) return { issuer: PLATFORM_ISSUER, ...TEST_MODE_SELLER, address: '', vatId: null };
    throw new AppError(409, 'invoicing_not_configured', 'Invoicing is off: set PLATFORM_LEGAL_NAME and PLATFORM_COUNTRY (and PLATFORM_ADDRESS, PLATFORM_VAT_ID) to issue invoices.');
  }
  return {
    issuer: PLATFORM_ISSUER,
    legalName: config.PLATFORM_LEGAL_NAME!,
    address: config.PLATFORM_ADDRESS.split('|').map((line) => line.trim()).filter(Boolean).join('\n'),
    country: config.PLATFORM_COUNTRY!,
    vatId: config.PLATFORM_VAT_ID ?? null,
  };
}

/**
 * The VAT rate for a country no operator set a rate for: 0 while the test-mode seller sells (no real sale, no
 * real tax), none once a seller is configured, so that a real-looking invoice is never taxed at a guess.
 */
export const defaultTaxRateBps = (config: Config): number | undefined => (testMode(config) && !sellerConfigured(config) ? 0 : undefined);
