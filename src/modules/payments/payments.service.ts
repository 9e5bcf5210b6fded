import type { Queryable, Tx } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { forbidden } from '../../errors.ts';
import type { JobHandlers } from '../../jobs/queue.ts';
import type { Actor } from '../auth/actor.ts';
import type { InvoicesService } from '../invoices/invoices.service.ts';
import type { LedgerService } from '../ledger/ledger.service.ts';
import type { OfferingsService } from '../offerings/offerings.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { TicketsService } from '../tickets/tickets.service.ts';
import { concerns, ticketAccess, visiblePayment } from './payments.access.ts';
import { chargeFlows } from './payments.charges.ts';
import { paymentProviders, type PaymentObserver, type PaymentsContext } from './payments.context.ts';
import { disputeFlows } from './payments.disputes.ts';
import { paymentEventSink } from './payments.events.ts';
import { presentPaymentById, presentPayments } from './payments.presenter.ts';
import { purchaseFlows } from './payments.purchase.ts';
import { quoteFlows } from './payments.quotes.ts';
import { refundFlows } from './payments.refunds.ts';
import { releaseFlows } from './payments.release.ts';
import * as repo from './payments.repository.ts';
import { sandboxFlows } from './payments.sandbox.ts';
import { timeFlows } from './payments.time.ts';
import { minutesByHelper } from './time-entries.repository.ts';
import type { PaymentProvider } from './providers/types.ts';
import { invoicingFlows } from './payments.invoicing.ts';
import { recordRelease } from './payments.money.ts';

/**
 * The payments domain: quotes, checkouts, escrow, release, refunds, disputes and logged time. Each flow
 * lives in its own file; this wires them together and installs the ticket lifecycle hooks (resolve
 * schedules the release, confirm releases, reopen unschedules). See docs/payments.md.
 */
export function createPaymentsService(
  deps: Deps,
  services: { ledger: LedgerService; offerings: OfferingsService; repos: ReposService; tickets: TicketsService; invoices: InvoicesService; stripe: PaymentProvider | null },
) {
  const ctx: PaymentsContext = { deps, ...services, providers: paymentProviders(deps, services.stripe), heldHandlers: new Map(), observers: [], refundGuards: new Map() };
  const release = releaseFlows(ctx);
  const refunds = refundFlows(ctx);
  const disputes = disputeFlows(ctx, release, refunds);
  /** For the provider-events inbox (providerEvents.setPaymentEventSink) and the sandbox's Pay button. */
  const eventSink = paymentEventSink(ctx, release, refunds, disputes);
  const time = timeFlows(ctx);
  services.tickets.setLifecycleHooks(release.ticketHooks);
  const charges = chargeFlows(ctx, release);
  services.invoices.onInvoicePaid(charges.invoicePaid);

  return {
    quotes: quoteFlows(ctx),
    purchase: purchaseFlows(ctx).purchase,
    refund: refunds.request,
    dispute: disputes.open,
    resolveDispute: disputes.resolve,
    disputesForOperator: disputes.listForOperator,
    logTime: time.log,
    timeEntries: time.list,
    /** For invoices: the time entries a payment bills (see payments.time.ts). */
    billableTime: time.billableTime,
    sandbox: sandboxFlows(ctx, eventSink),
    sandboxMode: ctx.providers.sandboxMode,
    eventSink,
    /** For plans and consulting: a payment by card or by invoice, opened in the caller's transaction. */
    openCharge: charges.open,
    onHeld: charges.onHeld,
    onRefund: charges.onRefund,
    /**
     * For plans: locks a payment's row in the caller's transaction. A period's close takes it before the
     * subscription's, in the order a refund takes them (payment, then the refund guard's subscription).
     */
    lock: async (trx: Tx, id: string) => {
      await repo.findPayment(trx, id, { lock: true });
    },
    /** For plans: a period's close posting shared out what this payment paid; later refunds and chargebacks reverse it. */
    recordRelease: async (trx: Tx, id: string, transactionId: string, amount: number) => {
      await recordRelease(ctx, trx, (await repo.findPayment(trx, id, { lock: true }))!, transactionId, amount);
    },
    /** How much of a payment was refunded so far (plans share out only the rest of a period's money). */
    refundedAmount: async (scope: Queryable, id: string) => (await repo.findPayment(scope, id))?.refunded_amount ?? 0,
    /** For plans: the paid invoice of a charge held by card, to the organization, in the caller's transaction. */
    invoiceCardCharge: invoicingFlows(ctx).issueForCardCharge,
    /** For plans: the VAT a card payment's price still includes, and its rate; null when its invoice added VAT on top or there is none. */
    includedVat: invoicingFlows(ctx).includedVat,
    /** A payment as its API shape, read in the caller's transaction. */
    present: (scope: Queryable, id: string) => presentPaymentById(scope, id),
    /** Minutes each helper logged on these tickets in [from, to): how plan revenue is shared. */
    minutesByHelper,

    async get(actor: Actor, id: string) {
      const { payment } = await visiblePayment(ctx, actor, id);
      return (await presentPayments(deps.db, [payment]))[0];
    },

    /** The payments of a ticket that concern the caller; approved helpers who are not on it see none. */
    async ofTicket(actor: Actor, ticketId: string) {
      const { user, ticket, relation } = await ticketAccess(ctx, actor, ticketId);
      const rows = (await repo.paymentsOfTicket(deps.db, ticket.id)).filter((payment) => concerns(user, relation, payment));
      if (rows.length === 0 && !relation.customer && !relation.maintainer && !relation.assignee) {
        throw forbidden("A ticket's payments are for its customer, its helper and the repository's maintainers.");
      }
      return { items: await presentPayments(deps.db, rows) };
    },

    /** Follows ticket quotes and payments in their transactions (see PaymentObserver). */
    observe(observer: PaymentObserver) {
      ctx.observers.push(observer);
    },

    jobHandlers: { ...release.jobHandlers } satisfies JobHandlers,
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
