import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';

describe('me', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  test('GET /api/v1/me: the profile with organizations, maintained and helped repositories', async () => {
    assert.equal((await client(ctx).get('/api/v1/me')).status, 401);
    const user = await createUser(ctx, { name: 'Ada', githubLogin: 'ada-gh' });
    const fresh = await user.api.get('/api/v1/me');
    assert.equal(fresh.status, 200);
    assert.deepEqual(fresh.body, {
      id: user.id,
      email: user.email,
      displayName: 'Ada',
      githubLogin: 'ada-gh',
      timeZone: 'UTC',
      isOperator: false,
      createdAt: ctx.clock.now().toISOString(),
      orgs: [],
      maintains: [],
      helps: [],
    });

    assert.equal((await user.api.post('/api/v1/orgs', { slug: `me-${Date.now().toString(36)}`, name: 'Ada Corp' })).status, 201);
    assert.equal((await user.api.post('/api/v1/orgs', { slug: `me-b-${Date.now().toString(36)}`, name: 'Ada Bakery' })).status, 201);
    const repo = await createRepo(ctx, { maintainer: user });
    const other = await createRepo(ctx);
    assert.equal((await user.api.post(`/api/v1/repos/${other.fullName}/helpers/applications`, { pitch: 'I know this codebase inside out.' })).status, 201);
    const full = await user.api.get('/api/v1/me');
    assert.deepEqual(full.body.orgs.map((org: { name: string; role: string }) => [org.name, org.role]), [['Ada Bakery', 'admin'], ['Ada Corp', 'admin']], 'by name');
    assert.deepEqual(full.body.maintains, [{ repo: repo.fullName, role: 'owner' }]);
    assert.deepEqual(full.body.helps, [{ repo: other.fullName, status: 'applied' }]);
  });

  test('PATCH /api/v1/me changes the display name and time zone, validated', async () => {
    const user = await createUser(ctx, { name: 'Grace' });
    ctx.clock.advance(60_000);
    const changed = await user.api.patch('/api/v1/me', { displayName: '  Grace Hopper ', timeZone: 'America/New_York' });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.displayName, 'Grace Hopper');
    assert.equal(changed.body.timeZone, 'America/New_York');
    const row = await ctx.db.selectFrom('users').select(['updated_at', 'time_zone']).where('id', '=', user.id).executeTakeFirstOrThrow();
    assert.equal(row.updated_at.toISOString(), ctx.clock.now().toISOString());

    const onlyZone = await user.api.patch('/api/v1/me', { timeZone: 'europe/paris' });
    assert.equal(onlyZone.status, 200);
    assert.equal(onlyZone.body.timeZone, 'Europe/Paris', 'stored under its canonical spelling');
    assert.equal(onlyZone.body.displayName, 'Grace Hopper', 'fields left out are kept');
    assert.equal((await user.api.patch('/api/v1/me', {})).status, 200);

    for (const timeZone of ['Mars/Olympus_Mons', '+01:00', '-05:00', 'Not a zone', '']) {
      const bad = await user.api.patch('/api/v1/me', { timeZone });
      assert.equal(bad.status, 400, `time zone ${JSON.stringify(timeZone)}`);
      assert.equal(bad.body.error.code, 'validation_failed');
      assert.equal(bad.body.error.details[0].path, 'body.timeZone');
      assert.match(bad.body.error.details[0].message, /IANA time zone/);
    }
    const empty = await user.api.patch('/api/v1/me', { displayName: '   ' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.details[0].path, 'body.displayName');
    assert.equal((await user.api.get('/api/v1/me')).body.timeZone, 'Europe/Paris');
    assert.equal((await client(ctx).patch('/api/v1/me', { displayName: 'Anonymous' })).status, 401);
  });

  test('the GitHub login, email and operator flag cannot be set through PATCH /api/v1/me', async () => {
    const user = await createUser(ctx, { githubLogin: 'real-login' });
    for (const body of [{ githubLogin: 'someone-else' }, { email: 'other@example.com' }, { isOperator: true }, { displayName: 'Fine', githubLogin: 'sneaky' }]) {
      const refused = await user.api.patch('/api/v1/me', body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.equal(refused.body.error.code, 'validation_failed');
      assert.match(refused.body.error.message, /Unrecognized key/i);
    }
    const me = await user.api.get('/api/v1/me');
    assert.equal(me.body.githubLogin, 'real-login');
    assert.equal(me.body.email, user.email);
    assert.equal(me.body.isOperator, false);
    assert.notEqual(me.body.displayName, 'Fine', 'a refused request changes nothing, not even the allowed fields');
  });
});
