import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startBrowserApp, PHONE, type BrowserContext } from '../helpers/browser.ts';
import { createRepo, createUser, type TestUser } from '../helpers/factories.ts';
import { approvedHelper, openTicket } from '../helpers/support.ts';

const ALL_DAY = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [day, [{ start: '00:00', end: '24:00' }]]));

describe("web: sessions on the customer's ticket page", () => {
  let ctx: BrowserContext;
  let customer: TestUser;
  let helper: TestUser;
  let ticketId: string;
  let slots: string[];

  before(async () => {
    ctx = await startBrowserApp();
    const repo = await createRepo(ctx);
    helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Grace Helper' }));
    assert.equal((await helper.api.put('/api/v1/helpers/me/availability', { timeZone: 'UTC', weeklyHours: ALL_DAY })).status, 200);
    customer = await createUser(ctx, { name: 'Sam Customer' });
    ticketId = (await openTicket(customer, repo, { title: 'Workers crash at night' })).id;
    const now = ctx.clock.now().getTime();
    const found = await customer.api.get(`/api/v1/helpers/${helper.id}/slots?from=${new Date(now).toISOString()}&to=${new Date(now + 3 * 86_400_000).toISOString()}&minutes=30&tz=UTC`);
    slots = found.body.items.map((slot: { startUtc: string }) => slot.startUtc);
    assert.ok(slots.length > 20, JSON.stringify(found.body));
  });
  after(async () => ctx?.close());

  const book = async (start: string) => {
    const booked = await customer.api.post('/api/v1/bookings', { helperId: helper.id, ticketId, start, minutes: 30, tz: 'Europe/Paris' });
    assert.equal(booked.status, 201, JSON.stringify(booked.body));
    return booked.body as { id: string; start: string };
  };
  /** How the page shows an instant: the browser's own zone and locale, as lib/format.ts does. */
  const shown = (page: Awaited<ReturnType<BrowserContext['newPage']>>, iso: string) =>
    page.evaluate((value) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value)), iso);

  test('the customer sees sessions in their zone, downloads the invitation, moves one to another free time and cancels one late', async () => {
    const now = ctx.clock.now().getTime();
    // Moving is free until 24 hours before (the platform's notice): one session inside it, one well after.
    const soon = await book(slots[0]);
    const later = await book(slots.find((slot) => Date.parse(slot) > now + 30 * 3_600_000)!);
    const target = slots.find((slot) => Date.parse(slot) > now + 40 * 3_600_000)!;
    const page = await ctx.newPage();
    await ctx.signIn(page, customer.email, `/portal/tickets/${ticketId}`);
    await page.getByRole('heading', { name: 'Scheduled sessions' }).waitFor();
    const cards = page.getByRole('region', { name: 'Scheduled sessions' }).getByRole('listitem');
    assert.equal(await cards.count(), 2);
    assert.match(await cards.nth(0).innerText(), new RegExp(`${escape(await shown(page, soon.start))}[\\s\\S]*30 min with Grace Helper`));
    assert.match(await cards.nth(0).innerText(), /Inside the cancellation notice/);
    assert.equal(await cards.nth(0).getByRole('button', { name: /^Reschedule/ }).count(), 0, 'too late to move');
    await ctx.checkAccessibility(page, 'ticket sessions');
    await ctx.screenshot(page, 'ticket-sessions');

    const invite = await page.request.get(String(await cards.nth(1).getByRole('link', { name: /^Add to calendar/ }).getAttribute('href')));
    assert.equal(invite.status(), 200);
    assert.match(invite.headers()['content-type'], /text\/calendar/);
    assert.match(await invite.text(), /BEGIN:VEVENT/);

    // Move the later session to a free time the picker offers.
    await cards.nth(1).getByRole('button', { name: /^Reschedule/ }).click();
    const picker = cards.nth(1).getByLabel('New time');
    await picker.locator('option', { hasText: await shown(page, target) }).waitFor({ state: 'attached' });
    await picker.selectOption(target);
    await cards.nth(1).getByRole('button', { name: 'Move session' }).click();
    await cards.nth(1).getByText(await shown(page, target), { exact: true }).waitFor();
    assert.equal((await customer.api.get(`/api/v1/bookings/${later.id}`)).body.start, target);

    await cards.nth(0).getByRole('button', { name: /^Cancel session/ }).click();
    await cards.nth(0).locator('.badge', { hasText: 'cancelled' }).waitFor();
    await cards.nth(0).getByText('Cancelled late.').waitFor();
    assert.equal((await customer.api.get(`/api/v1/bookings/${soon.id}`)).body.status, 'cancelled');
    assert.equal(await cards.nth(0).getByRole('button').count(), 0, 'a cancelled session offers nothing more');
    ctx.assertNoPageProblems();
  });

  test('around its time the session is joined and ended; the page fits a phone', async () => {
    const booking = await book(slots[4]);
    const fiveBefore = Date.parse(booking.start) - 5 * 60_000;
    ctx.clock.set(new Date(fiveBefore));
    const page = await ctx.newPage(PHONE);
    await ctx.signIn(page, customer.email, '/portal');
    // The page decides what to offer by the browser's clock, the API by the server's: both five minutes before.
    await page.clock.install({ time: fiveBefore });
    await page.goto(`/portal/tickets/${ticketId}`);
    const card = page.getByRole('region', { name: 'Scheduled sessions' }).getByRole('listitem').filter({ hasText: await shown(page, booking.start) });
    await card.getByRole('button', { name: /^Join session/ }).click();
    await card.getByText(/Session in progress/).waitFor();
    ctx.clock.set(new Date(fiveBefore + 25 * 60_000));
    await card.getByRole('button', { name: /^End session/ }).click();
    await card.getByText('Session held: 25 min metered.').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false);
    await ctx.checkAccessibility(page, 'ticket sessions on a phone');
    ctx.assertNoPageProblems();
  });
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
