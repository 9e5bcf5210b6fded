import { conflict, notFound } from '../../errors.ts';
import { escapeHtml } from '../../lib/html.ts';
import type { Actor } from '../auth/actor.ts';
import { visiblePayment } from './payments.access.ts';
import type { PaymentsContext } from './payments.context.ts';
import { formatMoney } from './payments.notifications.ts';
import { presentPaymentById } from './payments.presenter.ts';
import type { PaymentRow } from './payments.repository.ts';
import { sandboxChargeId, sandboxFee } from './providers/sandbox.ts';
import type { PaymentEventSink } from './providers/types.ts';

/**
 * The sandbox's checkout: a page that says plainly that no money moves, and a Pay button whose POST
 * reports payment.succeeded through the same sink as a provider webhook. Only the payer (or an admin of
 * their organization) sees it, and only while the sandbox is the provider: with Stripe configured both
 * answer 404, so a real deployment never shows a way to "pay" without paying.
 */
export function sandboxFlows(ctx: PaymentsContext, sink: PaymentEventSink) {
  async function payable(actor: Actor, id: string) {
    if (!ctx.providers.sandboxMode) throw notFound('The sandbox payment');
    const access = await visiblePayment(ctx, actor, id);
    const payer = access.relation.customer || access.payment.payer_id === access.user.userId;
    if (access.payment.provider !== 'sandbox' || !payer) throw notFound('The sandbox payment');
    return access.payment;
  }

  return {
    async page(actor: Actor, id: string): Promise<string> {
      return sandboxPage(await payable(actor, id));
    },

    /** Pays in test mode; paying again, or paying what was already paid, changes nothing. */
    async complete(actor: Actor, id: string) {
      const payment = await payable(actor, id);
      if (payment.status === 'expired' || payment.status === 'cancelled') {
        throw conflict(`This payment is ${payment.status}; start a new one from the ticket.`, 'payment_closed');
      }
      if (payment.status === 'pending' || payment.status === 'failed') {
        const captured = payment.capture_method === 'automatic';
        await sink({
          type: 'payment.succeeded',
          paymentId: payment.id,
          providerPaymentId: payment.provider_payment_id!,
          providerChargeId: sandboxChargeId(payment.id),
          amount: payment.amount,
          currency: payment.currency,
          // A manual capture is only an authorization: the fee comes with the capture, as at a card processor.
          processorFee: captured ? sandboxFee(payment.amount) : 0,
          captured,
        });
      }
      return presentPaymentById(ctx.deps.db, payment.id);
    },
  };
}

/** Plain HTML with a form: no script at all, so it works under the strict Content-Security-Policy. */
export function sandboxPage(payment: PaymentRow): string {
  const amount = escapeHtml(formatMoney(payment.amount, payment.currency));
  const session = payment.capture_method === 'manual';
  const action =
    payment.status === 'pending' || payment.status === 'failed'
      ? `<form method="post" action="/api/v1/payments/${payment.id}/sandbox/complete"><button type="submit">Pay ${amount} (test)</button></form>`
      : `<p class="done">This payment is <strong>${escapeHtml(payment.status)}</strong>. You can close this page.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TEST MODE — Backline sandbox payment</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
  .banner { background: #fff8c5; border: 2px solid #d4a72c; border-radius: 6px; padding: .75rem 1rem; font-weight: 700; }
  .amount { font-size: 2rem; font-weight: 700; margin: 1.5rem 0 .25rem; }
  button { font: inherit; font-weight: 600; padding: .6rem 1.4rem; border: 0; border-radius: 6px; background: #1f883d; color: #fff; cursor: pointer; }
  .note { color: #59636e; font-size: .9rem; }
</style>
</head>
<body>
<p class="banner">TEST MODE — no real money moves</p>
<p class="amount">${amount}</p>
<p>${escapeHtml(payment.description)}</p>
${session ? '<p class="note">A per-minute session: this authorizes the booked length; only the time used is captured when the work is confirmed.</p>' : ''}
${action}
${payment.ticket_id ? `<p><a href="/portal/tickets/${escapeHtml(payment.ticket_id)}">Back to the ticket</a></p>` : ''}
<p class="note">This is Backline's sandbox payment provider, used because no payment processor is configured on this server. Nothing is charged to any card.</p>
</body>
</html>
`;
}
