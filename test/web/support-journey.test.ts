import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBrowserApp, PHONE, type BrowserContext } from '../helpers/browser.ts';
import { createUser } from '../helpers/factories.ts';
import { addSource, docsFolder, knowledgeRepo, RETRIES_DOC } from '../helpers/knowledge.ts';
import { createPlan, createPolicy, planSetup, subscribed } from '../helpers/plans.ts';
import { approvedHelper } from '../helpers/support.ts';

describe('web: the support site journey', () => {
  let ctx: BrowserContext;
  const docs = docsFolder({ 'retries.md': RETRIES_DOC });
  before(async () => {
    ctx = await startBrowserApp();
  });
  after(async () => {
    docs.cleanup();
    await ctx?.close();
  });

  test('a customer asks on the support site, gets an AI answer, escalates, accepts a quote and pays in test mode', async () => {
    const { fullName, maintainer, operator } = await knowledgeRepo(ctx);
    const repo = { fullName, maintainer, id: '' };
    await addSource(ctx, operator, fullName, { kind: 'path', path: docs.dir, baseUrl: 'https://github.com/acme/quarry/blob/main/docs' });
    const policyId = await createPolicy(repo, { urgent: { firstResponse: 30, resolution: 240 }, normal: { firstResponse: 60, resolution: 1440 } });
    await createPlan(repo, policyId, { name: 'Business', prices: [{ currency: 'USD', amount: 150_000 }] });
    await maintainer.api.put(`/api/v1/repos/${fullName}/release-windows`, { windows: [{ major: 2, generalSupport: { from: '2025-01-01' } }] });
    const helper = await approvedHelper(ctx, repo);
    const customer = await createUser(ctx, { email: 'sam@example.com', name: 'Sam' });

    const page = await ctx.newPage();
    await page.goto(`/s/${fullName}`);
    await page.getByRole('heading', { name: `Support for ${fullName}` }).waitFor();
    await page.getByRole('heading', { name: 'Support plans' }).waitFor();
    assert.equal(await page.getByRole('row', { name: /urgent 30 min 4 h/ }).count(), 1, 'the plan shows its SLA targets');
    await page.getByRole('row', { name: /2\.x/ }).waitFor();
    await ctx.checkAccessibility(page, 'support site');
    await ctx.screenshot(page, 'support-site');

    await page.getByLabel('Your question').fill('How do I set exponential backoff?');
    await page.getByRole('button', { name: 'Ask' }).click();
    const answer = page.getByTestId('answer');
    await answer.getByText('exponential').first().waitFor();
    assert.equal(await answer.getByRole('link', { name: /Retries/ }).count() > 0, true, 'the answer cites the docs');
    await ctx.screenshot(page, 'support-site-answer');

    await page.getByRole('button', { name: 'Ask an expert' }).click();
    await page.getByRole('link', { name: 'Sign in to open a ticket' }).click();
    await ctx.signIn(page, customer.email, `/s/${fullName}`);
    await page.getByRole('heading', { name: `Support for ${fullName}` }).waitFor();
    await page.getByLabel('Title').fill('Backoff does not double');
    await page.getByLabel('What do you need? (Markdown)').fill('I set `backoff` but the delay stays **one second**. <script>alert(1)</script>');
    await page.getByRole('button', { name: 'Open ticket' }).click();
    await page.waitForURL(/\/portal\/tickets\//);
    const ticketId = page.url().split('/').pop()!;
    await page.getByRole('heading', { name: 'Backoff does not double' }).waitFor();
    assert.equal(await page.locator('.message strong', { hasText: 'one second' }).count(), 1, 'Markdown is rendered');
    assert.equal(await page.locator('.message script').count(), 0, 'raw HTML is not');

    await helper.api.post(`/api/v1/tickets/${ticketId}/claim`);
    const quote = await helper.api.post(`/api/v1/tickets/${ticketId}/quotes`, { amount: 12_000, currency: 'USD', description: 'Find and fix the backoff setting', estimatedMinutes: 90 });
    assert.equal(quote.status, 201, JSON.stringify(quote.body));
    await page.reload();
    await page.getByRole('button', { name: 'Accept and pay' }).waitFor();
    await ctx.checkAccessibility(page, 'ticket with a quote');
    await ctx.screenshot(page, 'ticket-quote');
    await page.getByRole('button', { name: 'Accept and pay' }).click();

    await page.waitForURL(/\/pay\/sandbox\//);
    await page.getByText('TEST MODE').waitFor();
    await ctx.screenshot(page, 'sandbox-payment');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /Pay .*120\.00/ }).click()]);
    // The test-mode payment is reported like a provider's webhook: recorded, then processed by a job.
    await ctx.jobs.drain();
    await page.reload();
    await page.getByText('This payment is held').waitFor();
    await page.getByRole('link', { name: 'Back to the ticket' }).click();
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    await page.locator('.badge', { hasText: 'held' }).waitFor();
    const [payment] = (await customer.api.get(`/api/v1/tickets/${ticketId}/payments`)).body.items;
    assert.equal(payment.status, 'held');
    assert.equal(payment.amount, 12_000);
    await ctx.screenshot(page, 'ticket-paid');
    ctx.assertNoPageProblems();
  });

  test('the portal lists my tickets across repositories and searches them; it fits a phone', async () => {
    const page = await ctx.newPage(PHONE);
    await ctx.signIn(page, 'sam@example.com');
    await page.getByRole('heading', { name: 'My tickets' }).waitFor();
    await page.getByRole('link', { name: 'Backoff does not double' }).waitFor();
    await page.getByLabel('Search').fill('nothing like this');
    await page.getByText('No tickets match').waitFor();
    await page.getByLabel('Search').fill('backoff');
    await page.getByRole('link', { name: 'Backoff does not double' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no horizontal scrolling at 375 px');
    await ctx.checkAccessibility(page, 'portal');
    await ctx.screenshot(page, 'portal-phone');
    ctx.assertNoPageProblems();
  });

  test('an organization admin sees plans and usage, spend per repository and invoices, invites members and edits billing details', async () => {
    const { repo, plan, org } = await planSetup(ctx, { name: 'Gold' });
    const { invoice } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'invoice', poNumber: 'PO-77' });
    // The test-mode seller charges no VAT: the invoice is the plan's price.
    assert.equal(invoice.total, 100_000);
    const page = await ctx.newPage();
    await ctx.signIn(page, org.admin.email, `/portal/orgs/${org.slug}`);
    await page.getByRole('heading', { name: 'Plans and usage' }).waitFor();
    await page.getByRole('heading', { name: `Gold · ${repo.fullName}` }).waitFor();
    await page.getByText('By invoice, PO PO-77').waitFor();
    const spendRow = page.getByRole('region', { name: 'Spend per repository' }).getByRole('row', { name: new RegExp(repo.fullName) });
    assert.match(await spendRow.innerText(), /1\t€1,000\.00\t€0\.00\t€1,000\.00/, 'one invoice, nothing credited');
    assert.equal(await page.getByRole('link', { name: /Download .* as PDF/ }).count(), 1);
    await ctx.checkAccessibility(page, 'organization');
    await ctx.screenshot(page, 'organization');

    await page.getByLabel('Invite by email').fill('new.colleague@example.com');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('Invitation sent to new.colleague@example.com').waitFor();
    await page.getByLabel('Default PO number').fill('PO-2027');
    await page.getByLabel('Country (2 letters)').fill('xx1');
    await page.getByRole('button', { name: 'Save billing details' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /country: must be an ISO 3166-1 alpha-2 country code/);
    await page.getByLabel('Country (2 letters)').fill('fr');
    await page.getByRole('button', { name: 'Save billing details' }).click();
    await page.getByText('Billing details saved.').waitFor();
    const saved = await org.admin.api.get(`/api/v1/orgs/${org.slug}`);
    assert.equal(saved.body.billing.country, 'FR');
    assert.equal(saved.body.billing.poNumberDefault, 'PO-2027');
    ctx.assertNoPageProblems();
  });
});
