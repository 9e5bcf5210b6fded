import assert from 'node:assert/strict';
import { accounts } from '../../src/modules/ledger/accounts.ts';
import { checkInvariants } from '../../src/modules/ledger/ledger.service.ts';
import { captureEntries, releaseEntries, returnEntries } from '../../src/modules/ledger/postings.ts';
import { splitPayment, type Split } from '../../src/modules/ledger/split.ts';
import { newId } from '../../src/lib/ids.ts';
import type { TestContext } from './app.ts';
import type { TestUser } from './factories.ts';

/**
 * Money as the payments module makes it, posted straight through the ledger service: a ticket opened
 * through the API, its payment row, then the capture and the release postings referencing the payment
 * (and refunds reversing the release in proportion), with the payments module's idempotency keys.
 */
export type Earned = { paymentId: string; ticketId: string; title: string; releaseId: string; split: Split; amount: number; currency: string };

let sequence = 0;

export async function earn(
  ctx: TestContext,
  options: { repo: { id: string; fullName: string }; helper: TestUser; customer: TestUser; amount: number; currency?: string; title?: string; processorFee?: number },
): Promise<Earned> {
  const currency = options.currency ?? 'EUR';
  const title = options.title ?? `Ticket ${++sequence}: widgets flicker`;
  const opened = await options.customer.api.post('/api/v1/tickets', { repo: options.repo.fullName, title, body: 'Please help.', track: 'expert', priority: 'normal', channel: 'web' });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  const now = ctx.clock.now();
  const processorFee = options.processorFee ?? 320;
  const split = splitPayment({ amount: options.amount, commissionBps: 1000, platformFeeBps: 500, processorFee });
  const paymentId = newId(now.getTime());
  await ctx.db
    .insertInto('payments')
    .values({
      id: paymentId, ticket_id: opened.body.id, repo_id: options.repo.id, kind: 'fixed', quote_id: null, offering_id: null, payer_id: options.customer.id,
      helper_id: options.helper.id, description: title, provider: 'sandbox', provider_payment_id: `sandbox_${paymentId}`, provider_charge_id: `sandbox_ch_${paymentId}`,
      capture_method: 'automatic', status: 'released', currency, amount: options.amount, captured_amount: options.amount, processor_fee: processorFee,
      commission_bps: 1000, platform_fee_bps: 500, held_at: now, released_at: now, split_helper: split.helper, split_commission: split.commission,
      split_platform_fee: split.platformFee, split_processor_fee: split.processorFee, created_at: now, updated_at: now,
    })
    .execute();
  const reference = { type: 'payment', id: paymentId };
  const ledger = ctx.services.ledger;
  await ledger.post(ctx.db, { idempotencyKey: `capture:${paymentId}`, kind: 'capture', currency, reference, entries: captureEntries(options.amount, processorFee) });
  const release = await ledger.post(ctx.db, {
    idempotencyKey: `release:${paymentId}`,
    kind: 'release',
    currency,
    reference,
    entries: releaseEntries(split, { helperId: options.helper.id, repoId: options.repo.id }),
  });
  return { paymentId, ticketId: opened.body.id, title, releaseId: release.id, split, amount: options.amount, currency };
}

/** A refund of released money: the release reversed in proportion, then the money out of escrow to the customer. */
export async function refund(ctx: TestContext, earned: Earned, amount: number): Promise<void> {
  const reference = { type: 'payment', id: earned.paymentId };
  const key = `refund:${earned.paymentId}:${++sequence}`;
  await ctx.services.ledger.reverse(ctx.db, earned.releaseId, { idempotencyKey: `${key}:unrelease`, amount, reference });
  await ctx.services.ledger.post(ctx.db, { idempotencyKey: key, kind: 'refund', currency: earned.currency, reference, entries: returnEntries(amount) });
}

export async function owed(ctx: TestContext, payee: { type: 'helper' | 'repo'; id: string }, currency = 'EUR'): Promise<number> {
  const code = payee.type === 'helper' ? accounts.helperPayable(payee.id) : accounts.repoPayable(payee.id);
  return (await ctx.services.ledger.balance(code, currency)).balance;
}

export async function assertLedgerConsistent(ctx: TestContext): Promise<void> {
  assert.deepEqual(await checkInvariants(ctx.db), { ok: true, problems: [] });
}
