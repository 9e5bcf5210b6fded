import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { formatMoney, toDecimal } from '../../src/modules/invoices/invoices.money.ts';
import { startBrowserApp, type BrowserContext } from '../helpers/browser.ts';
import { createUser, type TestUser } from '../helpers/factories.ts';
import { pdfText } from '../helpers/invoices.ts';

const FULL_NAME = 'lumen-ui/lumen';
const TITLE = 'Dark theme ignores my palette';
const QUESTION = 'How do I change the theme colors?';
const FAQ_ANSWER = 'Wrap the app in `<ThemeProvider theme={dark}>` and pass your palette as `theme.colors`.';

/**
 * The quoted price and how it splits, worked out by hand from the rules (floor of each rate, the rest to
 * the helper): 123.45 EUR at the 12.5% commission the maintainer sets, the default 5% platform fee and the
 * test-mode processor's 2.9% + 0.30. The test-mode seller charges no VAT, so the price is all split.
 */
const PRICE = { amount: 12_345, commission: 1_543, platformFee: 617, processorFee: 388, helper: 9_797 };
const eur = (amount: number) => formatMoney(amount, 'EUR', 'en-US');

/** A section of the repository's settings, opened from the settings' own navigation. */
async function openSettings(page: Page, label: string, heading: string) {
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: label }).click();
  await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
}

/**
 * Issue 7's journey, all of it in the browser, each person in a browser of their own signed in through
 * the email link: a maintainer sets up a repository and approves a helper; a customer asks, is not helped
 * by the AI, escalates, accepts a quote and pays in test mode; the helper claims, replies, logs time and
 * resolves; the customer confirms and rates; the maintainer finds the ticket's money on the dashboard and
 * in the downloads. Reads through the API only check what the pages stored; every step is a page.
 */
describe('web: the whole journey, from a registered repository to its revenue statement', () => {
  let ctx: BrowserContext;
  let maintainer: TestUser;
  let operator: TestUser;
  let helper: TestUser;
  let customer: TestUser;

  before(async () => {
    ctx = await startBrowserApp();
    maintainer = await createUser(ctx, { name: 'Mira Maintainer' });
    operator = await createUser(ctx, { operator: true });
    helper = await createUser(ctx, { name: 'Ada Helper' });
    customer = await createUser(ctx, { name: 'Sam Customer' });
  });
  after(async () => ctx?.close());

  /** Each new page: axe and the keyboard walk find nothing, and a screenshot is kept for reviewers. */
  async function look(page: Page, name: string) {
    await ctx.checkAccessibility(page, name);
    await ctx.screenshot(page, `journey-${name}`);
  }

  test('maintainer, operator, helper and customer walk the whole journey in their browsers; the money adds up in the dashboard, the CSVs and the PDF', async () => {
    // ── The maintainer registers the repository in the web form.
    const mira = await ctx.newPage();
    await ctx.signIn(mira, maintainer.email, '/portal');
    await mira.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My repositories' }).click();
    await mira.getByRole('heading', { name: 'My repositories', level: 1 }).waitFor();
    const register = mira.getByRole('form', { name: 'Register a repository' });
    await register.getByLabel('Repository').fill(FULL_NAME);
    await register.getByLabel('Language').fill('TypeScript');
    await register.getByLabel('Description').fill('Accessible UI components');
    await register.getByRole('button', { name: 'Register repository' }).click();
    await mira.getByRole('status').getByText(`${FULL_NAME} is registered`).waitFor();
    const card = mira.getByRole('listitem').filter({ has: mira.getByRole('heading', { name: FULL_NAME }) });
    await card.getByText('pending operator approval').waitFor();
    await look(mira, 'my-repositories');

    // ── The operator approves the claim on the operator pages.
    const olga = await ctx.newPage();
    await ctx.signIn(olga, operator.email, '/portal');
    await olga.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operator' }).click();
    const claimRow = olga.getByRole('region', { name: 'Repository claims' }).getByRole('row', { name: new RegExp(FULL_NAME) });
    await claimRow.getByRole('button', { name: `Approve ${FULL_NAME}` }).click();
    await olga.getByText(`${FULL_NAME} is verified and listed in the directory.`).waitFor();
    await mira.reload();
    await card.getByText('verified').waitFor();

    // ── Settings: experts and AI on, 12.5% commission in EUR.
    await card.getByRole('link', { name: 'Settings' }).click();
    await mira.getByRole('heading', { name: `Settings: ${FULL_NAME}`, level: 1 }).waitFor();
    await mira.getByLabel('Paid experts').check();
    await mira.getByLabel('AI answers from the docs').check();
    await mira.getByLabel('Commission (%)').fill('12.5');
    await mira.getByLabel('Currency').fill('EUR');
    await mira.getByRole('button', { name: 'Save settings' }).click();
    await mira.getByRole('status').getByText('Settings saved.').waitFor();
    await look(mira, 'settings-general');
    const stored = (await maintainer.api.get(`/api/v1/repos/${FULL_NAME}`)).body;
    assert.deepEqual([stored.commissionBps, stored.offerings, stored.currency], [1250, { ai: true, community: true, expert: true }, 'EUR']);

    // ── A FAQ entry the AI can answer from, indexed by its job.
    await openSettings(mira, 'Knowledge & AI', 'Knowledge & AI');
    await mira.getByLabel('Question', { exact: true }).fill('How do I change the theme?');
    await mira.getByLabel('Answer (Markdown)').fill(FAQ_ANSWER);
    await mira.getByRole('button', { name: 'Add', exact: true }).click();
    await mira.getByRole('status').getByText('FAQ entry added').waitFor();
    await ctx.jobs.drain();
    await look(mira, 'settings-knowledge');

    // ── An offering customers see on the support site.
    await openSettings(mira, 'Offerings & prices', 'Offerings & prices');
    const newOffering = mira.getByRole('form', { name: 'New offering' });
    await newOffering.getByLabel('Name', { exact: true }).fill('Bug fix');
    await newOffering.getByLabel('Price (EUR)').fill('49.00');
    await newOffering.getByRole('button', { name: 'Add offering' }).click();
    await mira.getByRole('status').getByText('Offering added.').waitFor();
    await look(mira, 'settings-offerings');

    // ── A would-be helper applies from the helper console; the maintainer approves in the settings.
    const ada = await ctx.newPage();
    await ctx.signIn(ada, helper.email, '/console');
    await ada.getByText('You are not an approved helper of any repository yet.').waitFor();
    await ada.getByLabel('Repository (owner/name)').fill(FULL_NAME);
    await ada.getByLabel('Why you can help').fill('I wrote the theming layer of Lumen.');
    await ada.getByRole('button', { name: 'Apply' }).click();
    await ada.getByText(`Application sent to the maintainers of ${FULL_NAME}.`).waitFor();
    await look(ada, 'console-apply');

    await openSettings(mira, 'Helpers', 'Helpers');
    await mira.getByRole('button', { name: 'Approve Ada Helper' }).click();
    await mira.getByRole('status').getByText('Ada Helper: approved.').waitFor();
    await look(mira, 'settings-helpers');

    // ── The customer asks on the support site: the AI answers from the FAQ, with the FAQ as its source.
    const sam = await ctx.newPage();
    await ctx.signIn(sam, customer.email, `/s/${FULL_NAME}`);
    await sam.getByRole('heading', { name: `Support for ${FULL_NAME}`, level: 1 }).waitFor();
    await sam.getByRole('heading', { name: 'Bug fix' }).waitFor();
    await sam.locator('.offering .price', { hasText: eur(4_900) }).waitFor();
    await sam.getByRole('listitem').filter({ hasText: 'Ada Helper' }).waitFor();
    await look(sam, 'support-site');
    await sam.getByLabel('Your question').fill(QUESTION);
    await sam.getByRole('button', { name: 'Ask', exact: true }).click();
    const answer = sam.getByTestId('answer');
    await answer.getByText('ThemeProvider').first().waitFor();
    await answer.getByRole('link', { name: 'FAQ › How do I change the theme?' }).waitFor();

    // It did not help: the verdict is stored (the dashboard shows it at the end); the question escalates to an expert ticket.
    await answer.getByRole('button', { name: 'No, it did not' }).click();
    await answer.getByRole('status').getByText('Sorry it did not help').waitFor();
    await look(sam, 'support-site-answer');
    await answer.getByRole('button', { name: 'Ask an expert' }).click();
    // The form is filled from the draft once it renders: wait for that, then read it.
    await sam.waitForFunction((expected) => (document.getElementById('ticket-title') as HTMLInputElement | null)?.value === expected, QUESTION, { timeout: 10_000 }).catch(() => {});
    assert.equal(await sam.getByLabel('Title').inputValue(), QUESTION, 'the question becomes the ticket');
    assert.match(await sam.getByLabel('What do you need? (Markdown)').inputValue(), /The AI answered:[\s\S]*ThemeProvider/);
    assert.equal(await sam.getByLabel('A paid expert approved by the maintainers').isChecked(), true);
    await sam.getByLabel('Title').fill(TITLE);
    await sam.getByRole('button', { name: 'Open ticket' }).click();
    await sam.waitForURL(/\/portal\/tickets\//);
    const ticketId = sam.url().split('/').pop()!;
    await sam.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
    await look(sam, 'ticket-opened');

    // ── The helper, now approved, finds it in the console's queue, claims, replies and quotes.
    await ctx.jobs.drain();
    await ada.goto('/console');
    const queue = ada.getByRole('region', { name: 'Queue' });
    await queue.getByRole('link', { name: TITLE }).waitFor();
    await look(ada, 'console-queue');
    await ada.getByRole('button', { name: `Claim “${TITLE}”` }).click();
    await ada.waitForURL(`**/console/tickets/${ticketId}`);
    await ada.getByText('helped by you').waitFor();
    await ada.getByLabel('Reply (Markdown)').fill('Your palette needs the **colors** key. I can fix it for you.');
    await ada.getByRole('button', { name: 'Send reply' }).click();
    await ada.locator('.message strong', { hasText: 'colors' }).waitFor();
    await ada.getByLabel('Amount').fill(toDecimal(PRICE.amount, 'EUR'));
    await ada.getByLabel('Currency').fill('EUR');
    await ada.getByLabel('What the price covers').fill('Move your palette to theme.colors and check every component');
    await ada.getByLabel('Estimated minutes').fill('60');
    await ada.getByRole('button', { name: 'Send quote' }).click();
    await ada.getByText('Quote sent').waitFor();
    await ada.locator('.price', { hasText: eur(PRICE.amount) }).waitFor();
    await look(ada, 'console-ticket');

    // ── The customer reads the reply, accepts the quote and pays on the test-mode payment page.
    await sam.reload();
    await sam.locator('.message strong', { hasText: 'colors' }).waitFor();
    await sam.getByRole('button', { name: 'Accept and pay' }).waitFor();
    await look(sam, 'ticket-quote');
    await sam.getByRole('button', { name: 'Accept and pay' }).click();
    await sam.waitForURL(/\/pay\/sandbox\//);
    await sam.getByText('TEST MODE').waitFor();
    await look(sam, 'sandbox-payment');
    await Promise.all([sam.waitForNavigation(), sam.getByRole('button', { name: new RegExp(`Pay .*${toDecimal(PRICE.amount, 'EUR').replace('.', '\\.')}`) }).click()]);
    // The test-mode payment is reported like a provider's webhook: recorded, then processed by a job.
    await ctx.jobs.drain();
    await sam.reload();
    await sam.getByText('This payment is held').waitFor();
    await sam.getByRole('link', { name: 'Back to the ticket' }).click();
    await sam.getByRole('heading', { name: 'Payments' }).waitFor();
    await sam.locator('.badge', { hasText: 'held' }).waitFor();

    // ── The helper sees the money held, logs time and resolves.
    await ada.reload();
    await ada.getByText('Held in escrow until the customer confirms the work is done.').waitFor();
    await ada.getByLabel('Minutes', { exact: true }).fill('50');
    await ada.getByLabel('What you did (optional)').fill('Moved the palette and checked every component');
    await ada.getByRole('button', { name: 'Log time' }).click();
    await ada.getByText('Total: 50 min').waitFor();
    await ada.getByLabel('What solved it (the customer reads this)').fill('The palette now lives under theme.colors.');
    await ada.getByRole('button', { name: 'Resolve' }).click();
    await ada.getByRole('status').filter({ hasText: 'Resolved: The palette now lives under theme.colors.' }).waitFor();
    await ctx.screenshot(ada, 'journey-console-ticket-resolved');

    // ── The customer confirms (the money is released) and rates.
    await sam.reload();
    await sam.getByText('Resolved: The palette now lives under theme.colors.').waitFor();
    await sam.getByRole('button', { name: 'Confirm it is solved' }).click();
    await sam.getByRole('group', { name: 'How was the help?' }).waitFor();
    await sam.getByLabel('4 stars').check();
    await sam.getByLabel('Comment (optional)').fill('Quick and clear.');
    await sam.getByRole('button', { name: 'Send rating' }).click();
    await sam.getByText('You rated this 4/5: “Quick and clear.”').waitFor();
    await ctx.jobs.drain();
    await look(sam, 'ticket-confirmed');
    const ticket = (await customer.api.get(`/api/v1/tickets/${ticketId}`)).body;
    assert.deepEqual([ticket.status, ticket.rating?.score], ['closed', 4]);
    const [payment] = (await customer.api.get(`/api/v1/tickets/${ticketId}/payments`)).body.items;
    assert.deepEqual([payment.status, payment.amount, payment.currency], ['released', PRICE.amount, 'EUR']);

    // ── The maintainer's dashboard: this ticket is the period's value, and its commission is the repository's.
    await mira.goto('/portal');
    await mira.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: `Dashboard ${FULL_NAME}` }).click();
    await mira.getByRole('heading', { name: `Dashboard: ${FULL_NAME}`, level: 1 }).waitFor();
    const tile = (label: string) => mira.getByRole('list', { name: 'Figures of the period' }).getByRole('listitem').filter({ hasText: label });
    await tile('Value released').getByText(eur(PRICE.amount), { exact: true }).waitFor();
    await tile('Commission earned').getByText(eur(PRICE.commission), { exact: true }).waitFor();
    await tile('Platform fees').getByText(eur(PRICE.platformFee), { exact: true }).waitFor();
    await tile('Processor fees').getByText(eur(PRICE.processorFee), { exact: true }).waitFor();
    await tile('Satisfaction').getByText('4 / 5', { exact: true }).waitFor();
    // The customer's "No, it did not" under the AI answer: no deflection, and the question is listed for the docs.
    await tile('AI deflection').getByText('0%', { exact: true }).waitFor();
    await mira.getByRole('listitem').filter({ hasText: `${QUESTION} (1×)` }).waitFor();
    const helperRow = mira.getByRole('row', { name: /Ada Helper/ });
    assert.match(await helperRow.innerText(), new RegExp(`1\\s+1\\s+50 min\\s+${eur(PRICE.helper).replace('$', '\\$')}\\s+4 \\(1\\)`));
    await look(mira, 'dashboard');

    // The stats CSV has the same figures.
    const download = async (link: string, nth: 'first' | 'last') => {
      const anchor = mira.getByRole('link', { name: link, exact: true })[nth]();
      const response = await mira.request.get(String(await anchor.getAttribute('href')));
      assert.equal(response.status(), 200, `${link} download`);
      return response;
    };
    const stats: Array<Record<string, string>> = parse(await (await download('CSV', 'first')).text(), { columns: true });
    const figure = (section: string, metric: string) => stats.find((row) => row.section === section && row.metric === metric)?.current;
    assert.deepEqual(
      { value: figure('money', 'value'), commission: figure('money', 'commission'), helper: figure('money', 'helper_earnings'), rated: figure('satisfaction', 'average') },
      { value: toDecimal(PRICE.amount, 'EUR'), commission: toDecimal(PRICE.commission, 'EUR'), helper: toDecimal(PRICE.helper, 'EUR'), rated: '4' },
    );

    // The revenue statement as CSV: the ticket's line, the whole price and the commission as the repository's net.
    const statement: Array<Record<string, string>> = parse(await (await download('CSV', 'last')).text(), { columns: true });
    const line = statement.find((row) => row.ticket_id === ticketId);
    assert.ok(line, 'the ticket is a line of the revenue statement');
    assert.deepEqual(
      [line.kind, line.ticket_title, line.currency, line.gross, line.commission, line.platform_fee, line.processor_fee, line.net],
      ['release', TITLE, 'EUR', toDecimal(PRICE.amount, 'EUR'), toDecimal(PRICE.commission, 'EUR'), toDecimal(PRICE.platformFee, 'EUR'), toDecimal(PRICE.processorFee, 'EUR'), toDecimal(PRICE.commission, 'EUR')],
    );

    // And as a PDF, read back as text.
    const pdf = await download('PDF', 'last');
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    const text = await pdfText(await pdf.body());
    assert.ok(text.includes('Revenue statement'), 'it is the revenue statement');
    assert.ok(text.includes(TITLE), 'the PDF names the ticket');
    for (const amount of [PRICE.amount, PRICE.commission, PRICE.platformFee, PRICE.processorFee]) {
      assert.ok(text.includes(formatMoney(amount, 'EUR')), `the PDF shows ${formatMoney(amount, 'EUR')}`);
    }
    ctx.assertNoPageProblems();
  });
});
