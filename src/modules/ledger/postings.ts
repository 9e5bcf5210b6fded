import { accounts } from './accounts.ts';
import type { Split } from './split.ts';

/**
 * The entries of each standard money movement, as pure functions: payments, refunds and payouts post
 * these through the ledger service rather than each writing its own debits and credits. Amounts are
 * positive minor units; zero lines are dropped because an entry of 0 moves nothing.
 * Debit +, credit - (see docs/ledger.md).
 */
export type Entry = { accountCode: string; amount: number };

const lines = (entries: Entry[]) => entries.filter((entry) => entry.amount !== 0);

/** The customer paid `amount`; the processor kept `processorFee`; the money is held until the work is done. */
export function captureEntries(amount: number, processorFee: number): Entry[] {
  return lines([
    { accountCode: accounts.processorBalance, amount: amount - processorFee },
    { accountCode: accounts.processorFees, amount: processorFee },
    { accountCode: accounts.escrow, amount: -amount },
  ]);
}

/**
 * An invoice was paid by bank transfer: its subtotal is held like a card payment, its VAT is owed to the
 * tax authority, and no processor kept anything.
 */
export function invoiceCaptureEntries(subtotal: number, tax: number): Entry[] {
  return lines([
    { accountCode: accounts.bankBalance, amount: subtotal + tax },
    { accountCode: accounts.escrow, amount: -subtotal },
    { accountCode: accounts.taxPayable, amount: -tax },
  ]);
}

/**
 * The work is done: held money goes to the helper, the repository and the platform, and the processor
 * fee part of the split pays back the fee the platform bore at capture. A card price includes VAT
 * (docs/payments.md): `vat` of the held money is owed to the tax authority, and the split is of the rest,
 * so escrow gives up the split plus the VAT.
 */
export function releaseEntries(split: Split, parties: { helperId: string; repoId: string }, vat = 0): Entry[] {
  const amount = split.helper + split.commission + split.platformFee + split.processorFee;
  return lines([
    { accountCode: accounts.escrow, amount: amount + vat },
    { accountCode: accounts.taxPayable, amount: -vat },
    { accountCode: accounts.helperPayable(parties.helperId), amount: -split.helper },
    { accountCode: accounts.repoPayable(parties.repoId), amount: -split.commission },
    { accountCode: accounts.platformRevenue, amount: -split.platformFee },
    { accountCode: accounts.processorFees, amount: -split.processorFee },
  ]);
}

/**
 * Held money goes back to the customer (a refund) or to their bank (a dispute). Money already
 * released is first brought back to escrow by reversing the release in proportion (`reverse`).
 */
export function returnEntries(amount: number): Entry[] {
  return [
    { accountCode: accounts.escrow, amount },
    { accountCode: accounts.processorBalance, amount: -amount },
  ];
}

/** Money owed to a helper or a repository leaves the processor balance for their bank account. */
export function payoutEntries(payableCode: string, amount: number): Entry[] {
  return [
    { accountCode: payableCode, amount },
    { accountCode: accounts.processorBalance, amount: -amount },
  ];
}
