import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { demoData } from '../src/demo/data.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { startTestApp, type TestContext } from './helpers/app.ts';
import { client } from './helpers/http.ts';
import { assertLedgerConsistent } from './helpers/money.ts';

let ctx: TestContext;
before(async () => (ctx = await startTestApp()));
after(() => ctx.close());

test('the demo has repositories, approved helpers, an organization and tickets in every state, and loads once', async () => {
  await seedDemo(ctx.deps, ctx.services);
  await seedDemo(ctx.deps, ctx.services);

  const directory = await client(ctx).get('/api/v1/repos');
  assert.deepEqual(directory.body.items.map((repo: { fullName: string }) => repo.fullName), ['harbor-mq/harbor', 'lumen-db/lumen', 'quillkit/quill']);
  const helpers = await client(ctx).get('/api/v1/repos/lumen-db/lumen/helpers');
  assert.equal(helpers.body.items.length, 2);

  const statuses = await ctx.db.selectFrom('tickets').select('status').distinct().execute();
  assert.deepEqual(
    statuses.map((row) => row.status).sort(),
    ['cancelled', 'claimed', 'closed', 'in_progress', 'open', 'resolved', 'waiting_on_customer'],
  );
  const rated = await ctx.db.selectFrom('tickets').select(['rating_score']).where('status', '=', 'closed').executeTakeFirstOrThrow();
  assert.equal(rated.rating_score, 5);
  const org = await ctx.db.selectFrom('orgs').selectAll().where('slug', '=', 'northwind').executeTakeFirstOrThrow();
  assert.equal(org.vat_id, 'DE123456789');
  const members = await ctx.db.selectFrom('org_members').select('user_id').where('org_id', '=', org.id).execute();
  assert.equal(members.length, 3);
});

test('the demo sells: offerings, SLA policies, plans with a subscriber, release windows, consulting, availability and paid tickets', async () => {
  await ctx.jobs.drain();
  const anonymous = client(ctx);
  for (const repo of ['harbor-mq/harbor', 'lumen-db/lumen', 'quillkit/quill']) {
    const offerings = await anonymous.get(`/api/v1/repos/${repo}/offerings`);
    assert.deepEqual(offerings.body.items.map((item: { kind: string }) => item.kind), ['fixed', 'fixed', 'session', 'quote'], repo);
    assert.equal((await anonymous.get(`/api/v1/repos/${repo}/plans`)).body.items.length, 2, repo);
    assert.equal((await anonymous.get(`/api/v1/repos/${repo}/release-windows`)).body.items.length, 2, repo);
    assert.equal((await anonymous.get(`/api/v1/repos/${repo}/consulting-services`)).body.items.length, 2, repo);
  }
  const subscriptions = await ctx.db.selectFrom('subscriptions').select('status').execute();
  assert.equal(subscriptions.length, 1);
  const helperEmails = new Set(demoData.repos.flatMap((repo) => repo.helpers));
  assert.equal((await ctx.db.selectFrom('helper_availability').select('user_id').execute()).length, helperEmails.size);

  // The confirmed ticket's payment is released and split; the resolved one is still held for the customer.
  const payments = await ctx.db.selectFrom('payments').innerJoin('tickets', 'tickets.id', 'payments.ticket_id').select(['payments.status', 'tickets.status as ticket']).orderBy('payments.amount').execute();
  assert.deepEqual(payments, [{ status: 'held', ticket: 'resolved' }, { status: 'released', ticket: 'closed' }]);
  await assertLedgerConsistent(ctx);
});
