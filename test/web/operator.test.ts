import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { captureEntries } from '../../src/modules/ledger/postings.ts';
import { paidTicket } from '../../src/modules/payments/test-support.ts';
import { startBrowserApp, PHONE, type BrowserContext } from '../helpers/browser.ts';
import { createRepo, createUser, type TestUser } from '../helpers/factories.ts';
import { earn } from '../helpers/money.ts';
import { approvedHelper } from '../helpers/support.ts';

describe('web: the operator pages', () => {
  let ctx: BrowserContext;
  let operator: TestUser;
  let customer: TestUser;
  let disputed: Awaited<ReturnType<typeof paidTicket>>;
  let earnedBy: TestUser;

  before(async () => {
    ctx = await startBrowserApp();
    operator = await createUser(ctx, { operator: true, name: 'Olga Operator' });
    customer = await createUser(ctx);
    // A claim waiting for approval, asked for twice beforehand; and demand for a repository nobody claimed.
    const claimant = await createUser(ctx);
    const org = await customer.api.post('/api/v1/orgs', { slug: 'bigcorp', name: 'BigCorp' });
    assert.equal(org.status, 201);
    assert.equal((await customer.api.post('/api/v1/onboarding-requests', { fullName: 'lonely/parser', org: 'bigcorp', note: 'We parse invoices with it' })).status, 201);
    assert.equal((await claimant.api.post('/api/v1/onboarding-requests', { fullName: 'wanted/lib', note: 'Our CI depends on it' })).status, 201);
    const claim = await claimant.api.post('/api/v1/repos', { fullName: 'lonely/parser', description: 'A small parser' });
    assert.equal(claim.status, 201, JSON.stringify(claim.body));
    assert.equal(claim.body.status, 'pending');
    // A held payment the customer disputes, and released earnings a payout run will pay by bank transfer.
    disputed = await paidTicket(ctx);
    assert.equal((await disputed.customer.api.post(`${disputed.url}/dispute`, { reason: 'The leak is still there.' })).status, 201);
    const repo = await createRepo(ctx);
    earnedBy = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Hugo Helper' }));
    await earn(ctx, { repo, helper: earnedBy, customer, amount: 9999 });
  });
  after(async () => ctx?.close());

  const openTab = async (page: Page, label: string) => {
    await page.getByRole('navigation', { name: 'Operator sections' }).getByRole('link', { name: label }).click();
    await page.waitForURL(/\/admin\//);
  };

  test('an operator approves a claim, settles a dispute, runs and settles payouts, checks revenue and reconciles', async () => {
    const page = await ctx.newPage();
    await ctx.signIn(page, operator.email, '/portal');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operator' }).click();
    await page.getByRole('heading', { name: 'Operator', level: 1 }).waitFor();

    // Onboarding: the demand with its notes, and the claim approved.
    const demand = page.getByRole('region', { name: 'Onboarding requests' });
    assert.match(await demand.getByRole('row', { name: /wanted\/lib/ }).innerText(), /1\s+0\s+Our CI depends on it/);
    assert.match(await demand.getByRole('row', { name: /lonely\/parser/ }).innerText(), /1\s+1\s+We parse invoices with it/);
    const claimRow = page.getByRole('region', { name: 'Repository claims' }).getByRole('row', { name: /lonely\/parser/ });
    assert.match(await claimRow.innerText(), /1 requests, 1 organizations/);
    await ctx.checkAccessibility(page, 'operator onboarding');
    await ctx.screenshot(page, 'operator-onboarding');
    await claimRow.getByRole('button', { name: 'Approve lonely/parser' }).click();
    await page.getByText('lonely/parser is verified and listed in the directory.').waitFor();
    await page.getByText('No claim is waiting.').waitFor();
    assert.equal((await customer.api.get('/api/v1/repos/lonely/parser')).body.status, 'verified');

    // Disputes: the customer's reason, and a partial refund with the rest released.
    await openTab(page, 'Disputes');
    const disputeRow = page.getByRole('region', { name: 'Disputed payments' }).getByRole('row', { name: /The leak is still there/ });
    assert.match(await disputeRow.innerText(), /€99\.99[\s\S]*disputed/);
    await ctx.checkAccessibility(page, 'operator disputes');
    await ctx.screenshot(page, 'operator-disputes');
    await disputeRow.getByLabel('Refund amount in EUR (empty: all)').fill('25,5');
    await disputeRow.getByRole('button', { name: /^Refund/ }).click();
    await page.getByText(/Refunded 25,5 EUR/).waitFor();
    await page.getByText('No dispute is waiting for a decision.').waitFor();
    const settled = (await operator.api.get(`/api/v1/payments/${disputed.paymentId}`)).body;
    assert.deepEqual([settled.status, settled.refundedAmount, settled.disputes[0].status], ['released', 2550, 'refunded']);
    await page.getByLabel('Show').selectOption('closed');
    await page.getByRole('row', { name: /The leak is still there/ }).getByText('refunded').first().waitFor();

    // Payouts: run them, then record the bank transfer.
    await openTab(page, 'Payouts');
    await page.getByText('No payouts.').waitFor();
    await page.getByRole('button', { name: 'Run payouts now' }).click();
    await page.getByText(/The payout run has started/).waitFor();
    await ctx.jobs.drain();
    await page.getByRole('button', { name: 'Refresh' }).click();
    const payoutRow = page.getByRole('region', { name: 'Payout list' }).getByRole('row', { name: /Helper Hugo Helper/ });
    assert.match(await payoutRow.innerText(), /€81\.81[\s\S]*Bank transfer[\s\S]*pending manual/);
    await ctx.checkAccessibility(page, 'operator payouts');
    await ctx.screenshot(page, 'operator-payouts');
    await payoutRow.getByLabel('Transfer reference (optional)').fill('SEPA-2026-0042');
    await payoutRow.getByRole('button', { name: /^Mark paid/ }).click();
    await page.getByText('Marked Helper Hugo Helper, €81.81 as paid.').waitFor();
    await payoutRow.getByText('ref. SEPA-2026-0042').waitFor();
    const [paid] = (await earnedBy.api.get('/api/v1/helpers/me/payouts')).body.items;
    assert.deepEqual([paid.status, paid.paidReference, paid.amount], ['paid', 'SEPA-2026-0042', 8181]);

    // Revenue: this month's platform fees, escrow and the ledger check.
    await openTab(page, 'Revenue');
    const revenue = page.getByRole('region', { name: 'Platform revenue' }).getByRole('row', { name: /EUR/ });
    await revenue.waitFor();
    const overview = (await operator.api.get('/api/v1/admin/money/overview')).body;
    const eur = overview.revenue.find((row: { currency: string }) => row.currency === 'EUR');
    assert.ok(eur.platformFees > 0);
    assert.match(await revenue.innerText(), new RegExp(`€${(eur.platformFees / 100).toFixed(2).replace('.', '\\.')}`));
    await page.getByRole('region', { name: 'Balances per currency' }).getByRole('row', { name: /EUR/ }).waitFor();
    await page.getByRole('button', { name: 'Check the ledger' }).click();
    await page.getByText('The ledger is consistent.').waitFor();
    await ctx.checkAccessibility(page, 'operator revenue');
    await ctx.screenshot(page, 'operator-revenue');

    // Reconciliation: a clean run, then one that finds a capture the sandbox never took.
    await openTab(page, 'Reconciliation');
    await page.getByText('No reconciliation has been run yet.').waitFor();
    await page.getByRole('button', { name: 'Run reconciliation' }).click();
    const runs = page.getByRole('region', { name: 'Runs' }).getByRole('listitem');
    await runs.first().getByText('The ledger agrees with the provider.').waitFor();
    assert.match(await runs.first().innerText(), /Sandbox[\s\S]*completed[\s\S]*[1-9]\d* records checked · 0 difference/);
    await ctx.services.ledger.post(ctx.db, {
      idempotencyKey: `injected:${disputed.paymentId}`,
      kind: 'capture',
      currency: 'EUR',
      reference: { type: 'payment', id: disputed.paymentId },
      entries: captureEntries(100, 0),
    });
    await page.getByRole('button', { name: 'Run reconciliation' }).click();
    await runs.nth(1).waitFor();
    const difference = runs.first().getByRole('row', { name: /charge/ });
    assert.match(await difference.innerText(), /amount mismatch\s+€100\.99\s+€99\.99/);
    await ctx.checkAccessibility(page, 'operator reconciliation');
    await ctx.screenshot(page, 'operator-reconciliation');
    ctx.assertNoPageProblems();
  });

  test('anyone but an operator gets the not-found page; the operator pages fit a phone', async () => {
    const page = await ctx.newPage();
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await ctx.signIn(page, customer.email, '/admin/payouts');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operator' }).count(), 0);

    const phone = await ctx.newPage(PHONE);
    await ctx.signIn(phone, operator.email, '/admin/disputes');
    await phone.getByRole('heading', { name: 'Operator', level: 1 }).waitFor();
    await phone.getByRole('heading', { name: 'Disputes' }).waitFor();
    await phone.goto('/admin/nowhere');
    await phone.getByRole('heading', { name: 'Page not found' }).waitFor();
    await phone.goto('/admin/onboarding');
    await phone.getByRole('row', { name: /wanted\/lib/ }).waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false);
    await ctx.checkAccessibility(phone, 'operator payouts on a phone');
    ctx.assertNoPageProblems();
  });
});
