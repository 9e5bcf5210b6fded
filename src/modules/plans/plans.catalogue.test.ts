import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { createPlan, createPolicy, type Repo } from '../../../test/helpers/plans.ts';

describe('support plans: the catalogue', () => {
  let ctx: TestContext;
  let repo: Repo;
  let policyId: string;

  before(async () => {
    ctx = await startTestApp();
    repo = await createRepo(ctx);
    policyId = await createPolicy(repo);
  });
  after(() => ctx.close());

  const post = (body: Record<string, unknown>) =>
    repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/plans`, { name: 'Gold', period: 'month', prices: [{ currency: 'EUR', amount: 250_000 }], includedHours: 10, slaPolicyId: policyId, ...body });

  test('a maintainer creates a plan priced in several currencies, with channels and an SLA policy', async () => {
    const created = await post({
      name: 'Business',
      description: 'Eight hours a month, answers within an hour.',
      period: 'year',
      prices: [{ currency: 'eur', amount: 1_200_000 }, { currency: 'USD', amount: 1_300_000 }],
      includedHours: 100,
      includedTickets: 50,
      channels: ['web', 'slack', 'discord'],
      privateSlack: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(
      { ...created.body, id: undefined, createdAt: undefined },
      {
        id: undefined,
        createdAt: undefined,
        repo: repo.fullName,
        name: 'Business',
        description: 'Eight hours a month, answers within an hour.',
        period: 'year',
        prices: [{ currency: 'EUR', amount: 1_200_000 }, { currency: 'USD', amount: 1_300_000 }],
        includedHours: 100,
        includedTickets: 50,
        channels: ['web', 'slack', 'discord'],
        privateSlack: true,
        privateDiscord: false,
        slaPolicyId: policyId,
        active: true,
      },
    );
  });

  test('bad plans are 400s naming the field, and nothing is created', async () => {
    const other = await createRepo(ctx);
    const foreignPolicy = await createPolicy(other);
    const cases: [Record<string, unknown>, string][] = [
      [{ slaPolicyId: undefined }, 'slaPolicyId'],
      [{ slaPolicyId: foreignPolicy }, 'body.slaPolicyId'],
      [{ includedHours: null, includedTickets: null }, 'includedHours'],
      [{ prices: [] }, 'prices'],
      [{ prices: [{ currency: 'EUR', amount: 100 }, { currency: 'EUR', amount: 200 }] }, 'prices'],
      [{ prices: [{ currency: 'EUR', amount: 99.5 }] }, 'prices.0.amount'],
      [{ prices: [{ currency: 'XXY', amount: 100 }] }, 'prices.0.currency'],
      [{ period: 'week' }, 'period'],
      [{ channels: ['pigeon'] }, 'channels.0'],
    ];
    for (const [fields, path] of cases) {
      const response = await post({ name: `Bad ${path}`, ...fields });
      assert.equal(response.status, 400, `${path}: ${JSON.stringify(response.body)}`);
      assert.ok(response.body.error.details.some((detail: { path: string }) => detail.path.endsWith(path)), `${path}: ${JSON.stringify(response.body.error.details)}`);
    }
    const names = (await ctx.db.selectFrom('plans').select('name').where('name', 'like', 'Bad %').execute()).length;
    assert.equal(names, 0);
  });

  test('the policy must carry targets: a plan without one is refused with the call that makes one', async () => {
    const response = await post({ name: 'No SLA', slaPolicyId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /a plan needs SLA targets/);
  });

  test('a second plan with the same name is a 409', async () => {
    assert.equal((await post({ name: 'Silver' })).status, 201);
    const again = await post({ name: 'silver' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'plan_exists');
  });

  test('only maintainers create plans; everyone sees the active ones, maintainers the inactive ones too', async () => {
    const stranger = await createUser(ctx);
    const mine = { name: 'Mine', period: 'month', prices: [{ currency: 'EUR', amount: 1 }], includedTickets: 1, slaPolicyId: policyId };
    const refused = await stranger.api.post(`/api/v1/repos/${repo.fullName}/plans`, mine);
    assert.equal(refused.status, 403);
    assert.equal((await client(ctx).post(`/api/v1/repos/${repo.fullName}/plans`, mine)).status, 401);

    await createPlan(repo, policyId, { name: 'Retired', active: false });
    const visible = await client(ctx).get(`/api/v1/repos/${repo.fullName}/plans`);
    assert.equal(visible.status, 200);
    assert.ok(visible.body.items.length >= 2);
    assert.ok(visible.body.items.every((plan: { active: boolean }) => plan.active));
    const all = await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/plans`);
    assert.ok(all.body.items.some((plan: { name: string; active: boolean }) => plan.name === 'Retired' && !plan.active));
  });

  test("a repository not verified yet shows its plans to nobody else", async () => {
    const pending = await createRepo(ctx);
    await ctx.db.updateTable('repos').set({ status: 'pending' }).where('id', '=', pending.id).execute();
    assert.equal((await client(ctx).get(`/api/v1/repos/${pending.fullName}/plans`)).status, 404);
    assert.equal((await pending.maintainer.api.get(`/api/v1/repos/${pending.fullName}/plans`)).status, 200);
  });
});
