import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo } from '../../../test/helpers/factories.ts';

/**
 * The widget in a real browser (Debian's Chromium), embedded by a page of another origin, as a support
 * site on GitHub Pages embeds it: the script tag, the shadow root, CORS, the conversation and its stream.
 */
const CHROMIUM = '/usr/bin/chromium';

let ctx: TestContext;
let site: Server;
let browser: Browser;
let backline: string;
let siteOrigin: string;

before(async () => {
  site = createServer((_request, response) => {
    const repo = (globalThis as { widgetRepo?: string }).widgetRepo ?? '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html><body><h1>Acme docs</h1><script src="${backline}/widget.js" data-repo="${repo}"></script></body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  ctx = await startTestApp({ env: { CORS_ORIGINS: siteOrigin } });
  backline = (await ctx.app.listen({ port: 0, host: 'localhost' })).replace('[::1]', 'localhost');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

after(async () => {
  await browser?.close();
  site?.close();
  await ctx?.close();
});

test('a page on another origin embeds the widget with one script tag: the visitor opens it, describes the problem and gets the next step', { skip: !existsSync(CHROMIUM) && 'no Chromium' }, async () => {
  const repo = await createRepo(ctx, { expert: true });
  await ctx.db.updateTable('repos').set({ offers_ai: false }).where('id', '=', repo.id).execute();
  (globalThis as { widgetRepo?: string }).widgetRepo = repo.fullName;
  const page = await browser.newPage();
  const failures: string[] = [];
  page.on('console', (message) => message.type() === 'error' && failures.push(message.text()));
  await page.goto(siteOrigin);

  await page.getByRole('button', { name: 'Get help' }).click();
  // Playwright's locators pierce open shadow roots, as a person's eyes do.
  await page.getByText(`What is the problem with ${repo.fullName}?`).waitFor();
  await page.getByLabel('In one line').fill('Retries stop');
  await page.getByLabel('What happens, what you expected, versions').fill('After the first failure nothing is retried.');
  await page.getByRole('button', { name: 'Send', exact: true }).first().click();
  await page.getByText('How would you like to continue?').waitFor();
  await page.getByRole('button', { name: 'Ask the community (free)' }).click();
  await page.getByText('I posted your question where the community answers').waitFor();

  const ticket = await ctx.db.selectFrom('tickets').select(['title', 'channel']).where('repo_id', '=', repo.id).executeTakeFirstOrThrow();
  assert.deepEqual(ticket, { title: 'Retries stop', channel: 'web' });
  const stored = await page.evaluate((key) => localStorage.getItem(key), `backline-chat:${repo.fullName}`);
  assert.match(stored ?? '', /^wct1\./, 'the token is kept for the next visit');
  const inShadow = await page.evaluate(() => document.querySelector('body > div')?.shadowRoot?.querySelectorAll('.entry').length ?? 0);
  assert.ok(inShadow >= 4, `the conversation renders inside the shadow root (${inShadow} entries)`);
  assert.deepEqual(failures, []);
  await page.close();
});
