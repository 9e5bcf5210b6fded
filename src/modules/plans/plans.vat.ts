import type { Tx } from '../../db/database.ts';
import { includedTax } from '../invoices/invoices.tax.ts';
import type { PlansContext } from './plans.billing.ts';
import * as repo from './plans.repository.ts';

/**
 * The VAT included in a period's revenue when it was paid by card, whose prices include VAT (docs/plans.md):
 * owed to the tax authority when the period closes, never shared out. A period paid by invoice had its VAT
 * added on top and booked when the invoice was paid, so it has none left to book here.
 *
 * Without a plan change the revenue is what the period's payment still holds, and the VAT is exactly what its
 * invoice says that includes (the invoice's VAT less its credit notes'). With one, credit moved between
 * periods: the VAT is the one included in the revenue, at the rate of the period's card invoice (or, for a
 * period paid with credit alone, of the latest earlier period paid by card).
 */
export async function vatOfRevenue(ctx: PlansContext, trx: Tx, period: repo.PeriodRow, revenue: number): Promise<number> {
  if (revenue <= 0) return 0;
  if (period.payment_id && period.credit_applied === 0 && period.credited_back === 0) {
    return (await ctx.payments.includedVat(trx, period.payment_id))?.vat ?? 0;
  }
  const rateBps = await cardRateOf(ctx, trx, period);
  return rateBps === null ? 0 : includedTax(revenue, rateBps);
}

async function cardRateOf(ctx: PlansContext, trx: Tx, period: repo.PeriodRow): Promise<number | null> {
  if (period.payment_id) return (await ctx.payments.includedVat(trx, period.payment_id))?.rateBps ?? null;
  const earlier = (await repo.periodsOf(trx, [period.subscription_id])).filter((other) => other.payment_id && other.created_at <= period.created_at && other.id !== period.id);
  const last = earlier.at(-1);
  return last ? ((await ctx.payments.includedVat(trx, last.payment_id!))?.rateBps ?? null) : null;
}
