import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';

describe('repositories', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  test('a claim stays private until an operator verifies it, then the directory lists it', async () => {
    const maintainer = await createUser(ctx);
    const operator = await createUser(ctx, { operator: true });
    const anonymous = client(ctx);
    const created = await maintainer.api.post('/api/v1/repos', { fullName: 'Fastify/fastify-helmet', description: 'Important security headers for Fastify', topics: ['security', 'fastify'], language: 'JavaScript' });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'pending');
    assert.equal(created.body.commissionBps, 1000);
    assert.equal(created.body.viewerRole, 'owner');

    assert.equal((await anonymous.get('/api/v1/repos/Fastify/fastify-helmet')).status, 404);
    assert.equal((await anonymous.get('/api/v1/repos?q=helmet')).body.items.length, 0);
    assert.equal((await maintainer.api.post('/api/v1/admin/repos/fastify/fastify-helmet/verify')).status, 403);

    const verified = await operator.api.post('/api/v1/admin/repos/fastify/fastify-helmet/verify', { decision: 'verified' });
    assert.equal(verified.status, 200);
    assert.equal(verified.body.status, 'verified');
    assert.equal(verified.body.verificationMethod, 'operator');

    const publicView = await anonymous.get('/api/v1/repos/fastify/fastify-helmet');
    assert.equal(publicView.status, 200);
    assert.equal(publicView.body.demand, null, 'demand figures are for maintainers only');
    const typo = await anonymous.get('/api/v1/repos?q=fastfy%20helmt');
    assert.deepEqual(typo.body.items.map((repo: { fullName: string }) => repo.fullName), ['Fastify/fastify-helmet']);
  });

  test('registering a repository twice is a conflict, whatever the case', async () => {
    const first = await createUser(ctx);
    const second = await createUser(ctx);
    assert.equal((await first.api.post('/api/v1/repos', { fullName: 'dup/thing' })).status, 201);
    const again = await second.api.post('/api/v1/repos', { fullName: 'DUP/Thing' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'repo_exists');
  });

  test('bad input is a 400 that names the field, and changes nothing', async () => {
    const maintainer = await createUser(ctx);
    const bad = await maintainer.api.post('/api/v1/repos', { fullName: 'no-slash', topics: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_failed');
    const paths = bad.body.error.details.map((detail: { path: string }) => detail.path);
    assert.ok(paths.includes('body.fullName'));
    assert.ok(paths.includes('body.topics'));
    const malformed = await maintainer.api.post('/api/v1/repos', '{"fullName": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.code, 'invalid_json');
    const count = await ctx.db.selectFrom('repos').select((eb) => eb.fn.countAll<number>().as('n')).where('full_name', '=', 'no-slash').executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0);
  });

  test('maintainers set offerings, currency and a commission within the operator bounds', async () => {
    const { fullName, maintainer } = await createRepo(ctx);
    const stranger = await createUser(ctx);
    const url = `/api/v1/repos/${fullName}`;
    const updated = await maintainer.api.patch(url, { offerings: { ai: true, community: false }, currency: 'eur', commissionBps: 1500 });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.offerings, { ai: true, community: false, expert: true });
    assert.equal(updated.body.currency, 'EUR');
    assert.equal(updated.body.commissionBps, 1500);

    const tooHigh = await maintainer.api.patch(url, { commissionBps: 5000 });
    assert.equal(tooHigh.status, 400);
    assert.match(tooHigh.body.error.message, /between 0 and 3000/);
    assert.equal((await maintainer.api.patch(url, { currency: 'XYZ' })).status, 400);
    assert.equal((await maintainer.api.patch(url, { unknownField: 1 })).status, 400);
    assert.equal((await stranger.api.patch(url, { commissionBps: 0 })).status, 403);
    assert.equal((await client(ctx).patch(url, { commissionBps: 0 })).status, 401);
    assert.equal((await maintainer.api.get(url)).body.commissionBps, 1500);
  });

  test('directory: filters, ranking and cursor pagination', async () => {
    const maintainer = await createUser(ctx);
    for (let index = 0; index < 5; index++) {
      await createRepo(ctx, { maintainer, fullName: `pager/lib-${index}`, topics: ['paging'], language: index % 2 ? 'Go' : 'Rust', expert: index < 2 });
    }
    const anonymous = client(ctx);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await anonymous.get(`/api/v1/repos?topic=paging&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items.map((repo: { fullName: string }) => repo.fullName));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, ['pager/lib-0', 'pager/lib-1', 'pager/lib-2', 'pager/lib-3', 'pager/lib-4']);

    const go = await anonymous.get('/api/v1/repos?topic=paging&language=go');
    assert.deepEqual(go.body.items.map((repo: { fullName: string }) => repo.fullName), ['pager/lib-1', 'pager/lib-3']);
    const expert = await anonymous.get('/api/v1/repos?topic=paging&offering=expert');
    assert.equal(expert.body.items.length, 2);

    const ranked = await anonymous.get('/api/v1/repos?q=lib-3&limit=1');
    assert.equal(ranked.body.items[0].fullName, 'pager/lib-3');
    const rankedAll: string[] = [];
    let next: string | null = null;
    do {
      const page: any = await anonymous.get(`/api/v1/repos?q=pager&limit=2${next ? `&cursor=${next}` : ''}`);
      rankedAll.push(...page.body.items.map((repo: { fullName: string }) => repo.fullName));
      next = page.body.nextCursor;
    } while (next);
    assert.equal(rankedAll.length, 5);
    assert.equal(new Set(rankedAll).size, 5, 'no repository appears on two pages');
    assert.equal((await anonymous.get('/api/v1/repos?cursor=garbage')).status, 400);
  });

  test('directory search: prefixes across punctuation, near spellings of words added later, the word itself first', async () => {
    const maintainer = await createUser(ctx);
    const anonymous = client(ctx);
    const search = async (q: string) => ((await anonymous.get(`/api/v1/repos?q=${encodeURIComponent(q)}`)).body.items as Array<{ fullName: string }>).map((repo) => repo.fullName);
    await createRepo(ctx, { maintainer, fullName: 'plugs/fastify-plugin', description: 'Plugin helpers', topics: ['plugins'] });
    await createRepo(ctx, { maintainer, fullName: 'yaml/toolkit', description: 'A streaming parser', topics: ['yaml'] });
    await createRepo(ctx, { maintainer, fullName: 'json/parsers', description: 'Many parsers in one', topics: ['json'] });

    assert.deepEqual(await search('fast plug'), ['plugs/fastify-plugin'], 'every word as a prefix, across the hyphen and the slash');
    assert.deepEqual((await search('parsr')).sort(), ['json/parsers', 'yaml/toolkit'], 'near spellings');
    assert.deepEqual(await search('parser'), ['yaml/toolkit', 'json/parsers'], 'the word itself ranks above a longer word it begins');
    assert.deepEqual(await search('rutr'), [], 'too far from any word');
    await createRepo(ctx, { maintainer, fullName: 'net/router', description: 'Request routing' });
    await createRepo(ctx, { maintainer, fullName: 'web/routes', description: 'Route tables' });
    assert.deepEqual(await search('router'), ['net/router'], 'a word a repository uses is not a typo: no near spellings for it');
    assert.deepEqual((await search('routr')).sort(), ['net/router', 'web/routes'], 'a word nobody uses gets its near spellings');

    // Words a repository gains later are near-spelling candidates at once (the words table follows every save).
    assert.deepEqual(await search('kubernets'), []);
    assert.equal((await maintainer.api.patch('/api/v1/repos/yaml/toolkit', { description: 'A streaming parser for Kubernetes manifests' })).status, 200);
    assert.deepEqual(await search('kubernets parsr'), ['yaml/toolkit']);
  });

  test('onboarding demand is counted once per asker and shown to whoever claims the repository', async () => {
    const orgAdmin = await createUser(ctx);
    const other = await createUser(ctx);
    assert.equal((await orgAdmin.api.post('/api/v1/orgs', { slug: 'bigcorp', name: 'BigCorp' })).status, 201);
    const first = await orgAdmin.api.post('/api/v1/onboarding-requests', { fullName: 'unlisted/lib', org: 'bigcorp', note: 'we use it in production' });
    assert.equal(first.status, 201);
    assert.deepEqual(first.body.demand, { requests: 1, organizations: 1 });
    await orgAdmin.api.post('/api/v1/onboarding-requests', { fullName: 'Unlisted/Lib' });
    const second = await other.api.post('/api/v1/onboarding-requests', { fullName: 'unlisted/lib' });
    assert.deepEqual(second.body.demand, { requests: 2, organizations: 1 });
    assert.equal((await other.api.post('/api/v1/onboarding-requests', { fullName: 'unlisted/lib', org: 'bigcorp' })).status, 404);
    const operator = await createUser(ctx, { operator: true });
    const demand = await operator.api.get('/api/v1/onboarding-requests');
    assert.equal(demand.status, 200);
    const listed = demand.body.items.find((item: { fullName: string }) => item.fullName.toLowerCase() === 'unlisted/lib');
    assert.deepEqual({ ...listed, fullName: undefined, lastRequestedAt: undefined }, { fullName: undefined, lastRequestedAt: undefined, requests: 2, organizations: 1, notes: ['we use it in production'] });

    const claimant = await createUser(ctx);
    const claimed = await claimant.api.post('/api/v1/repos', { fullName: 'unlisted/lib' });
    assert.deepEqual(claimed.body.demand, { requests: 2, organizations: 1 });
  });
});
