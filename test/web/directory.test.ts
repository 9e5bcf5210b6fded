import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBrowserApp, PHONE, type BrowserContext } from '../helpers/browser.ts';
import { createUser, createRepo } from '../helpers/factories.ts';

describe('web: directory and serving', () => {
  let ctx: BrowserContext;
  before(async () => {
    ctx = await startBrowserApp();
  });
  after(async () => ctx?.close());

  test('the server serves the app, its pages and assets, under the strict CSP, without shadowing the API', async () => {
    const page = await ctx.newPage();
    const response = await page.goto('/s/some/page');
    assert.equal(response?.status(), 200);
    const csp = String(response?.headers()['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline scripts allowed');
    const api = await fetch(`${ctx.baseUrl}/api/v1/nothing-here`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.equal((await api.json()).error.code, 'not_found');
    const health = await fetch(`${ctx.baseUrl}/healthz`, { headers: { accept: 'text/html' } });
    assert.deepEqual(await health.json(), { ok: true });
    ctx.assertNoPageProblems();
  });

  test('searching as you type, filtering by offering, and requesting a repository that is not listed', async () => {
    await createRepo(ctx, { fullName: 'quarry/quarry', description: 'Durable job queue for PostgreSQL', topics: ['queue'], language: 'Rust', expert: true });
    await createRepo(ctx, { fullName: 'acme/widgets', description: 'Widgets for dashboards', topics: ['ui'], language: 'TypeScript', expert: false });
    const customer = await createUser(ctx, { email: 'dana@example.com' });
    const page = await ctx.newPage();
    await page.goto('/');
    await page.getByRole('link', { name: 'quarry/quarry' }).waitFor();
    await ctx.checkAccessibility(page, 'directory');
    await ctx.screenshot(page, 'directory');

    await page.getByLabel('Search repositories').fill('durable queue');
    await page.getByText('1 repository').waitFor();
    assert.equal(await page.getByRole('link', { name: 'acme/widgets' }).count(), 0);
    await page.getByLabel('Search repositories').fill('');
    await page.getByLabel('Offering').selectOption('expert');
    await page.getByText('1 repository').waitFor();
    assert.equal(await page.getByRole('link', { name: 'quarry/quarry' }).count(), 1);

    await page.getByLabel('Offering').selectOption('');
    await page.getByLabel('Search repositories').fill('tokio-rs/axum');
    await page.getByRole('button', { name: 'Sign in to request tokio-rs/axum' }).click();
    await page.waitForURL(/\/sign-in/);
    await ctx.signIn(page, customer.email, '/?q=tokio-rs/axum');
    await page.getByRole('button', { name: 'Request support for tokio-rs/axum' }).click();
    await page.getByText('You are the first to ask').waitFor();
    const demand = await ctx.db.selectFrom('onboarding_requests').selectAll().execute();
    assert.equal(demand.length, 1);
    ctx.assertNoPageProblems();
  });

  test('a phone-width directory has no horizontal scroll and keyboard users reach the search first', async () => {
    const page = await ctx.newPage(PHONE);
    await page.goto('/');
    await page.getByRole('link', { name: 'quarry/quarry' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no horizontal scrolling at 375 px');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await ctx.screenshot(page, 'directory-phone');
    await ctx.checkAccessibility(page, 'directory on a phone');
    ctx.assertNoPageProblems();
  });
});
