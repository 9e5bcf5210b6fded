import type { Queryable } from '../../db/database.ts';
import { toIso } from '../../http/schemas.ts';
import type { PaymentOut } from './payments.schemas.ts';
import * as repo from './payments.repository.ts';
import type { QuoteRow } from './quotes.repository.ts';
import type { TimeEntryRow } from './time-entries.repository.ts';

export function presentRefund(row: repo.RefundRow) {
  return { id: row.id, amount: row.amount, reason: row.reason, source: row.source, createdAt: row.created_at.toISOString() };
}

function presentDispute(row: repo.DisputeRow) {
  return {
    id: row.id,
    source: row.source,
    status: row.status,
    reason: row.reason,
    amount: row.amount,
    openedAt: row.opened_at.toISOString(),
    closedAt: toIso(row.closed_at),
  };
}

export function presentPayment(row: repo.PaymentRow, refunds: repo.RefundRow[], disputes: repo.DisputeRow[], invoiceIds: Map<string, string> = new Map()): PaymentOut {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    quoteId: row.quote_id,
    offeringId: row.offering_id,
    kind: row.kind,
    status: row.status,
    provider: row.provider,
    description: row.description,
    amount: row.amount,
    currency: row.currency,
    capturedAmount: row.captured_amount,
    refundedAmount: row.refunded_amount,
    chargedBackAmount: row.charged_back_amount,
    processorFee: row.processor_fee,
    commissionBps: row.commission_bps,
    platformFeeBps: row.platform_fee_bps,
    url: row.url,
    invoiceId: invoiceIds.get(row.id) ?? null,
    failureReason: row.failure_reason,
    heldAt: toIso(row.held_at),
    releaseDueAt: toIso(row.release_due_at),
    releasedAt: toIso(row.released_at),
    split:
      row.split_helper === null
        ? null
        : { helper: row.split_helper, commission: row.split_commission ?? 0, platformFee: row.split_platform_fee ?? 0, processorFee: row.split_processor_fee ?? 0 },
    refunds: refunds.filter((refund) => refund.payment_id === row.id).map(presentRefund),
    disputes: disputes.filter((dispute) => dispute.payment_id === row.id).map(presentDispute),
    createdAt: row.created_at.toISOString(),
  };
}

/** Payments with their refunds and disputes; pass the transaction when inside one. */
export async function presentPayments(db: Queryable, rows: repo.PaymentRow[]): Promise<PaymentOut[]> {
  const ids = rows.map((row) => row.id);
  // One after the other: inside a transaction both would share one connection anyway.
  const refunds = await repo.refundsOf(db, ids);
  const disputes = await repo.disputesOf(db, ids);
  const invoiceIds = await repo.invoiceIdsOf(db, ids);
  return rows.map((row) => presentPayment(row, refunds, disputes, invoiceIds));
}

export async function presentPaymentById(db: Queryable, id: string): Promise<PaymentOut> {
  const row = await repo.findPayment(db, id);
  if (!row) throw new Error(`payment ${id} vanished`);
  return (await presentPayments(db, [row]))[0];
}

/** A pending quote past its expiry is shown as expired: nothing needs to run to expire it. */
export function presentQuote(row: QuoteRow, now: Date) {
  const expired = row.status === 'pending' && row.expires_at.getTime() <= now.getTime();
  return {
    id: row.id,
    ticketId: row.ticket_id,
    helperId: row.helper_id,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    estimatedMinutes: row.estimated_minutes,
    status: expired ? ('expired' as const) : row.status,
    expiresAt: row.expires_at.toISOString(),
    decidedAt: toIso(row.decided_at),
    createdAt: row.created_at.toISOString(),
  };
}

export function presentTimeEntry(row: TimeEntryRow) {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    helperId: row.helper_id,
    minutes: row.minutes,
    note: row.note,
    paymentId: row.payment_id,
    createdAt: row.created_at.toISOString(),
  };
}
