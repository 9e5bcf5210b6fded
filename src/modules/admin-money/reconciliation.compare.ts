import type { ReconciliationIssue, ReconciliationObject } from '../../db/types.ts';

/** One movement as one side records it: our ledger, or the provider. Amounts are positive minor units. */
export type MoneyRecord = { object: ReconciliationObject; externalId: string; currency: string; amount: number; at: Date };
export type Difference = {
  object: ReconciliationObject;
  externalId: string;
  issue: ReconciliationIssue;
  currency: string;
  ledgerAmount: number | null;
  providerAmount: number | null;
};

/**
 * Every difference between the two sides, matched by (object, external id). A movement counts when
 * either side dates it inside [from, to); its other side is looked for at any date, so that a charge at
 * 23:59 and its posting at 00:01 the next day are one movement, not two differences.
 */
export function compareRecords(ledger: MoneyRecord[], provider: MoneyRecord[], from: Date, to: Date): { checked: number; differences: Difference[] } {
  const key = (record: MoneyRecord) => `${record.object}:${record.externalId}`;
  const ours = new Map(ledger.map((record) => [key(record), record]));
  const theirs = new Map(provider.map((record) => [key(record), record]));
  const inPeriod = (record: MoneyRecord | undefined) => record !== undefined && record.at >= from && record.at < to;
  const differences: Difference[] = [];
  let checked = 0;
  for (const id of [...new Set([...ours.keys(), ...theirs.keys()])].sort()) {
    const mine = ours.get(id);
    const other = theirs.get(id);
    if (!inPeriod(mine) && !inPeriod(other)) continue;
    checked += 1;
    const base = (mine ?? other)!;
    const difference = { object: base.object, externalId: base.externalId, currency: base.currency, ledgerAmount: mine?.amount ?? null, providerAmount: other?.amount ?? null };
    if (!mine) differences.push({ ...difference, issue: 'missing_in_ledger' });
    else if (!other) differences.push({ ...difference, issue: 'missing_at_provider' });
    else if (mine.amount !== other.amount || mine.currency !== other.currency) differences.push({ ...difference, issue: 'amount_mismatch' });
  }
  return { checked, differences };
}
