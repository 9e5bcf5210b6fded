import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';

export type Seller = { issuer: string; legalName: string; address: string; country: string; vatId: string | null };

/** The platform's key in the numbering and on invoices: it is the seller, on behalf of repositories. */
export const PLATFORM_ISSUER = 'platform';

/** The platform as seller, from configuration; invoicing stays off, with a clear message, until it is set. */
export function platformSeller(config: Config): Seller {
  if (!config.PLATFORM_LEGAL_NAME || !config.PLATFORM_COUNTRY) {
    throw new AppError(409, 'invoicing_not_configured', 'Invoicing is off: set PLATFORM_LEGAL_NAME and PLATFORM_COUNTRY (and PLATFORM_ADDRESS, PLATFORM_VAT_ID) to issue invoices.');
  }
  return {
    issuer: PLATFORM_ISSUER,
    legalName: config.PLATFORM_LEGAL_NAME,
    address: config.PLATFORM_ADDRESS.split('|').map((line) => line.trim()).filter(Boolean).join('\n'),
    country: config.PLATFORM_COUNTRY,
    vatId: config.PLATFORM_VAT_ID ?? null,
  };
}
