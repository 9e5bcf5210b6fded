import { toIso } from '../../http/schemas.ts';
import type { PayoutRow } from './payouts.repository.ts';

export function presentPayout(row: PayoutRow) {
  return {
    id: row.id,
    payee: { type: row.payee_type, id: row.payee_id },
    currency: row.currency,
    amount: row.amount,
    period: row.period_key,
    method: row.method,
    status: row.status,
    ledgerTransactionId: row.ledger_transaction_id,
    reversalTransactionId: row.reversal_transaction_id,
    providerTransferId: row.provider_transfer_id,
    failureReason: row.failure_reason,
    paidReference: row.paid_reference,
    paidAt: toIso(row.paid_at),
    createdAt: row.created_at.toISOString(),
  };
}

export type PayoutView = ReturnType<typeof presentPayout>;
