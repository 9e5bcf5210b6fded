import type { LedgerAccountKind, LedgerOwnerType } from '../../db/types.ts';
import { invalidField } from '../../errors.ts';

/**
 * The chart of accounts. An account is created the first time a transaction touches it, so its kind
 * and owner must follow from its code alone: only these shapes are accepted, and a typo in a code is a
 * 400 instead of a stray account that silently holds money. See docs/ledger.md for what each one means.
 */
const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';

const CHART: { pattern: RegExp; kind: LedgerAccountKind; ownerType: LedgerOwnerType }[] = [
  { pattern: new RegExp(`^helper:${UUID}:payable$`), kind: 'liability', ownerType: 'helper' },
  { pattern: new RegExp(`^repo:${UUID}:payable$`), kind: 'liability', ownerType: 'repo' },
  { pattern: new RegExp(`^customer:${UUID}:funding$`), kind: 'liability', ownerType: 'customer' },
  { pattern: /^escrow:held$/, kind: 'liability', ownerType: 'platform' },
  { pattern: /^platform:revenue$/, kind: 'revenue', ownerType: 'platform' },
  { pattern: /^processor:balance$/, kind: 'asset', ownerType: 'processor' },
  { pattern: /^processor:fees$/, kind: 'expense', ownerType: 'processor' },
  // Invoices are paid by bank transfer into the platform's own account, not through the processor.
  { pattern: /^bank:balance$/, kind: 'asset', ownerType: 'platform' },
  // VAT an invoice collected: owed to the tax authority, never part of anyone's share.
  { pattern: /^tax:payable$/, kind: 'liability', ownerType: 'platform' },
];

export type AccountSpec = { code: string; kind: LedgerAccountKind; ownerType: LedgerOwnerType; ownerId: string | null };

export function accountSpec(code: string, path = 'accountCode'): AccountSpec {
  for (const { pattern, kind, ownerType } of CHART) {
    const match = pattern.exec(code);
    if (match) return { code, kind, ownerType, ownerId: match[1] ?? null };
  }
  throw invalidField(path, `"${code}" is not a ledger account; expected one of helper:{userId}:payable, repo:{repoId}:payable, customer:{userId}:funding, escrow:held, platform:revenue, processor:balance, processor:fees, bank:balance, tax:payable (ids are lowercase UUIDs)`);
}

export const accounts = {
  helperPayable: (userId: string) => `helper:${userId}:payable`,
  repoPayable: (repoId: string) => `repo:${repoId}:payable`,
  customerFunding: (userId: string) => `customer:${userId}:funding`,
  escrow: 'escrow:held',
  platformRevenue: 'platform:revenue',
  processorBalance: 'processor:balance',
  processorFees: 'processor:fees',
  bankBalance: 'bank:balance',
  taxPayable: 'tax:payable',
} as const;

/**
 * Balances are stored debit-positive. For accounts whose natural side is the credit (liabilities and
 * revenue) this turns them into the figure a person expects: what is owed, what was earned.
 */
export function naturalBalance(kind: LedgerAccountKind, debitBalance: number): number {
  return kind === 'asset' || kind === 'expense' ? debitBalance : 0 - debitBalance; // 0 - x: never -0
}
