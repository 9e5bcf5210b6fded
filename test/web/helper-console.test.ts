import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { formatMoney, toDecimal } from '../../src/modules/invoices/invoices.money.ts';
import { acceptAndPay } from '../../src/modules/payments/test-support.ts';
import { startBrowserApp, PHONE, type BrowserContext } from '../helpers/browser.ts';
import { createRepo, createUser, type TestUser } from '../helpers/factories.ts';
import { createPolicy } from '../helpers/plans.ts';
import { approvedHelper, openTicket, type Repo } from '../helpers/support.ts';

const HOUR = 3_600_000;

/** A round-the-clock SLA policy made the repository's default: every new normal ticket gets its clock. */
async function defaultPolicy(repo: Repo, firstResponseMinutes: number) {
  const policyId = await createPolicy(repo, { normal: { firstResponse: firstResponseMinutes, resolution: 1440 } });
  assert.equal((await repo.maintainer.api.put(`/api/v1/repos/${repo.fullName}/sla-policies/default`, { policyId })).status, 200);
}

const queueTitles = async (page: Page) => page.getByRole('region', { name: 'Queue' }).locator('tbody tr td:first-child a').allInnerTexts();

describe('web: the helper console', () => {
  let ctx: BrowserContext;
  let quarry: Repo;
  let lumen: Repo;
  let helper: TestUser;
  let customer: TestUser;
  let ticketId: string;

  before(async () => {
    ctx = await startBrowserApp();
    quarry = await createRepo(ctx, { fullName: 'quarry/quarry' });
    lumen = await createRepo(ctx, { fullName: 'lumen/lumen' });
    await defaultPolicy(quarry, 120);
    await defaultPolicy(lumen, 30);
    helper = await createUser(ctx, { name: 'Ada Helper' });
    await approvedHelper(ctx, quarry, helper);
    await approvedHelper(ctx, lumen, helper);
    customer = await createUser(ctx, { name: 'Sam Customer' });
    // Opened three hours ago with two hours to a first response: an hour overdue now. The page counts
    // from the browser's clock, so the app's clock is set to the real time first.
    const now = new Date();
    ctx.clock.set(new Date(now.getTime() - 3 * HOUR));
    await openTicket(customer, quarry, { title: 'Index corrupted' });
    ctx.clock.set(now);
    await openTicket(customer, quarry, { title: 'Slow queries' });
    ticketId = (await openTicket(customer, lumen, { title: 'Backoff does not double' })).id;
  });
  after(async () => ctx?.close());

  test('a helper works a ticket from the queue: ordered by SLA time left across two repositories, claim, reply, note, quote, time, resolve', async () => {
    const page = await ctx.newPage();
    await ctx.signIn(page, helper.email, '/portal');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Helper console' }).click();
    await page.getByRole('heading', { name: 'Helper console' }).waitFor();
    await page.getByRole('region', { name: 'Queue' }).waitFor();
    assert.deepEqual(await queueTitles(page), ['Index corrupted', 'Backoff does not double', 'Slow queries'], 'least SLA time left first, across repositories');
    const rows = page.getByRole('region', { name: 'Queue' }).locator('tbody tr');
    assert.match(await rows.nth(0).innerText(), /Overdue by 1 h/, 'overdue is said in words');
    // A slow machine may take a minute or two from opening the tickets to showing them.
    assert.match(await rows.nth(1).innerText(), /lumen\/lumen[\s\S]*Due in (2[5-9]|30) min/);
    assert.match(await rows.nth(2).innerText(), /quarry\/quarry[\s\S]*Due in (1 h 5\d min|2 h)/);
    await ctx.checkAccessibility(page, 'console queue');
    await ctx.screenshot(page, 'console-queue');

    // One repository at a time, filtered by the API and kept in the address.
    await page.getByLabel('Repository', { exact: true }).selectOption('quarry/quarry');
    await page.waitForURL(/repo=quarry%2Fquarry/);
    await page.getByRole('region', { name: 'Queue' }).getByRole('link', { name: 'Backoff does not double' }).waitFor({ state: 'detached' });
    assert.deepEqual(await queueTitles(page), ['Index corrupted', 'Slow queries']);
    await page.getByLabel('Repository', { exact: true }).selectOption('');
    await page.getByRole('region', { name: 'Queue' }).getByRole('link', { name: 'Backoff does not double' }).waitFor();

    await page.getByRole('button', { name: 'Claim “Backoff does not double”' }).click();
    await page.waitForURL(`**/console/tickets/${ticketId}`);
    await page.getByRole('heading', { name: 'Backoff does not double' }).waitFor();
    await page.getByText('helped by you').waitFor();

    await page.getByLabel('Reply (Markdown)').fill('Which **version** do you run?');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.message strong', { hasText: 'version' }).waitFor();
    await page.getByLabel(/Internal note: only the repository/).check();
    await page.getByLabel('Internal note (Markdown)').fill('Probably the retry jitter setting.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.message.internal', { hasText: 'retry jitter' }).getByText('internal note').waitFor();
    const seenByCustomer = (await customer.api.get(`/api/v1/tickets/${ticketId}/messages`)).body.items.map((message: { body: string }) => message.body);
    assert.deepEqual(seenByCustomer, ['Which **version** do you run?'], 'the customer never sees the note');

    // A quote: a wrong amount is refused on the page, then sent.
    await page.getByLabel('Amount').fill('12O');
    await page.getByLabel('Currency').fill('USD');
    await page.getByLabel('What the price covers').fill('Find and fix the backoff setting');
    await page.getByLabel('Estimated minutes').fill('90');
    await page.getByRole('button', { name: 'Send quote' }).click();
    await page.getByRole('alert').getByText('Amount: write a positive amount of USD').waitFor();
    await page.getByLabel('Amount').fill('120.00');
    await page.getByRole('button', { name: 'Send quote' }).click();
    await page.getByText('Quote sent').waitFor();
    await page.getByRole('heading', { name: 'Quotes' }).waitFor();
    await page.locator('.price', { hasText: '$120.00' }).waitFor();
    const [quote] = (await helper.api.get(`/api/v1/tickets/${ticketId}/quotes`)).body.items;
    assert.deepEqual([quote.amount, quote.currency, quote.estimatedMinutes], [12_000, 'USD', 90]);
    await ctx.checkAccessibility(page, 'console ticket');
    await ctx.screenshot(page, 'console-ticket');

    // The customer accepts and pays in test mode; the helper sees the money held.
    await acceptAndPay(customer, quote.id);
    await page.reload();
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    await page.getByText('Held in escrow until the customer confirms the work is done.').waitFor();

    await page.getByLabel('Minutes', { exact: true }).fill('45');
    await page.getByLabel('What you did (optional)').fill('Reproduced and fixed the jitter');
    await page.getByRole('button', { name: 'Log time' }).click();
    await page.getByText('Total: 45 min').waitFor();
    await page.getByLabel('What solved it (the customer reads this)').fill('Set backoff.multiplier to 2.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('status').filter({ hasText: 'Resolved: Set backoff.multiplier to 2.' }).waitFor();
    const resolved = (await helper.api.get(`/api/v1/tickets/${ticketId}`)).body;
    assert.equal(resolved.status, 'resolved');
    assert.equal((await helper.api.get(`/api/v1/tickets/${ticketId}/time-entries`)).body.totalMinutes, 45);
    assert.equal(await page.getByRole('button', { name: 'Send quote' }).count(), 0, 'a resolved ticket takes no more quotes');
    await ctx.screenshot(page, 'console-ticket-resolved');
    ctx.assertNoPageProblems();
  });

  test('the helper sets a weekly availability, is told what is wrong, and finds it saved', async () => {
    const page = await ctx.newPage();
    await ctx.signIn(page, helper.email, '/console/availability');
    await page.getByRole('heading', { name: 'Availability' }).waitFor();
    await page.getByText('Not published yet').waitFor();
    await page.getByLabel('Time zone').selectOption('Europe/Paris');
    const monday = page.getByRole('group', { name: 'Monday' });
    await monday.getByRole('button', { name: 'Add hours on Monday' }).click();
    await monday.getByLabel('To').fill('12:00');
    await monday.getByRole('button', { name: 'Add hours on Monday' }).click();
    await monday.getByLabel('From').nth(1).fill('13:00');
    await monday.getByLabel('To').nth(1).fill('17:00');
    const tuesday = page.getByRole('group', { name: 'Tuesday' });
    await tuesday.getByRole('button', { name: 'Add hours on Tuesday' }).click();
    await tuesday.getByLabel('From').fill('10:00');
    await tuesday.getByLabel('To').fill('08:00');
    await page.getByRole('button', { name: 'Save availability' }).click();
    assert.match(await page.getByRole('alert').innerText(), /tuesday[\s\S]*must end after it starts/);
    assert.equal((await helper.api.get('/api/v1/helpers/me/availability')).body.updatedAt, null, 'nothing saved');
    await tuesday.getByRole('button', { name: 'Remove Tuesday 10:00–08:00' }).click();
    await page.getByRole('button', { name: 'Save availability' }).click();
    await page.getByText('Availability saved.').waitFor();
    await ctx.checkAccessibility(page, 'availability');
    await ctx.screenshot(page, 'console-availability');

    await page.reload();
    await page.getByText('Last saved').waitFor();
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/Paris');
    const mondayAgain = page.getByRole('group', { name: 'Monday' });
    assert.deepEqual(await mondayAgain.getByLabel('From').evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value)), ['09:00', '13:00']);
    assert.equal(await page.getByRole('group', { name: 'Tuesday' }).getByText('Not available').count(), 1);
    const saved = (await helper.api.get('/api/v1/helpers/me/availability')).body;
    assert.equal(saved.timeZone, 'Europe/Paris');
    assert.deepEqual(saved.weeklyHours.monday, [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }]);
    assert.deepEqual(saved.weeklyHours.tuesday, []);
    ctx.assertNoPageProblems();
  });

  test('after the release the helper sees the balance, the payout with its statement, and downloads the period statement as CSV', async () => {
    assert.equal((await customer.api.post(`/api/v1/tickets/${ticketId}/confirm`)).status, 200);
    await ctx.jobs.drain();
    const statement = (await helper.api.get('/api/v1/helpers/me/statements?currency=USD')).body;
    const line = statement.lines.find((item: { ticket: { id: string } | null }) => item.ticket?.id === ticketId);
    assert.ok(line, 'the release is a line of this month');
    assert.equal(line.gross, 12_000);
    const usd = (amount: number) => formatMoney(amount, 'USD', 'en-US');

    const page = await ctx.newPage();
    await ctx.signIn(page, helper.email, '/console/earnings');
    await page.getByRole('heading', { name: 'Earnings' }).waitFor();
    const tile = page.getByRole('list', { name: 'Balance per currency' }).getByRole('listitem');
    assert.match(await tile.innerText(), new RegExp(`Owed to you in USD\\s+${usd(line.net).replace('$', '\\$')}`));
    const statementRow = page.getByRole('region', { name: 'Statement lines' }).getByRole('row', { name: /Backoff does not double/ });
    assert.match(await statementRow.innerText(), new RegExp(`\\$120\\.00[\\s\\S]*${usd(line.net).replace('$', '\\$')}`));
    await page.getByText('No payouts yet.').waitFor();

    const csv = await page.request.get(String(await page.getByRole('link', { name: 'Download the statement as CSV' }).getAttribute('href')));
    assert.equal(csv.status(), 200);
    const text = await csv.text();
    assert.match(text, new RegExp(`release,${ticketId},Backoff does not double,.*,USD,120\\.00,${toDecimal(line.commission, 'USD')},${toDecimal(line.platformFee, 'USD')},${toDecimal(line.processorFee, 'USD')},${toDecimal(line.net, 'USD')}`));
    await ctx.checkAccessibility(page, 'earnings');
    await ctx.screenshot(page, 'console-earnings');

    // The payout run pays the balance (by bank transfer without Stripe); its statement lists the ticket.
    await ctx.services.payouts.runDue();
    await page.reload();
    const payoutRow = page.getByRole('region', { name: 'Payouts' }).getByRole('row').nth(1);
    assert.match(await payoutRow.innerText(), new RegExp(`${usd(line.net).replace('$', '\\$')}[\\s\\S]*pending manual`));
    const payoutCsv = await page.request.get(String(await payoutRow.getByRole('link', { name: /as CSV/ }).getAttribute('href')));
    assert.equal(payoutCsv.status(), 200);
    assert.match(await payoutCsv.text(), /Backoff does not double/);

    // Payout settings: a bad minimum is refused on the page; a good one is saved.
    await page.getByLabel('How often').selectOption('monthly');
    await page.getByLabel(/Minimum payout in USD/).fill('lots');
    await page.getByRole('button', { name: 'Save payout settings' }).click();
    await page.getByRole('alert').getByText(/Minimum in USD: write a positive amount/).waitFor();
    await page.getByLabel(/Minimum payout in USD/).fill('100');
    await page.getByRole('button', { name: 'Save payout settings' }).click();
    await page.getByText('Payout settings saved.').waitFor();
    assert.deepEqual((await helper.api.get('/api/v1/helpers/me/payout-settings')).body.minimums, { USD: 10_000 });
    assert.equal((await helper.api.get('/api/v1/helpers/me/payout-settings')).body.schedule, 'monthly');
    ctx.assertNoPageProblems();
  });

  test('someone who helps nowhere is told how to become a helper and applies; the console fits a phone', async () => {
    const page = await ctx.newPage(PHONE);
    await ctx.signIn(page, customer.email, '/console');
    await page.getByText('You are not an approved helper of any repository yet.').waitFor();
    await page.getByLabel('Repository (owner/name)').fill('quarry');
    await page.getByLabel('Why you can help').fill('I run quarry in production at scale.');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('alert').getByText('Repository: write it as owner/name').waitFor();
    await page.getByLabel('Repository (owner/name)').fill('quarry/quarry');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Application sent to the maintainers of quarry/quarry.').waitFor();
    await page.getByText("Waiting for a maintainer's decision: quarry/quarry.").waitFor();
    const applicants = (await quarry.maintainer.api.get(`/api/v1/repos/${quarry.fullName}/helpers`)).body.items;
    assert.ok(applicants.some((item: { userId: string; status: string }) => item.userId === customer.id && item.status === 'applied'));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'no horizontal scrolling at 375 px');
    await ctx.checkAccessibility(page, 'console for a non-helper');
    await ctx.screenshot(page, 'console-not-a-helper-phone');

    // The helper's queue on a phone: the table scrolls inside its own region, never the page.
    const helperPage = await ctx.newPage(PHONE);
    await ctx.signIn(helperPage, helper.email, '/console');
    await helperPage.getByRole('region', { name: 'Queue' }).waitFor();
    assert.equal(await helperPage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), 0);
    await ctx.screenshot(helperPage, 'console-queue-phone');
    ctx.assertNoPageProblems();
  });
});
