import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startBrowserApp, PHONE, type BrowserContext } from '../helpers/browser.ts';
import { createRepo, createUser, type TestUser } from '../helpers/factories.ts';

const FULL_NAME = 'lumen-ui/lumen';
const api = (path = '') => `/api/v1/repos/${FULL_NAME}${path}`;

describe('web: maintainer settings', () => {
  let ctx: BrowserContext;
  let maintainer: TestUser;
  let operator: TestUser;

  before(async () => {
    ctx = await startBrowserApp();
    maintainer = await createUser(ctx, { name: 'Mira Maintainer' });
    operator = await createUser(ctx, { operator: true });
  });
  after(async () => ctx?.close());

  /** Each settings page: the sub-navigation marks it, axe finds nothing serious, a screenshot is kept. */
  async function openSection(page: Page, label: string, heading: string, screenshot: string) {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: label }).click();
    await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: label }).getAttribute('aria-current'), 'page');
    await ctx.checkAccessibility(page, screenshot);
    await ctx.screenshot(page, screenshot);
  }

  test('a maintainer registers a repository, sets it up and approves a helper, each change stored; bad input changes nothing', async () => {
    const page = await ctx.newPage();
    await ctx.signIn(page, maintainer.email, '/portal');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My repositories' }).click();
    await page.getByRole('heading', { name: 'My repositories', level: 1 }).waitFor();

    // Register: a malformed name is refused with the API's reason, then the real one is claimed.
    const register = page.getByRole('form', { name: 'Register a repository' });
    await register.getByLabel('Repository').fill('not a repository');
    await register.getByRole('button', { name: 'Register repository' }).click();
    await register.getByRole('alert').getByText(/owner\/name/).waitFor();
    await register.getByLabel('Repository').fill(FULL_NAME);
    await register.getByLabel('Language').fill('TypeScript');
    await register.getByLabel('Topics').fill('ui, components');
    await register.getByLabel('Docs URL').fill('https://lumen.example.org/docs');
    await register.getByLabel('Description').fill('Accessible UI components');
    await register.getByRole('button', { name: 'Register repository' }).click();
    await page.getByRole('status').getByText(`${FULL_NAME} is registered`).waitFor();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: FULL_NAME }) });
    await card.getByText('pending operator approval').waitFor();
    await ctx.checkAccessibility(page, 'my repositories');
    await ctx.screenshot(page, 'settings-my-repositories');
    const claimed = await maintainer.api.get(api());
    assert.deepEqual([claimed.body.status, claimed.body.topics, claimed.body.docsUrl, claimed.body.viewerRole], ['pending', ['ui', 'components'], 'https://lumen.example.org/docs', 'owner']);

    // The operator verifies the claim; the list then says so.
    assert.equal((await operator.api.post(`/api/v1/admin/repos/${FULL_NAME}/verify`, { decision: 'verified' })).status, 200);
    await page.reload();
    await card.getByText('verified').waitFor();
    await card.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: `Settings: ${FULL_NAME}`, level: 1 }).waitFor();
    await ctx.checkAccessibility(page, 'settings general');
    await ctx.screenshot(page, 'settings-general');

    // General: a commission above the bound is refused and nothing is saved; then offerings on and 12.5%.
    await page.getByLabel('Paid experts').check();
    await page.getByLabel('AI answers from the docs').check();
    await page.getByLabel('Commission (%)').fill('45');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('alert').getByText(/between 0 and 3000 basis points/).waitFor();
    let stored = (await maintainer.api.get(api())).body;
    assert.deepEqual([stored.commissionBps, stored.offerings, stored.currency], [1000, { ai: false, community: true, expert: false }, 'USD']);
    await page.getByLabel('Commission (%)').fill('12.5');
    await page.getByLabel('Currency').fill('EUR');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').getByText('Settings saved.').waitFor();
    stored = (await maintainer.api.get(api())).body;
    assert.deepEqual([stored.commissionBps, stored.offerings, stored.currency], [1250, { ai: true, community: true, expert: true }, 'EUR']);

    // Offerings: a negative price is refused and creates nothing; a fixed price of 49.00 is stored as 4900.
    await openSection(page, 'Offerings & prices', 'Offerings & prices', 'settings-offerings');
    const newOffering = page.getByRole('form', { name: 'New offering' });
    await newOffering.getByLabel('Name', { exact: true }).fill('Bug fix');
    await newOffering.getByLabel('Price (EUR)').fill('-5');
    await newOffering.getByRole('button', { name: 'Add offering' }).click();
    await newOffering.getByRole('alert').getByText(/must be greater than zero/).waitFor();
    assert.deepEqual((await maintainer.api.get(api('/offerings'))).body.items, []);
    await newOffering.getByLabel('Price (EUR)').fill('49.00');
    await newOffering.getByRole('button', { name: 'Add offering' }).click();
    await page.getByRole('status').getByText('Offering added.').waitFor();
    const offerings = (await maintainer.api.get(api('/offerings'))).body.items;
    assert.deepEqual(offerings.map((offering: { name: string; kind: string; prices: unknown }) => [offering.name, offering.kind, offering.prices]), [['Bug fix', 'fixed', [{ currency: 'EUR', price: 4900, bounds: null }]]]);
    // Edited in place: the price changes, the kind stays.
    await page.getByRole('button', { name: 'Edit Bug fix' }).click();
    await page.getByRole('form', { name: 'Edit Bug fix' }).getByLabel('Price (EUR)').fill('59.50');
    await page.getByRole('button', { name: 'Save offering' }).click();
    await page.getByRole('status').getByText('Bug fix saved.').waitFor();
    assert.equal((await maintainer.api.get(api('/offerings'))).body.items[0].prices[0].price, 5950);

    // Helpers: an application arrives; the maintainer approves it and invites someone else.
    const applicant = await createUser(ctx, { name: 'Ada Applicant' });
    assert.equal((await applicant.api.post(api('/helpers/applications'), { pitch: 'I maintain the theming layer of Lumen.' })).status, 201);
    await openSection(page, 'Helpers', 'Helpers', 'settings-helpers');
    await page.getByRole('button', { name: 'Approve Ada Applicant' }).click();
    await page.getByRole('status').getByText('Ada Applicant: approved.').waitFor();
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('status').getByText('Invitation sent to grace@example.com.').waitFor();
    const helpers = (await maintainer.api.get(api('/helpers'))).body.items.map((helper: { displayName: string; status: string }) => [helper.displayName, helper.status]).sort();
    assert.deepEqual(helpers.find(([name]: string[]) => name === 'Ada Applicant'), ['Ada Applicant', 'approved']);
    assert.equal(helpers.filter(([, status]: string[]) => status === 'invited').length, 1);

    // Knowledge: a FAQ entry becomes the repository's FAQ source.
    await openSection(page, 'Knowledge & AI', 'Knowledge & AI', 'settings-knowledge');
    await page.getByLabel('Question', { exact: true }).fill('How do I change the theme?');
    await page.getByLabel('Answer (Markdown)').fill('Wrap the app in `<ThemeProvider theme={dark}>`.');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('status').getByText('FAQ entry added').waitFor();
    const sources = (await maintainer.api.get(api('/knowledge/sources'))).body.items;
    assert.deepEqual(sources.map((source: { kind: string; entries: unknown }) => [source.kind, source.entries]), [['faq', [{ question: 'How do I change the theme?', answer: 'Wrap the app in `<ThemeProvider theme={dark}>`.' }]]]);
    await page.getByRole('row', { name: /FAQ/ }).waitFor();

    // Channels: read-only; the web chat is always there, the others are off on this server.
    await openSection(page, 'Channels', 'Channels', 'settings-channels');
    assert.match(await page.getByRole('row', { name: /Web chat/ }).innerText(), /available/);
    assert.match(await page.getByRole('row', { name: /Discord/ }).innerText(), /off/);

    // Plans & SLA: a policy with an urgent first-response target, then a plan using it.
    await openSection(page, 'Plans & SLA', 'Plans & SLA', 'settings-plans');
    const policyForm = page.getByRole('form', { name: 'New SLA policy' });
    await policyForm.getByLabel('Name').fill('Standard');
    await policyForm.getByLabel('First response target for urgent tickets, minutes').fill('60');
    await policyForm.getByRole('button', { name: 'Create SLA policy' }).click();
    await page.getByRole('status').getByText('SLA policy Standard created.').waitFor();
    const [policy] = (await maintainer.api.get(api('/sla-policies'))).body.items;
    assert.deepEqual([policy.name, policy.measuredIn, policy.targets.urgent.firstResponse], ['Standard', 'around_the_clock', 60]);
    const planForm = page.getByRole('form', { name: 'New plan' });
    // The section reloads after the policy is created: the plan form offers it once that is done.
    await planForm.getByLabel('SLA policy').locator('option', { hasText: 'Standard' }).waitFor({ state: 'attached' });
    await planForm.getByLabel('Plan name').fill('Business');
    await planForm.getByLabel('Price per month (EUR)').fill('500');
    await planForm.getByLabel('Included hours per period').fill('10');
    await planForm.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('status').getByText('Plan Business saved.').waitFor();
    const [plan] = (await maintainer.api.get(api('/plans'))).body.items;
    assert.deepEqual([plan.name, plan.period, plan.prices, plan.includedHours, plan.slaPolicyId, plan.active], ['Business', 'month', [{ currency: 'EUR', amount: 50_000 }], 10, policy.id, true]);
    await page.getByRole('button', { name: 'Archive Business' }).click();
    await page.getByRole('status').getByText('Plan Business archived.').waitFor();
    assert.equal((await maintainer.api.get(api('/plans'))).body.items[0].active, false);

    // Consulting: a service at 150.00 an hour.
    await openSection(page, 'Consulting', 'Consulting catalogue', 'settings-consulting');
    const serviceForm = page.getByRole('form', { name: 'New consulting service' });
    await serviceForm.getByLabel('Name').fill('Architecture review');
    await serviceForm.getByLabel('Hourly rate (EUR)').fill('150');
    await serviceForm.getByLabel('Typical hours').fill('8');
    await serviceForm.getByRole('button', { name: 'Add service' }).click();
    await page.getByRole('status').getByText('Service added.').waitFor();
    const [service] = (await maintainer.api.get(api('/consulting-services'))).body.items;
    assert.deepEqual([service.name, service.rates, service.typicalHours], ['Architecture review', [{ currency: 'EUR', hourlyRate: 15_000 }], 8]);
    ctx.assertNoPageProblems();
  });

  test('settings fit a phone; another maintainer is told the settings are not theirs', async () => {
    const other = await createRepo(ctx);
    const phone = await ctx.newPage(PHONE);
    await ctx.signIn(phone, maintainer.email, `/dashboard/${FULL_NAME}/settings/plans`);
    await phone.getByRole('heading', { name: 'Plans & SLA', level: 2 }).waitFor();
    for (const section of ['general', 'offerings', 'helpers', 'knowledge', 'channels', 'plans', 'consulting']) {
      await phone.goto(`/dashboard/${FULL_NAME}/settings/${section}`);
      await phone.getByRole('navigation', { name: 'Settings' }).waitFor();
      await phone.getByRole('heading', { level: 2 }).first().waitFor();
      assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false, `${section} scrolls sideways on a phone`);
    }
    await ctx.screenshot(phone, 'settings-consulting-phone');

    const page = await ctx.newPage();
    await ctx.signIn(page, other.maintainer.email, `/dashboard/${FULL_NAME}/settings/general`);
    await page.getByRole('alert').getByText(`Only maintainers of ${FULL_NAME} may change its settings.`).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Settings' }).count(), 0);
    ctx.assertNoPageProblems();
  });
});
