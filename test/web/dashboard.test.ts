import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { acceptAndPay, approvedHelper, sendQuote } from '../../src/modules/payments/test-support.ts';
import { startBrowserApp, PHONE, type BrowserContext } from '../helpers/browser.ts';
import { createRepo, createUser, type TestUser } from '../helpers/factories.ts';

describe('web: maintainer dashboard', () => {
  let ctx: BrowserContext;
  let repo: Awaited<ReturnType<typeof createRepo>>;
  let helper: TestUser;

  before(async () => {
    ctx = await startBrowserApp();
    repo = await createRepo(ctx, { fullName: 'quarry/quarry' });
    helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
    // One paid expert ticket, answered, resolved, confirmed (released) and rated; and one community ticket.
    const customer = await createUser(ctx);
    const opened = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Jobs stall', body: 'Help', track: 'expert' });
    const url = `/api/v1/tickets/${opened.body.id}`;
    assert.equal((await helper.api.post(`${url}/claim`)).status, 200);
    assert.equal((await helper.api.post(`${url}/messages`, { body: 'Looking.' })).status, 201);
    await acceptAndPay(customer, (await sendQuote(helper, opened.body.id, { amount: 9999 })).id);
    assert.equal((await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' })).status, 200);
    assert.equal((await customer.api.post(`${url}/confirm`)).status, 200);
    assert.equal((await customer.api.post(`${url}/rating`, { score: 4 })).status, 200);
    assert.equal((await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Theming?', body: 'How?', track: 'community' })).status, 201);
  });
  after(async () => ctx?.close());

  const tile = (page: Awaited<ReturnType<BrowserContext['newPage']>>, label: string) => page.getByRole('list', { name: 'Figures of the period' }).getByRole('listitem').filter({ hasText: label });

  test("a maintainer sees the period's figures, charts, helpers and downloads, and changes the period", async () => {
    const page = await ctx.newPage();
    await ctx.signIn(page, repo.maintainer.email, '/portal');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard quarry/quarry' }).click();
    await page.getByRole('heading', { name: 'Dashboard: quarry/quarry' }).waitFor();
    await tile(page, 'Tickets opened').getByText('2', { exact: true }).waitFor();
    assert.match(await tile(page, 'Value released').innerText(), /€99\.99/);
    assert.match(await tile(page, 'Satisfaction').innerText(), /4 \/ 5/);
    assert.match(await tile(page, 'Tickets opened').innerText(), /new this period/);
    await page.getByRole('img', { name: /Tickets opened per day: 2 in all/ }).waitFor();
    await page.getByRole('img', { name: /Tickets by source: AI 0, Community 1, Expert 1/ }).waitFor();
    const helperRow = page.getByRole('row', { name: /Ada Helper/ });
    assert.match(await helperRow.innerText(), /4 \(1\)/);
    await ctx.checkAccessibility(page, 'dashboard');
    await ctx.screenshot(page, 'dashboard');

    // The downloads carry the same figures, for the same days.
    const csvLink = page.getByRole('link', { name: 'CSV' }).first();
    const csv = await page.request.get(String(await csvLink.getAttribute('href')));
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /money,,value,99\.99,0\.00/);
    const statement = await page.request.get(String(await page.getByRole('link', { name: 'PDF' }).last().getAttribute('href')));
    assert.equal(statement.headers()['content-type'], 'application/pdf');

    // Another period: last month has none of it, and the address keeps the choice.
    await page.getByLabel('Period', { exact: true }).selectOption('lastMonth');
    await page.waitForURL(/preset=lastMonth/);
    await tile(page, 'Tickets opened').getByText('0', { exact: true }).waitFor();
    // A custom range that ends before it starts is refused with the API's reason.
    await page.getByLabel('From').fill('2026-03-10');
    await page.getByLabel('To (inclusive)').fill('2026-03-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('alert').getByText(/The period is empty/).waitFor();
    ctx.assertNoPageProblems();
  });

  test('a helper of the repository is told it does not exist; the page fits a phone', async () => {
    const page = await ctx.newPage(PHONE);
    await ctx.signIn(page, helper.email, '/dashboard/quarry/quarry');
    await page.getByRole('alert').getByText('The repository quarry/quarry was not found.').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false);
    ctx.assertNoPageProblems();
  });
});
