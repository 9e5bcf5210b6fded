import { publicUrl } from '../../config.ts';
import type { Tx } from '../../db/database.ts';
import type { PaymentKind, PaymentProviderName } from '../../db/types.ts';
import { conflict } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import type { SessionPrice } from '../offerings/offerings.pricing.ts';
import { callProvider, type PaymentsContext } from './payments.context.ts';
import * as repo from './payments.repository.ts';

export type NewPayment = {
  /** Null for a plan's payment, which pays for a subscription period rather than a ticket. */
  ticketId: string | null;
  repoId: string;
  payer: { userId: string; email: string };
  kind: PaymentKind;
  quoteId?: string;
  offeringId?: string;
  helperId: string | null;
  amount: number;
  currency: string;
  description: string;
  /** The repository's commission when the customer agreed to pay: later changes do not touch this payment. */
  commissionBps: number;
  session?: { price: SessionPrice; estimatedMinutes: number };
};

/** Statuses in which a ticket can still be paid for. */
export const PAYABLE_TICKET = ['open', 'claimed', 'in_progress', 'waiting_on_customer', 'resolved'];

/**
 * Creates the payment and its checkout at the provider, in the caller's transaction: if anything after
 * fails, the payment row goes, and the checkout the provider made is never shown to anyone and lapses.
 * The unique indexes on payments make accepting a quote or buying an offering twice a 409 even when two
 * requests race past every earlier check.
 */
export async function openCheckout(ctx: PaymentsContext, trx: Tx, input: NewPayment): Promise<repo.PaymentRow> {
  const { config } = ctx.deps;
  const provider = ctx.providers.current;
  const captureMethod = input.kind === 'session' ? 'manual' : 'automatic';
  const id = await insertPendingPayment(ctx, trx, input, provider.name);
  // A plan's payment has no ticket page to return to: the payment's own page.
  const back = input.ticketId ? `${publicUrl(config)}/tickets/${input.ticketId}?payment=${id}` : `${publicUrl(config)}/payments/${id}?checkout=done`;
  const checkout = await callProvider(ctx, 'open a checkout', () =>
    provider.createCheckout({
      paymentId: id,
      amount: input.amount,
      currency: input.currency,
      description: input.description.slice(0, 250),
      customerEmail: input.payer.email,
      successUrl: `${back}&result=paid`,
      cancelUrl: `${back}&result=cancelled`,
      captureMethod,
      transferGroup: `payment:${id}`,
      idempotencyKey: `checkout:${id}`,
    }),
  );
  return repo.updatePayment(trx, id, { provider_payment_id: checkout.providerPaymentId, url: checkout.url });
}

/** The pending payment row, before any provider hears of it; returns its id. */
export async function insertPendingPayment(ctx: PaymentsContext, trx: Tx, input: NewPayment, provider: PaymentProviderName): Promise<string> {
  const { clock, config } = ctx.deps;
  const now = clock.now();
  const id = newId(now.getTime());
  const captureMethod = input.kind === 'session' ? 'manual' : 'automatic';
  try {
    await repo.insertPayment(trx, {
      id,
      ticket_id: input.ticketId,
      repo_id: input.repoId,
      kind: input.kind,
      quote_id: input.quoteId ?? null,
      offering_id: input.offeringId ?? null,
      payer_id: input.payer.userId,
      helper_id: input.helperId,
      description: input.description,
      provider,
      provider_payment_id: null,
      provider_charge_id: null,
      capture_method: captureMethod,
      status: 'pending',
      currency: input.currency,
      amount: input.amount,
      commission_bps: input.commissionBps,
      platform_fee_bps: config.PLATFORM_FEE_BPS,
      session_initial_fee: input.session?.price.initialFee ?? null,
      session_per_minute_rate: input.session?.price.perMinuteRate ?? null,
      session_minimum_minutes: input.session?.price.minimumMinutes ?? null,
      estimated_minutes: input.session?.estimatedMinutes ?? null,
      url: null,
      failure_reason: null,
      held_at: null,
      release_due_at: null,
      released_at: null,
      split_helper: null,
      split_commission: null,
      split_platform_fee: null,
      split_processor_fee: null,
      created_at: now,
      updated_at: now,
    });
  } catch (error) {
    if (repo.isUniqueViolation(error, 'payments_quote_key')) throw conflict('This quote already has a payment; it is paid once.', 'quote_already_accepted');
    if (repo.isUniqueViolation(error, 'payments_offering_key')) throw conflict('This offering is already bought for this ticket; see GET /api/v1/tickets/{id}/payments.', 'already_purchased');
    throw error;
  }
  return id;
}
