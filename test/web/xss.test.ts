import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { acceptAndPay, approvedHelper, createOffering, sendQuote } from '../../src/modules/payments/test-support.ts';
import { startBrowserApp, type BrowserContext } from '../helpers/browser.ts';
import { createRepo, createUser, type TestUser } from '../helpers/factories.ts';
import { createPlan, createPolicy } from '../helpers/plans.ts';

/**
 * Hostile text in every field a person can type that the web app shows, then every page that shows it,
 * in a real browser: the text must arrive as text. Each payload carries a `data-xss` attribute, so any of
 * them turned into an element is found however it got there; an event handler or a `javascript:` link
 * that got through is caught too (the page's title is the handler's target, and the CSP guard of
 * startBrowserApp fails the test on a blocked inline handler).
 */
const PAYLOADS = {
  tag: '<img src=x data-xss onerror="document.title=\'xss\'">',
  breakout: '"><svg data-xss onload="document.title=\'xss\'"></svg>',
  script: '<script data-xss>document.title="xss"</script>',
};
const hostile = (label: string) => `${label} ${PAYLOADS.tag} ${PAYLOADS.breakout} ${PAYLOADS.script}`;
/** For names, which are limited to 100 characters. */
const hostileName = (label: string) => `${label} ${PAYLOADS.tag}`;
const MARKDOWN = `Look ${PAYLOADS.tag}\n\n[click me](javascript:document.title='xss') <a href="javascript:alert(1)" data-xss>raw</a>\n\n<iframe data-xss src="https://example.com"></iframe>`;

describe('web: hostile input renders inert', () => {
  let ctx: BrowserContext;
  let maintainer: TestUser;
  let customer: TestUser;
  let helper: TestUser;
  let fullName: string;
  let ticketId: string;
  const orgSlug = 'hostile-org';

  before(async () => {
    ctx = await startBrowserApp();
    maintainer = await createUser(ctx, { name: hostileName('Maintainer') });
    const repo = await createRepo(ctx, { maintainer, fullName: 'hostile/widget', description: hostile('Description') });
    fullName = repo.fullName;
    await createOffering(repo, { kind: 'fixed', name: hostileName('Offering'), description: hostile('Offering text'), currency: 'EUR', prices: [{ currency: 'EUR', price: 5000 }] });
    await createPlan(repo, await createPolicy(repo), { name: hostileName('Plan'), prices: [{ currency: 'EUR', amount: 100_000 }] });
    const service = await maintainer.api.post(`/api/v1/repos/${fullName}/consulting-services`, { name: 'Audit <b data-xss>x</b>', description: hostile('Audit'), rates: [{ currency: 'EUR', hourlyRate: 20_000 }], typicalHours: 8 });
    assert.equal(service.status, 201, JSON.stringify(service.body));
    helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: hostileName('Helper') }));

    customer = await createUser(ctx, { name: hostileName('Customer') });
    const opened = await customer.api.post('/api/v1/tickets', { repo: fullName, title: hostileName('Title'), body: MARKDOWN, track: 'expert' });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    ticketId = opened.body.id;
    const url = `/api/v1/tickets/${ticketId}`;
    assert.equal((await helper.api.post(`${url}/claim`)).status, 200);
    assert.equal((await helper.api.post(`${url}/messages`, { body: MARKDOWN })).status, 201);
    await acceptAndPay(customer, (await sendQuote(helper, ticketId, { amount: 5000, description: hostile('Quote') })).id);
    assert.equal((await helper.api.post(`${url}/time-entries`, { minutes: 30, note: hostile('Time') })).status, 201);
    assert.equal((await helper.api.post(`${url}/resolve`, { summary: hostile('Summary') })).status, 200);
    assert.equal((await customer.api.post(`${url}/confirm`)).status, 200);
    assert.equal((await customer.api.post(`${url}/rating`, { score: 5, comment: hostile('Rating') })).status, 200);

    const org = await customer.api.post('/api/v1/orgs', { slug: orgSlug, name: hostileName('Org'), legalName: hostile('Legal'), address: hostile('Address') });
    assert.equal(org.status, 201, JSON.stringify(org.body));
    // An unanswered question is shown to the maintainer on the dashboard.
    assert.equal((await maintainer.api.put(`/api/v1/repos/${fullName}/ai-settings`, { enabled: true })).status, 200);
    assert.equal((await customer.api.post(`/api/v1/repos/${fullName}/ask`, { question: hostile('Question') })).status, 200);
  });
  after(async () => ctx?.close());

  /** Nothing of any payload became markup, no handler ran, and the text is there to read. */
  async function assertInert(page: Page, label: string, visibleText: string) {
    await page.getByText(visibleText).first().waitFor();
    const found = await page.evaluate(() => ({
      injected: document.querySelectorAll('[data-xss]').length,
      javascriptLinks: Array.from(document.querySelectorAll('a[href], iframe, form[action]')).filter((element) => /^\s*javascript:/i.test(element.getAttribute('href') ?? element.getAttribute('src') ?? element.getAttribute('action') ?? '')).length,
      iframes: document.querySelectorAll('iframe').length,
      title: document.title,
    }));
    assert.deepEqual({ ...found, title: found.title === 'xss' }, { injected: 0, javascriptLinks: 0, iframes: 0, title: false }, label);
    // Clicking a link that looked like a javascript: one changes nothing either.
    for (const link of await page.getByRole('link', { name: 'click me' }).all()) await link.click({ trial: true });
    ctx.assertNoPageProblems();
  }

  test('the directory and the support site show hostile repository, offering, plan, consulting and helper text as text', async () => {
    const page = await ctx.newPage();
    await page.goto(`/?q=${encodeURIComponent('widget')}`);
    await assertInert(page, 'directory', 'Description <img');
    await page.goto(`/s/${fullName}`);
    await assertInert(page, 'support site', 'Offering <img');
    for (const text of ['Plan <img', 'Audit <b data-xss>x</b>', 'Description <img']) await page.getByText(text).first().waitFor();
  });

  test("the customer's portal, ticket page and organization page keep ticket, message, quote, time and org text inert", async () => {
    const page = await ctx.newPage();
    await ctx.signIn(page, customer.email, '/portal');
    await assertInert(page, 'portal', 'Title <img');
    await page.goto(`/portal/tickets/${ticketId}`);
    await assertInert(page, 'ticket page', 'Title <img');
    for (const text of ['Quote <img', 'Time <img', 'Helper <img', 'Look']) await page.getByText(text).first().waitFor();
    await page.goto(`/portal/orgs/${orgSlug}`);
    await assertInert(page, 'organization page', 'Org <img');
  });

  test("the helper's view of the ticket and the maintainer's dashboard keep names and questions inert", async () => {
    const helperPage = await ctx.newPage();
    await ctx.signIn(helperPage, helper.email, `/portal/tickets/${ticketId}`);
    await assertInert(helperPage, "helper's ticket page", 'Title <img');

    const page = await ctx.newPage();
    await ctx.signIn(page, maintainer.email, `/dashboard/${fullName}`);
    await assertInert(page, 'dashboard', 'Helper <img');
    await page.getByText('Question <img').first().waitFor();
  });
});
