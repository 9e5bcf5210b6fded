import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { approvedHelper } from '../../../test/helpers/support.ts';
import { checkInvariants } from '../ledger/ledger.service.ts';

/** Shared set-up for the payments tests: a claimed ticket, offerings, paying in the sandbox, ledger checks. */

export type Repo = Awaited<ReturnType<typeof createRepo>>;

export const newKey = () => randomUUID();
export const withKey = (key = newKey()) => ({ 'idempotency-key': key });

export { approvedHelper };

export async function createOffering(repo: Repo, body: Record<string, unknown>): Promise<{ id: string }> {
  const created = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/offerings`, { description: '', ...body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

/** A repository with one approved helper who claimed a fresh expert ticket of a new customer. */
export async function claimedTicket(ctx: TestContext, options: { repo?: Repo; ticket?: Record<string, unknown>; claim?: boolean } = {}) {
  const repo = options.repo ?? (await createRepo(ctx));
  const helper = await approvedHelper(ctx, repo);
  const customer = await createUser(ctx);
  const opened = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Renderer leaks memory', body: 'It grows.', track: 'expert', ...options.ticket });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  const url = `/api/v1/tickets/${opened.body.id}`;
  if (options.claim !== false) assert.equal((await helper.api.post(`${url}/claim`)).status, 200);
  return { repo, helper, customer, ticketId: opened.body.id as string, url };
}

export async function sendQuote(helper: TestUser, ticketId: string, fields: Record<string, unknown> = {}) {
  const quote = await helper.api.post(`/api/v1/tickets/${ticketId}/quotes`, { amount: 9999, currency: 'EUR', description: 'Find and fix the leak', estimatedMinutes: 90, ...fields });
  assert.equal(quote.status, 201, JSON.stringify(quote.body));
  return quote.body as { id: string; status: string; amount: number };
}

/** A claimed ticket with a 99.99 EUR quote accepted and paid on the sandbox (fee 319): the money is held. */
export async function paidTicket(ctx: TestContext) {
  const claimed = await claimedTicket(ctx);
  const quote = await sendQuote(claimed.helper, claimed.ticketId);
  const payment = await acceptAndPay(claimed.customer, quote.id);
  assert.equal(payment.status, 'held');
  return { ...claimed, paymentId: payment.id };
}

/** Accepts a quote and pays it on the sandbox; returns the held payment. */
export async function acceptAndPay(customer: TestUser, quoteId: string) {
  const accepted = await customer.api.post(`/api/v1/quotes/${quoteId}/accept`, {}, withKey());
  assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
  return pay(customer, accepted.body.payment.id);
}

export async function pay(customer: TestUser, paymentId: string) {
  const paid = await customer.api.post(`/api/v1/payments/${paymentId}/sandbox/complete`);
  assert.equal(paid.status, 200, JSON.stringify(paid.body));
  return paid.body as { id: string; status: string; capturedAmount: number; processorFee: number } & Record<string, any>;
}

/** How many ledger rows exist: a refused request must leave both counts as they were. */
export async function ledgerRows(ctx: TestContext) {
  const count = async (table: 'ledger_transactions' | 'ledger_entries') =>
    Number((await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()).count);
  return { transactions: await count('ledger_transactions'), entries: await count('ledger_entries') };
}

export async function assertLedgerConsistent(ctx: TestContext) {
  const check = await checkInvariants(ctx.db);
  assert.deepEqual(check.problems, []);
  assert.equal(check.ok, true);
}

/** An account's balance on its natural side (what is owed, held or earned). */
export async function balanceOf(ctx: TestContext, code: string, currency = 'EUR'): Promise<number> {
  return (await ctx.services.ledger.balance(code, currency)).balance;
}

/** Natural balances of some accounts now; `changes()` later gives how much each one moved since. */
export async function watchBalances(ctx: TestContext, codes: Record<string, string>, currency = 'EUR') {
  const read = async () => Object.fromEntries(await Promise.all(Object.entries(codes).map(async ([name, code]) => [name, await balanceOf(ctx, code, currency)])));
  const before = await read();
  return {
    async changes(): Promise<Record<string, number>> {
      const now = await read();
      return Object.fromEntries(Object.keys(codes).map((name) => [name, now[name] - before[name]]));
    },
  };
}
