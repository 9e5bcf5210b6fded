import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seedDemo } from '../src/demo/seed.ts';
import { startTestApp, type TestContext } from './helpers/app.ts';
import { client } from './helpers/http.ts';

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
