import { publicUrl } from '../../config.ts';
import type { Tx } from '../../db/database.ts';
import type { PaymentKind, PaymentMethod } from '../../db/types.ts';
import { AppError } from '../../errors.ts';
import { UUID_PATTERN } from '../../lib/ids.ts';
import type { Invoice } from '../invoices/invoices.presenter.ts';
import { queueEmail } from '../mail/mail.service.ts';
import { insertPendingPayment, openCheckout, type NewPayment } from './payments.checkout.ts';
import { notifyPaymentObservers, type PaymentsContext } from './payments.context.ts';
import { postInvoiceCapture } from './payments.money.ts';
import { heldEmail } from './payments.notifications.ts';
import type { ReleaseFlows } from './payments.release.ts';
import * as repo from './payments.repository.ts';

/**
 * Payments other domains ask for: a plan's period (no ticket) and an accepted consulting quote (its
 * request's ticket), by card through the current provider or by invoice with net terms. Either way the
 * money is held in escrow when it arrives, and the payment's life after that is the usual one.
 *
 * By invoice, the payment is made with the provider 'invoice': the invoice (issued in the same
 * transaction, one per payment) is its checkout, and marking the invoice paid, by hand or from a bank
 * import, captures it. Its VAT goes to the tax authority's account, never into anyone's share.
 */
export type HeldHandler = (trx: Tx, payment: repo.PaymentRow) => Promise<void>;
export type HeldHandlers = Map<PaymentKind, HeldHandler>;
/**
 * Asked, under the payment's row lock and before the provider refunds anything, whether `amount` of a
 * payment of its kind may be refunded now; throws an AppError (409) to refuse. A plan's payment is
 * refundable up to what its period's revenue still holds of it (the rest became credit on a plan change).
 */
export type RefundGuard = (trx: Tx, payment: repo.PaymentRow, amount: number) => Promise<void>;
export type RefundGuards = Map<PaymentKind, RefundGuard>;

export type ChargeInput = Omit<NewPayment, 'kind' | 'quoteId' | 'offeringId' | 'session'> & {
  kind: 'plan' | 'consulting';
  method: PaymentMethod;
  /** By invoice: the organization billed, its PO number (its default when absent) and what the line refers to. */
  invoice?: { orgId: string; poNumber?: string | null; reference?: { type: string; id: string } };
};

export type Charge = { payment: repo.PaymentRow; invoice: Invoice | null };

/** After money became held: tell the ticket's helper and schedule a release if the work is done; then the kind's own handler. */
export async function afterHeld(ctx: PaymentsContext, release: ReleaseFlows, trx: Tx, held: repo.PaymentRow): Promise<void> {
  if (held.ticket_id) {
    const ticket = (await ctx.tickets.findById(trx, held.ticket_id))!;
    const email = heldEmail(ctx.deps.config, ticket, held);
    if (email) await queueEmail(trx, ctx.deps.clock, email);
    await notifyPaymentObservers(ctx, trx, { type: 'held', ticket, payment: held });
    await release.scheduleIfDone(trx, held, ticket);
  }
  await ctx.heldHandlers.get(held.kind)?.(trx, held);
}

export function chargeFlows(ctx: PaymentsContext, release: ReleaseFlows) {
  const { clock, config } = ctx.deps;

  /** Opens the payment in the caller's transaction: a card checkout, or an issued invoice. */
  async function open(trx: Tx, input: ChargeInput): Promise<Charge> {
    if (input.method === 'card') return { payment: await openCheckout(ctx, trx, input), invoice: null };
    if (!input.invoice) throw new Error('a charge by invoice needs the organization to bill');
    const id = await insertPendingPayment(ctx, trx, input, 'invoice');
    const invoice = await ctx.invoices.issueInvoice(trx, {
      issuer: { kind: 'platform', repoId: input.repoId },
      buyer: { kind: 'org', orgId: input.invoice.orgId },
      currency: input.currency,
      lines: [{ kind: input.kind, description: input.description.slice(0, 500), quantity: 1, unitPrice: input.amount, reference: input.invoice.reference }],
      poNumber: input.invoice.poNumber ?? undefined,
      paymentId: id,
    });
    const payment = await repo.updatePayment(trx, id, { provider_payment_id: invoice.id, url: `${publicUrl(config)}/api/v1/invoices/${invoice.id}` });
    return { payment, invoice };
  }

  /**
   * The onInvoicePaid handler: runs in the transaction that marks the invoice paid, so the capture and
   * the paid status commit together. Invoices that ask for no payment of ours are left alone, and a
   * payment captured already is not captured again.
   */
  async function invoicePaid(trx: Tx, invoice: Invoice): Promise<void> {
    if (!invoice.paymentId || !UUID_PATTERN.test(invoice.paymentId)) return;
    const payment = await repo.findPayment(trx, invoice.paymentId, { lock: true });
    if (!payment || payment.provider !== 'invoice' || payment.status !== 'pending') return;
    // A payment by invoice asks for its amount with VAT on top: the subtotal is what escrow holds.
    if (invoice.creditedTotal > 0 || invoice.tax.inclusive || invoice.subtotal !== payment.amount || invoice.currency !== payment.currency) {
      throw new AppError(
        409,
        'invoice_does_not_match_payment',
        `${invoice.number} no longer asks for the ${payment.amount} ${payment.currency} of its payment (it was credited or changed): settle it by hand with an operator.`,
      );
    }
    await postInvoiceCapture(ctx, trx, payment, invoice.subtotal, invoice.tax.amount);
    const now = clock.now();
    const held = await repo.updatePayment(trx, payment.id, {
      status: 'held',
      captured_amount: payment.amount,
      processor_fee: 0,
      provider_charge_id: invoice.number,
      held_at: now,
      updated_at: now,
    });
    await afterHeld(ctx, release, trx, held);
  }

  return {
    open,
    invoicePaid,
    /** Registers what a domain does, in the same transaction, when a payment of its kind becomes held. */
    onHeld(kind: PaymentKind, handler: HeldHandler): void {
      ctx.heldHandlers.set(kind, handler);
    },
    /** Registers the check a domain makes before a payment of its kind is refunded (see RefundGuard). */
    onRefund(kind: PaymentKind, guard: RefundGuard): void {
      ctx.refundGuards.set(kind, guard);
    },
  };
}
