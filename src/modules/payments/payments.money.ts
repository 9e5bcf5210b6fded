import type { Tx } from '../../db/database.ts';
import type { LedgerTransactionKind, PaymentPostingPurpose, PaymentStatus } from '../../db/types.ts';
import { accounts } from '../ledger/accounts.ts';
import { captureEntries, invoiceCaptureEntries, releaseEntries, returnEntries, type Entry } from '../ledger/postings.ts';
import { bpsOf, splitPayment, type Split } from '../ledger/split.ts';
import type { PaymentsContext } from './payments.context.ts';
import * as repo from './payments.repository.ts';

/**
 * How a payment's money moves in the ledger. Every movement is one ledger posting with an idempotency key
 * derived from the payment and its cause, recorded in payment_postings so that later refunds and disputes
 * know what to reverse. Callers hold the payment's row lock and pass its transaction.
 */

/** What the payment still holds for the helper: captured, less what went back to the customer or their bank. */
export const remainingOf = (payment: repo.PaymentRow) => payment.captured_amount - payment.refunded_amount - payment.charged_back_amount;

/** The status a payment settles in once nothing special (a dispute) holds it. */
export function settledStatus(payment: repo.PaymentRow, openDisputes: number): PaymentStatus {
  if (openDisputes > 0) return 'disputed';
  if (payment.captured_amount > 0 && remainingOf(payment) === 0) return 'refunded';
  if (payment.released_at) return 'released';
  return payment.captured_amount > 0 ? 'held' : 'authorized';
}

/**
 * The split of `amount` at the payment's snapshotted rates. The processor fee comes out of the helper's
 * share, but never below zero: when refunds left too little for the whole fee (a tiny remainder), the
 * platform bears the part of the fee the helper's share cannot, instead of the release failing for ever.
 */
export function splitOf(payment: repo.PaymentRow, amount: number): Split {
  const room = amount - bpsOf(amount, payment.commission_bps) - bpsOf(amount, payment.platform_fee_bps);
  return splitPayment({
    amount,
    commissionBps: payment.commission_bps,
    platformFeeBps: payment.platform_fee_bps,
    processorFee: Math.max(0, Math.min(payment.processor_fee, room)),
  });
}

type Posting = {
  key: string;
  kind: Exclude<LedgerTransactionKind, 'reversal'>;
  purpose: PaymentPostingPurpose;
  amount: number;
  entries: Entry[];
  memo: string;
  sourceId?: string | null;
};

async function post(ctx: PaymentsContext, trx: Tx, payment: repo.PaymentRow, posting: Posting): Promise<string> {
  const posted = await ctx.ledger.post(trx, {
    idempotencyKey: posting.key,
    kind: posting.kind,
    currency: payment.currency,
    reference: { type: 'payment', id: payment.id },
    memo: posting.memo,
    entries: posting.entries,
  });
  if (!posted.replayed) {
    await repo.insertPosting(trx, {
      transaction_id: posted.id,
      payment_id: payment.id,
      purpose: posting.purpose,
      amount: posting.amount,
      source_id: posting.sourceId ?? null,
      created_at: ctx.deps.clock.now(),
    });
  }
  return posted.id;
}

/** The customer's money arrived: held in escrow, with the processor's fee borne by the platform until release. */
export function postCapture(ctx: PaymentsContext, trx: Tx, payment: repo.PaymentRow, amount: number, processorFee: number) {
  return post(ctx, trx, payment, {
    key: `capture:${payment.id}`,
    kind: 'capture',
    purpose: 'capture',
    amount,
    entries: captureEntries(amount, processorFee),
    memo: `Payment ${payment.id} captured: ${payment.description}`.slice(0, 500),
  });
}

/** An invoice was paid by bank transfer: its subtotal is held, its VAT owed to the tax authority. */
export function postInvoiceCapture(ctx: PaymentsContext, trx: Tx, payment: repo.PaymentRow, subtotal: number, tax: number) {
  return post(ctx, trx, payment, {
    key: `capture:${payment.id}`,
    kind: 'capture',
    purpose: 'capture',
    amount: subtotal,
    entries: invoiceCaptureEntries(subtotal, tax),
    memo: `Payment ${payment.id} paid by invoice: ${payment.description}`.slice(0, 500),
  });
}

/**
 * The release: `vat` of what the payment holds (the VAT its tax-inclusive invoice says the price included)
 * is owed to the tax authority, and the split is of the rest. The posting's amount is the gross, split and
 * VAT, so that reversing part of it takes the VAT back in step.
 */
export function postRelease(ctx: PaymentsContext, trx: Tx, payment: repo.PaymentRow, split: Split, helperId: string, vat = 0) {
  const amount = split.helper + split.commission + split.platformFee + split.processorFee + vat;
  return post(ctx, trx, payment, {
    key: `release:${payment.id}`,
    kind: 'release',
    purpose: 'release',
    amount,
    entries: releaseEntries(split, { helperId, repoId: payment.repo_id }, vat),
    memo: `Payment ${payment.id} released`,
  });
}

/**
 * Another domain shared out money this payment paid for with a release posting of its own (a support plan's
 * period close, reference the period): recorded as the payment's release, so that a later refund or
 * chargeback reverses it in proportion like a ticket's (unrelease). `amount` is the posting's gross, which
 * may be more than the payment when credit from earlier payments paid for part of what it shared out.
 * The caller holds the payment's row lock.
 */
export async function recordRelease(ctx: PaymentsContext, trx: Tx, payment: repo.PaymentRow, transactionId: string, amount: number): Promise<repo.PaymentRow> {
  const now = ctx.deps.clock.now();
  await repo.insertPosting(trx, { transaction_id: transactionId, payment_id: payment.id, purpose: 'release', amount, source_id: null, created_at: now });
  const released = { ...payment, released_at: now };
  return repo.updatePayment(trx, payment.id, { released_at: now, status: settledStatus(released, (await repo.openDisputes(trx, payment.id)).length), updated_at: now });
}

/** Held money goes back to the customer. */
export function postRefund(ctx: PaymentsContext, trx: Tx, payment: repo.PaymentRow, amount: number, sourceId: string) {
  return post(ctx, trx, payment, { key: `refund:${sourceId}`, kind: 'refund', purpose: 'refund', amount, entries: returnEntries(amount), memo: `Payment ${payment.id}: refund`, sourceId });
}

/**
 * The customer's bank takes `taken` back: `held` of it out of what the payment still holds, and the rest
 * (a chargeback of money we had already refunded) is a loss the platform bears, booked with the processor's
 * fees, since that is where the processor's balance went. Reversed as a whole if the dispute is won.
 */
export function postChargeback(ctx: PaymentsContext, trx: Tx, payment: repo.PaymentRow, held: number, taken: number, sourceId: string) {
  const entries = [...returnEntries(held), { accountCode: accounts.processorFees, amount: taken - held }, { accountCode: accounts.processorBalance, amount: held - taken }];
  return post(ctx, trx, payment, {
    key: `dispute:${sourceId}`,
    kind: 'dispute',
    purpose: 'dispute',
    amount: taken,
    entries: entries.filter((entry) => entry.amount !== 0),
    memo: `Payment ${payment.id}: chargeback`,
    sourceId,
  });
}

/**
 * Brings `amount` of released money back to escrow by reversing the payment's release postings in
 * proportion (the ledger's `reverse`), oldest first: the helper, the repository, the platform, the fee and
 * the VAT each give back their share. With `vat` (a refund, whose credit note says how much VAT it gives
 * back), the VAT line gives back exactly that, as far as the releases hold it, and the parties share the
 * rest in proportion. A helper already paid out is left with a negative balance, by design.
 */
export async function unrelease(ctx: PaymentsContext, trx: Tx, payment: repo.PaymentRow, amount: number, keyPrefix: string, sourceId: string, vat?: number): Promise<void> {
  let left = amount;
  let vatLeft = vat;
  for (const release of await repo.postingsOf(trx, payment.id, ['release', 'rerelease'])) {
    const take = Math.min(release.amount - release.reversed, left);
    if (take <= 0) continue;
    const reversal = await ctx.ledger.reverse(trx, release.transaction_id, {
      idempotencyKey: `${keyPrefix}:${release.transaction_id}`,
      amount: take,
      reference: { type: 'payment', id: payment.id },
      memo: `Payment ${payment.id}: release reversed in proportion`,
      pin: vatLeft === undefined ? undefined : { accountCode: accounts.taxPayable, amount: vatLeft },
    });
    if (vatLeft !== undefined) {
      vatLeft -= reversal.entries.filter((entry) => entry.accountCode === accounts.taxPayable).reduce((sum, entry) => sum + entry.amount, 0);
    }
    if (!reversal.replayed) {
      await repo.addReversed(trx, release.transaction_id, take);
      await repo.insertPosting(trx, { transaction_id: reversal.id, payment_id: payment.id, purpose: 'unrelease', amount: take, source_id: sourceId, created_at: ctx.deps.clock.now() });
    }
    left -= take;
    if (left === 0) return;
  }
  // The payment's own numbers say more was released than its postings hold: a bug, never a bad request.
  throw new Error(`payment ${payment.id}: cannot take ${amount} back from its releases; ${left} is not covered`);
}

/**
 * A won dispute: the money comes back from the bank to escrow (the dispute posting, reversed), and what the
 * dispute took from the parties is released to them again as a new posting (a reversal is never reversed).
 */
export async function restoreAfterWonDispute(ctx: PaymentsContext, trx: Tx, payment: repo.PaymentRow, disputeId: string): Promise<void> {
  for (const taken of await repo.postingsOf(trx, payment.id, ['dispute'], disputeId)) {
    const back = await ctx.ledger.reverse(trx, taken.transaction_id, {
      idempotencyKey: `dispute-won:${disputeId}`,
      amount: taken.amount,
      memo: `Payment ${payment.id}: dispute won, money back in escrow`,
    });
    if (!back.replayed) {
      await repo.addReversed(trx, taken.transaction_id, taken.amount);
      await repo.insertPosting(trx, { transaction_id: back.id, payment_id: payment.id, purpose: 'dispute_won', amount: taken.amount, source_id: disputeId, created_at: ctx.deps.clock.now() });
    }
  }
  for (const reversal of await repo.postingsOf(trx, payment.id, ['unrelease'], disputeId)) {
    const original = await ctx.ledger.transaction(reversal.transaction_id, trx);
    await post(ctx, trx, payment, {
      key: `dispute-won:${disputeId}:${reversal.transaction_id}`,
      kind: 'release',
      purpose: 'rerelease',
      amount: reversal.amount,
      entries: original.entries.map((entry) => ({ accountCode: entry.accountCode, amount: -entry.amount })),
      memo: `Payment ${payment.id}: released again after a won dispute`,
      sourceId: disputeId,
    });
  }
}
