import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureWebBuilt } from '../../scripts/web-build.ts';
import { startTestApp, type TestOptions } from './app.ts';
import { linkToken } from './session.ts';

/** Debian's Chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const PHONE = { width: 375, height: 740 };

/**
 * The test app listening on a real port with the built web app, and one Chromium for the test file.
 * Every page the tests open fails them on a Content-Security-Policy violation or an uncaught script
 * error, so a page that only works with the policy relaxed cannot pass.
 */
export async function startBrowserApp(options: TestOptions = {}) {
  await ensureWebBuilt();
  const ctx = await startTestApp(options);
  // The browser keeps cookies by its own clock: a session that ends by the fake clock's default date
  // (in the past) would be dropped at once. The fake clock starts at the whole minute of now instead.
  ctx.clock.set(new Date(Math.floor(Date.now() / 60_000) * 60_000));
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const address = ctx.app.server.address();
  assert.ok(address && typeof address === 'object');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  const problems: string[] = [];

  async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport, baseURL: baseUrl });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    return page;
  }

  return {
    ...ctx,
    baseUrl,
    browser,
    newPage,
    /** Signs the page's browser in through the real flow: the form, the email, the link. */
    async signIn(page: Page, email: string, next = '/portal') {
      await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.getByText('We sent a sign-in link').waitFor();
      await ctx.jobs.drain();
      await page.goto(`/auth/magic?token=${linkToken(ctx, email, '/auth/magic')}`);
    },
    /** Saves a full-page screenshot for reviewers under test-results/screenshots (git-ignored). */
    async screenshot(page: Page, name: string) {
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    /** Runs axe-core in the page (evaluated, so the CSP is not loosened for it); fails on serious or critical violations. */
    async checkAccessibility(page: Page, label: string) {
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.slice(0, 3).map((node) => node.target.join(' ')) }));
      });
      const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
      assert.deepEqual(serious, [], `${label}: accessibility violations`);
    },
    /** No page broke the CSP or threw; call at the end of each test. */
    assertNoPageProblems() {
      assert.deepEqual(problems.splice(0), []);
    },
    async close() {
      await browser.close();
      await ctx.close();
    },
  };
}

export type BrowserContext = Awaited<ReturnType<typeof startBrowserApp>>;
