import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureWebBuilt } from '../../src/web/build.ts';
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
  // Links the app builds (sandbox checkout, emails) use PUBLIC_URL, so the port is chosen first.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const ctx = await startTestApp({ ...options, env: { PUBLIC_URL: baseUrl, ...options.env } });
  // The browser keeps cookies by its own clock: a session that ends by the fake clock's default date
  // (in the past) would be dropped at once. The fake clock starts at the whole minute of now instead.
  ctx.clock.set(new Date(Math.floor(Date.now() / 60_000) * 60_000));
  await ctx.app.listen({ port, host: '127.0.0.1' });
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
      // A page shows its heading before its data: checked while a section is still loading (marked busy,
      // whatever its label), it would grow under the keyboard walk (new fields take the Tab presses counted
      // for the stops found first).
      await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null);
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, help: violation.help, targets: violation.nodes.slice(0, 3).map((node) => node.target.join(' ')) }));
      });
      const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
      assert.deepEqual(serious, [], `${label}: accessibility violations`);
      await checkKeyboard(page, label);
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

/** What a keyboard user can reach: links, enabled controls, and anything given a place in the tab order. */
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/**
 * Walks the page with the Tab key from the top: every visible control must be reached, in a finite walk
 * (no trap), and show where the focus is (an outline or a shadow), so the page works without a mouse.
 * Called by checkAccessibility, so each page the browser tests look at is walked too.
 */
export async function checkKeyboard(page: Page, label: string) {
  const expected = await page.evaluate((selector) => {
    const visible = (element: Element) => {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && !element.closest('[inert], [aria-hidden="true"]');
    };
    // A radio group is one stop for Tab (the arrows move inside it): only its checked or first button counts.
    const seenGroups = new Set<string>();
    let index = 0;
    for (const element of Array.from(document.querySelectorAll(selector))) {
      if (!visible(element)) continue;
      if (element instanceof HTMLInputElement && element.type === 'radio') {
        if (seenGroups.has(element.name)) continue;
        seenGroups.add(element.name);
        const group = Array.from(document.querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${CSS.escape(element.name)}"]`));
        (group.find((radio) => radio.checked) ?? element).setAttribute('data-keyboard-stop', String(index++));
        continue;
      }
      element.setAttribute('data-keyboard-stop', String(index++));
    }
    // Tab continues from where focus last was, even after a blur: start it from a mark at the very top.
    const start = document.createElement('span');
    start.tabIndex = -1;
    start.id = 'keyboard-walk-start';
    document.body.prepend(start);
    start.focus();
    return index;
  }, FOCUSABLE);
  const reached = new Set<string>();
  const unmarked: string[] = [];
  // A date field takes a Tab per part (day, month, year): room for three presses a stop, and then some.
  for (let press = 0; press < expected * 3 + 10 && reached.size < expected; press++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      // Date and time fields focus one of their parts, which the browser highlights itself.
      const nativeMark = element instanceof HTMLInputElement && ['date', 'time', 'datetime-local', 'month', 'week'].includes(element.type);
      const marked = nativeMark || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      return { stop: element.getAttribute('data-keyboard-stop'), marked, name: `${element.tagName.toLowerCase()} "${(element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 40)}"` };
    });
    if (!focused?.stop) continue;
    reached.add(focused.stop);
    if (!focused.marked) unmarked.push(focused.name);
  }
  const missed = await page.evaluate((stops) => {
    document.getElementById('keyboard-walk-start')?.remove();
    return Array.from(document.querySelectorAll('[data-keyboard-stop]'))
      .filter((element) => !stops.includes(element.getAttribute('data-keyboard-stop')!))
      .map((element) => `${element.tagName.toLowerCase()} "${(element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 40)}"`);
  }, [...reached]);
  assert.deepEqual({ missed, unmarked }, { missed: [], unmarked: [] }, `${label}: keyboard walk (controls Tab never reached, or focused without a visible mark)`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export type BrowserContext = Awaited<ReturnType<typeof startBrowserApp>>;
