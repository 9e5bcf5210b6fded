import type { Tx } from '../../db/database.ts';
import type { InvoiceKind } from '../../db/types.ts';

const PREFIX = 'BL';

/** A series restarts every calendar year (UTC): BL-2026 for invoices, BL-CN-2026 for credit notes. */
export function seriesOf(kind: InvoiceKind, issuedAt: Date): string {
  const year = issuedAt.getUTCFullYear();
  return kind === 'invoice' ? `${PREFIX}-${year}` : `${PREFIX}-CN-${year}`;
}

export const formatNumber = (series: string, sequence: number) => `${series}-${String(sequence).padStart(6, '0')}`;

/**
 * Locks a series for the rest of the caller's transaction and returns how to take its next number.
 * The counter row is locked FOR UPDATE, so concurrent issuers of the same series queue here, and a
 * transaction that rolls back takes its increment with it: numbers are consecutive, with no gaps and no
 * duplicates. The caller inserts the numbered document in the same transaction. Between locking and
 * taking, the caller may still decide not to number anything (an invoice that already exists).
 */
export async function lockSeries(trx: Tx, issuer: string, series: string) {
  await trx.insertInto('invoice_counters').values({ issuer, series, last_number: 0 }).onConflict((oc) => oc.columns(['issuer', 'series']).doNothing()).execute();
  const counter = await trx
    .selectFrom('invoice_counters')
    .select('last_number')
    .where('issuer', '=', issuer)
    .where('series', '=', series)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return {
    async take(): Promise<{ sequence: number; number: string }> {
      const sequence = ++counter.last_number;
      await trx.updateTable('invoice_counters').set({ last_number: sequence }).where('issuer', '=', issuer).where('series', '=', series).execute();
      return { sequence, number: formatNumber(series, sequence) };
    },
  };
}
