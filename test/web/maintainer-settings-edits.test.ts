import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startBrowserApp, PHONE, type BrowserContext } from '../helpers/browser.ts';
import { createRepo, createUser } from '../helpers/factories.ts';
import { approvedHelper, type Repo } from '../helpers/support.ts';

/** What the first settings test left out: editing and deleting, several currencies, helpers turned away. */
describe('web: maintainer settings, edits', () => {
  let ctx: BrowserContext;
  let repo: Repo;
  const api = (path = '') => `/api/v1/repos/${repo.fullName}${path}`;
  const get = async (path: string) => (await repo.maintainer.api.get(api(path))).body;

  before(async () => {
    ctx = await startBrowserApp();
    repo = await createRepo(ctx);
  });
  after(async () => ctx?.close());

  async function open(page: Page, section: string, heading: string) {
    await page.goto(`/dashboard/${repo.fullName}/settings/${section}`);
    await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
  }

  test('calendars with their own hours per weekday, SLA policies and release windows are edited; what is in use is not deleted', async () => {
    const page = await ctx.newPage();
    await ctx.signIn(page, repo.maintainer.email, `/dashboard/${repo.fullName}/settings/plans`);
    await page.getByRole('heading', { name: 'Plans & SLA', level: 2 }).waitFor();

    // A policy's name typed first: adding a calendar meanwhile must not throw it away.
    const newPolicy = page.getByRole('form', { name: 'New SLA policy' });
    await newPolicy.getByLabel('Name').fill('Standard');

    // A calendar: Monday to Friday 09:00-17:00 by default; Monday gets a lunch break, Saturday a morning.
    const newCalendar = page.getByRole('form', { name: 'New business-hours calendar' });
    await newCalendar.getByLabel('Name').fill('Lyon office');
    await newCalendar.getByLabel('Time zone').fill('Europe/Paris');
    await newCalendar.getByLabel('Monday closes at').fill('12:00');
    await newCalendar.getByRole('button', { name: 'Add hours on Monday' }).click();
    await newCalendar.getByLabel('Monday opens at').nth(1).fill('13:30');
    await newCalendar.getByLabel('Monday closes at').nth(1).fill('18:00');
    await newCalendar.getByRole('button', { name: 'Remove Friday 09:00–17:00' }).click();
    await newCalendar.getByRole('button', { name: 'Add hours on Saturday' }).click();
    await newCalendar.getByLabel('Saturday closes at').fill('12:00');
    await newCalendar.getByLabel('Holidays').fill('2026-12-25, 2026-05-01');
    await newCalendar.getByRole('button', { name: 'Create calendar' }).click();
    await page.getByRole('status').getByText('Calendar Lyon office created.').waitFor();
    let [calendar] = (await get('/calendars')).items;
    assert.deepEqual(calendar.weeklyHours, {
      monday: [{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }],
      tuesday: [{ start: '09:00', end: '17:00' }],
      wednesday: [{ start: '09:00', end: '17:00' }],
      thursday: [{ start: '09:00', end: '17:00' }],
      friday: [],
      saturday: [{ start: '09:00', end: '12:00' }],
      sunday: [],
    });
    assert.deepEqual(calendar.holidays, ['2026-05-01', '2026-12-25']);

    // A policy measured in it, once the section has loaded it again: the name typed before is still there.
    await newPolicy.getByRole('option', { name: 'Business hours: Lyon office' }).waitFor({ state: 'attached' });
    assert.equal(await newPolicy.getByLabel('Name').inputValue(), 'Standard');
    await newPolicy.getByLabel('Measured in').selectOption({ label: 'Business hours: Lyon office' });
    await newPolicy.getByLabel('First response target for urgent tickets, minutes').fill('60');
    await newPolicy.getByRole('button', { name: 'Create SLA policy' }).click();
    await page.getByRole('status').getByText('SLA policy Standard created.').waitFor();

    // Edit the calendar: overlapping Tuesday hours are refused with the API's reason and change nothing.
    await page.getByRole('button', { name: 'Edit calendar Lyon office' }).click();
    const editCalendar = page.getByRole('form', { name: 'Edit calendar Lyon office' });
    await editCalendar.getByRole('button', { name: 'Add hours on Tuesday' }).click();
    await editCalendar.getByLabel('Tuesday opens at').nth(1).fill('16:00');
    await editCalendar.getByLabel('Tuesday closes at').nth(1).fill('19:00');
    await editCalendar.getByRole('button', { name: 'Save calendar' }).click();
    await editCalendar.getByRole('alert').getByText(/overlaps 09:00-17:00/).waitFor();
    assert.deepEqual((await get('/calendars')).items[0], calendar);
    await editCalendar.getByLabel('Tuesday opens at').nth(1).fill('17:00');
    await editCalendar.getByLabel('Name').fill('Lyon team');
    await editCalendar.getByLabel('Holidays').fill('2026-12-24');
    await editCalendar.getByRole('button', { name: 'Save calendar' }).click();
    await page.getByRole('status').getByText('Calendar Lyon team saved.').waitFor();
    [calendar] = (await get('/calendars')).items;
    assert.deepEqual([calendar.name, calendar.weeklyHours.tuesday, calendar.holidays, calendar.weeklyHours.monday.length], ['Lyon team', [{ start: '09:00', end: '17:00' }, { start: '17:00', end: '19:00' }], ['2026-12-24'], 2]);

    // In use by the policy: the delete is refused with the reason, and the calendar stays.
    await page.getByRole('button', { name: 'Delete calendar Lyon team' }).click();
    await page.getByRole('alert').getByText(/in use by SLA policy "Standard"/).waitFor();
    assert.equal((await get('/calendars')).items.length, 1);

    // Edit the policy: around the clock now, with a resolution target too.
    await page.getByRole('button', { name: 'Edit SLA policy Standard' }).click();
    const editPolicy = page.getByRole('form', { name: 'Edit SLA policy Standard' });
    assert.equal(await editPolicy.getByLabel('First response target for urgent tickets, minutes').inputValue(), '60');
    await editPolicy.getByLabel('Measured in').selectOption({ label: 'Around the clock' });
    await editPolicy.getByLabel('Resolution target for urgent tickets, minutes').fill('480');
    await editPolicy.getByRole('button', { name: 'Save SLA policy' }).click();
    await page.getByRole('status').getByText('SLA policy Standard saved.').waitFor();
    let [policy] = (await get('/sla-policies')).items;
    assert.deepEqual([policy.measuredIn, policy.targets.urgent], ['around_the_clock', { firstResponse: 60, nextResponse: null, resolution: 480 }]);

    // The default policy cannot go; once no longer the default (and unused), it can, and then the calendar too.
    await page.getByRole('button', { name: 'Use Standard by default' }).click();
    await page.getByRole('status').getByText('Default SLA policy set.').waitFor();
    await page.getByRole('button', { name: 'Delete SLA policy Standard' }).click();
    await page.getByRole('alert').getByText(/default for expert tickets/).waitFor();
    [policy] = (await get('/sla-policies')).items;
    assert.equal(policy.isDefault, true);
    await page.getByRole('button', { name: 'Stop using Standard by default' }).click();
    await page.getByRole('status').getByText('Expert tickets get no SLA by default now.').waitFor();
    await page.getByRole('button', { name: 'Delete SLA policy Standard' }).click();
    await page.getByRole('status').getByText('SLA policy Standard deleted.').waitFor();
    await page.getByRole('button', { name: 'Delete calendar Lyon team' }).click();
    await page.getByRole('status').getByText('Calendar Lyon team deleted.').waitFor();
    assert.deepEqual([(await get('/sla-policies')).items, (await get('/calendars')).items], [[], []]);

    // Release windows: add one, then edit it in place.
    await page.getByLabel('Major version').fill('3');
    await page.getByLabel('General Support from').fill('2025-01-15');
    await page.getByRole('button', { name: 'Add release window' }).click();
    await page.getByRole('status').getByText('Release window for version 3 saved.').waitFor();
    await page.getByRole('button', { name: 'Edit version 3' }).click();
    await page.getByRole('heading', { name: 'Edit the release window for version 3' }).waitFor();
    assert.equal(await page.getByLabel('General Support from').inputValue(), '2025-01-15');
    await page.getByLabel('General Support until').fill('2026-01-15');
    await page.getByLabel('Upgrade path').fill('Read the v4 migration guide.');
    await page.getByRole('button', { name: 'Save release window' }).click();
    // The notice reads as it did after the add: the edit form closing is what says this save is done.
    await page.getByRole('heading', { name: 'Edit the release window for version 3' }).waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('Release window for version 3 saved.').waitFor();
    const windows = (await get('/release-windows')).items;
    assert.equal(windows.length, 1);
    assert.deepEqual([windows[0].major, windows[0].generalSupport, windows[0].upgradePath], [3, { from: '2025-01-15', until: '2026-01-15' }, 'Read the v4 migration guide.']);

    await ctx.checkAccessibility(page, 'settings plans edits');
    await ctx.screenshot(page, 'settings-plans-edits');
    ctx.assertNoPageProblems();
  });

  test('prices in every currency are edited, added and removed; helper rate bounds are stored; the API refuses a bad price', async () => {
    const page = await ctx.newPage();
    await ctx.signIn(page, repo.maintainer.email, `/dashboard/${repo.fullName}/settings/offerings`);
    await page.getByRole('heading', { name: 'Offerings & prices', level: 2 }).waitFor();
    const form = page.getByRole('form', { name: 'New offering' });
    await form.getByLabel('Name', { exact: true }).fill('Bug fix');
    await form.getByLabel('Price (USD)').fill('40');
    await form.getByLabel('Lowest helper rate (USD)').fill('30');
    await form.getByLabel('Highest helper rate (USD)').fill('80');
    await form.getByRole('button', { name: 'Add a currency' }).click();
    await form.getByLabel('Currency 2').fill('EUR');
    await form.getByLabel('Price (EUR)').fill('-1');
    await form.getByRole('button', { name: 'Add offering' }).click();
    await form.getByRole('alert').getByText(/must be greater than zero/).waitFor();
    assert.deepEqual((await get('/offerings')).items, []);
    await form.getByLabel('Price (EUR)').fill('37.50');
    await form.getByRole('button', { name: 'Add offering' }).click();
    await page.getByRole('status').getByText('Offering added.').waitFor();
    let [offering] = (await get('/offerings')).items;
    assert.deepEqual([offering.currency, offering.prices], [
      'USD',
      [
        { currency: 'USD', price: 4000, bounds: { min: 3000, max: 8000 } },
        { currency: 'EUR', price: 3750, bounds: null },
      ],
    ]);

    // Every currency is shown to edit: EUR changes, USD goes, GBP comes.
    await page.getByRole('button', { name: 'Edit Bug fix' }).click();
    const edit = page.getByRole('form', { name: 'Edit Bug fix' });
    assert.equal(await edit.getByLabel('Price (EUR)').inputValue(), '37.50');
    await edit.getByLabel('Price (EUR)').fill('39');
    await edit.getByRole('button', { name: 'Remove the USD price' }).click();
    await edit.getByRole('button', { name: 'Add a currency' }).click();
    await edit.getByLabel('Currency 2').fill('gbp');
    await edit.getByLabel('Price (GBP)').fill('33');
    await edit.getByRole('button', { name: 'Save offering' }).click();
    await page.getByRole('status').getByText('Bug fix saved.').waitFor();
    [offering] = (await get('/offerings')).items;
    assert.deepEqual([offering.currency, offering.prices.map((price: { currency: string; price: number }) => [price.currency, price.price])], ['EUR', [['EUR', 3900], ['GBP', 3300]]]);

    // A plan priced in two currencies, one of them then removed.
    assert.equal((await repo.maintainer.api.post(api('/sla-policies'), { name: 'Basic', targets: { urgent: { firstResponse: 60 } } })).status, 201);
    await open(page, 'plans', 'Plans & SLA');
    const planForm = page.getByRole('form', { name: 'New plan' });
    await planForm.getByLabel('Plan name').fill('Team');
    await planForm.getByLabel('Price per month (USD)').fill('500');
    await planForm.getByRole('button', { name: 'Add a currency' }).click();
    await planForm.getByLabel('Currency 2').fill('EUR');
    await planForm.getByLabel('Price per month (EUR)').fill('450');
    await planForm.getByLabel('Included hours per period').fill('10');
    await planForm.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('status').getByText('Plan Team saved.').waitFor();
    const byCurrency = (a: { currency: string }, b: { currency: string }) => a.currency.localeCompare(b.currency);
    assert.deepEqual((await get('/plans')).items[0].prices.sort(byCurrency), [
      { currency: 'EUR', amount: 45_000 },
      { currency: 'USD', amount: 50_000 },
    ]);
    await page.getByRole('button', { name: 'Edit plan Team' }).click();
    const planEdit = page.getByRole('form', { name: 'Edit plan Team' });
    await planEdit.getByRole('button', { name: 'Remove the USD price' }).click();
    await planEdit.getByRole('button', { name: 'Save plan' }).click();
    // The notice reads as it did after the creation: the edit form closing is what says this save is done.
    await planEdit.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('Plan Team saved.').waitFor();
    assert.deepEqual((await get('/plans')).items[0].prices, [{ currency: 'EUR', amount: 45_000 }]);

    // Consulting: a second rate added to a service.
    await open(page, 'consulting', 'Consulting catalogue');
    const serviceForm = page.getByRole('form', { name: 'New consulting service' });
    await serviceForm.getByLabel('Name').fill('Audit');
    await serviceForm.getByLabel('Hourly rate (USD)').fill('200');
    await serviceForm.getByRole('button', { name: 'Add service' }).click();
    await page.getByRole('status').getByText('Service added.').waitFor();
    await page.getByRole('button', { name: 'Edit Audit' }).click();
    const serviceEdit = page.getByRole('form', { name: 'Edit Audit' });
    await serviceEdit.getByRole('button', { name: 'Add a currency' }).click();
    await serviceEdit.getByLabel('Currency 2').fill('EUR');
    await serviceEdit.getByLabel('Hourly rate (EUR)').fill('180');
    await serviceEdit.getByRole('button', { name: 'Save service' }).click();
    await page.getByRole('status').getByText(/saved/).waitFor();
    assert.deepEqual((await get('/consulting-services')).items[0].rates.sort(byCurrency), [
      { currency: 'EUR', hourlyRate: 18_000 },
      { currency: 'USD', hourlyRate: 20_000 },
    ]);
    await ctx.checkAccessibility(page, 'settings consulting currencies');
    await ctx.screenshot(page, 'settings-consulting-currencies');

    // The offerings page with two currencies still fits a phone.
    const phone = await ctx.newPage(PHONE);
    await ctx.signIn(phone, repo.maintainer.email, `/dashboard/${repo.fullName}/settings/offerings`);
    await phone.getByRole('button', { name: 'Edit Bug fix' }).click();
    await phone.getByRole('form', { name: 'Edit Bug fix' }).waitFor();
    assert.equal(await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
    await ctx.screenshot(phone, 'settings-offering-currencies-phone');
    ctx.assertNoPageProblems();
  });

  test('an application is rejected and an approved helper removed', async () => {
    const applicant = await createUser(ctx, { name: 'Rex Rejected' });
    assert.equal((await applicant.api.post(api('/helpers/applications'), { pitch: 'I would like to help.' })).status, 201);
    const helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Hal Helper' }));
    const page = await ctx.newPage();
    await ctx.signIn(page, repo.maintainer.email, `/dashboard/${repo.fullName}/settings/helpers`);
    await page.getByRole('heading', { name: 'Helpers', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Reject Rex Rejected' }).click();
    await page.getByRole('status').getByText('Rex Rejected: rejected.').waitFor();
    await page.getByRole('button', { name: 'Remove Hal Helper' }).click();
    await page.getByRole('status').getByText('Hal Helper: removed.').waitFor();
    const statuses = Object.fromEntries((await get('/helpers')).items.map((item: { userId: string; status: string }) => [item.userId, item.status]));
    assert.deepEqual([statuses[applicant.id], statuses[helper.id]], ['rejected', 'removed']);
    ctx.assertNoPageProblems();
  });
});
