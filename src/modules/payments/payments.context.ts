import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import type { PaymentProviderName } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import type { InvoicesService } from '../invoices/invoices.service.ts';
import type { LedgerService } from '../ledger/ledger.service.ts';
import type { OfferingsService } from '../offerings/offerings.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { Tx } from '../../db/database.ts';
import type { TicketsService, TicketView } from '../tickets/tickets.service.ts';
import type { PaymentRow } from './payments.repository.ts';
import type { QuoteRow } from './quotes.repository.ts';
import type { HeldHandlers } from './payments.charges.ts';
import { invoiceProvider } from './providers/invoice.ts';
import { sandboxProvider } from './providers/sandbox.ts';
import type { PaymentProvider } from './providers/types.ts';

/** What every payments flow is built from; one per process, made by createPaymentsService. */
export type PaymentsContext = {
  deps: Deps;
  ledger: LedgerService;
  offerings: OfferingsService;
  repos: ReposService;
  tickets: TicketsService;
  invoices: InvoicesService;
  providers: Providers;
  /** What other domains do when one of their payments (a plan's) becomes held; see payments.charges.ts. */
  heldHandlers: HeldHandlers;
  /** Who hears about a ticket's money (the assistant tells the customer's chat); see PaymentObserver. */
  observers: PaymentObserver[];
};

/**
 * A ticket's quote was sent or its payment became held. Called inside the transaction of the change:
 * use `trx`, never the database handle, and what it writes commits with the change or not at all.
 */
export type PaymentChange =
  | { type: 'quote_sent'; ticket: TicketView; quote: QuoteRow }
  | { type: 'held'; ticket: TicketView; payment: PaymentRow };
export type PaymentObserver = (trx: Tx, change: PaymentChange) => Promise<void>;

export async function notifyPaymentObservers(ctx: PaymentsContext, trx: Tx, change: PaymentChange): Promise<void> {
  for (const observer of ctx.observers) await observer(trx, change);
}

export type Providers = {
  /** New payments go here: Stripe when it is configured, the sandbox otherwise. */
  current: PaymentProvider;
  /** True when the sandbox takes new payments (and its test page and complete route are on). */
  sandboxMode: boolean;
  /** The provider an existing payment was made with: sandbox payments stay refundable after Stripe is switched on. */
  of(name: PaymentProviderName): PaymentProvider;
};

export function paymentProviders(deps: Deps, stripe: PaymentProvider | null): Providers {
  const sandbox = sandboxProvider(publicUrl(deps.config));
  return {
    current: stripe ?? sandbox,
    sandboxMode: stripe === null,
    of(name) {
      if (name === 'sandbox') return sandbox;
      if (name === 'invoice') return invoiceProvider;
      if (name === 'stripe' && stripe) return stripe;
      throw new AppError(503, 'provider_unavailable', `This payment was made with ${name}, which is not configured on this server; an operator has to enable it.`);
    },
  };
}

/**
 * Calls the processor. Its failures (network, outage, a refusal) are not the caller's mistake and not
 * our bug either: they become a 502 that says nothing moved twice and a retry with the same
 * Idempotency-Key is safe. The details go to the log, not to the client.
 */
export async function callProvider<T>(ctx: PaymentsContext, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error;
    ctx.deps.logger.warn({ err: error, what }, 'payment provider call failed');
    throw new AppError(502, 'provider_error', `The payment processor could not ${what} right now. Nothing was done twice: retry with the same Idempotency-Key.`);
  }
}
