import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { acceptAndPay, approvedHelper, claimedTicket, sendQuote } from './test-support.ts';

describe('time entries: logged by the assignee, seen by the customer, billed to payments', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  test('the assignee logs whole minutes, 1 to 1440, while working or just after resolving; the customer sees the log', async () => {
    const { repo, helper, customer, url } = await claimedTicket(ctx);
    const other = await approvedHelper(ctx, repo);
    const logged = await helper.api.post(`${url}/time-entries`, { minutes: 45, note: 'Reproduced the leak' });
    assert.equal(logged.status, 201, JSON.stringify(logged.body));
    assert.equal(logged.body.minutes, 45);
    assert.equal(logged.body.helperId, helper.id);
    assert.equal(logged.body.paymentId, null);

    for (const minutes of [0, -3, 1441, 1.5, '30']) {
      const refused = await helper.api.post(`${url}/time-entries`, { minutes, note: 'x' });
      assert.equal(refused.status, 400, `${minutes}`);
      assert.equal(refused.body.error.details[0].path, 'body.minutes');
    }
    assert.equal((await customer.api.post(`${url}/time-entries`, { minutes: 10 })).status, 403);
    assert.equal((await other.api.post(`${url}/time-entries`, { minutes: 10 })).status, 403);
    assert.equal((await (await createUser(ctx)).api.post(`${url}/time-entries`, { minutes: 10 })).status, 404);

    assert.equal((await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' })).status, 200);
    assert.equal((await helper.api.post(`${url}/time-entries`, { minutes: 15, note: 'Wrap-up call' })).status, 201);
    assert.equal((await customer.api.post(`${url}/confirm`)).status, 200);
    const closed = await helper.api.post(`${url}/time-entries`, { minutes: 5 });
    assert.equal(closed.status, 409);
    assert.equal(closed.body.error.code, 'ticket_not_open_for_time');

    const seen = await customer.api.get(`${url}/time-entries`);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.items.map((entry: { minutes: number; note: string }) => [entry.minutes, entry.note]), [[45, 'Reproduced the leak'], [15, 'Wrap-up call']]);
    assert.equal(seen.body.totalMinutes, 60);
    assert.equal((await (await createUser(ctx)).api.get(`${url}/time-entries`)).status, 404);
  });

  test("a quote's billable time is the ticket's time up to its release, which no session billed", async () => {
    const { helper, customer, url, ticketId } = await claimedTicket(ctx);
    const payment = await acceptAndPay(customer, (await sendQuote(helper, ticketId)).id);
    await helper.api.post(`${url}/time-entries`, { minutes: 30, note: 'Investigation' });
    await helper.api.post(`${url}/resolve`, { summary: 'Fixed.' });
    await customer.api.post(`${url}/confirm`);
    const lines = await ctx.services.payments.billableTime(ctx.db, payment.id);
    assert.deepEqual(lines.map((line) => [line.minutes, line.note]), [[30, 'Investigation']]);
    assert.deepEqual(await ctx.services.payments.billableTime(ctx.db, crypto.randomUUID()), []);
  });
});
