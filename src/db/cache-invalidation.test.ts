import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestApp, type TestContext } from '../../test/helpers/app.ts';
import { testEngine } from '../../test/helpers/database.ts';
import { createRepo, createUser } from '../../test/helpers/factories.ts';
import { client } from '../../test/helpers/http.ts';
import { addMember, paySandbox, planSetup, subscribed } from '../../test/helpers/plans.ts';
import { openTicket } from '../../test/helpers/support.ts';
import { newId } from '../lib/ids.ts';
import { DELIVER_JOB } from '../modules/assistant/assistant.delivery.ts';
import { CACHE_KEYS, type NotificationHub } from './notify.ts';

/** Every test here may wait for a notification: one that never comes fails the test instead of hanging it. */
const WAIT = { timeout: 15_000 };

/** Counts the calls of a key's subscribers, and waits for the next one. */
function watch(hub: NotificationHub, key: string) {
  let calls = 0;
  const waiting: (() => void)[] = [];
  const unsubscribe = hub.subscribe(key, () => {
    calls++;
    waiting.splice(0).forEach((resolve) => resolve());
  });
  return { unsubscribe, calls: () => calls, next: () => new Promise<void>((resolve) => waiting.push(resolve)) };
}

/** A token's id, for the API that revokes it. */
async function tokenId(ctx: TestContext, userId: string): Promise<string> {
  return (await ctx.db.selectFrom('api_tokens').select('id').where('user_id', '=', userId).orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
}

describe('kept tokens, repositories, names, and which repositories have SLA policies and subscriptions, are forgotten when they change', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await startTestApp();
  });
  after(() => ctx.close());

  test('a token revoked through the API stops working on the next request, though this process kept it', WAIT, async () => {
    const user = await createUser(ctx);
    assert.equal((await user.api.get('/api/v1/me')).status, 200);
    assert.equal((await user.api.get('/api/v1/me')).status, 200, 'answered from what the process kept');
    assert.equal((await user.api.delete(`/api/v1/me/tokens/${await tokenId(ctx, user.id)}`)).status, 204);
    assert.equal((await user.api.get('/api/v1/me')).status, 401);
  });

  test('a repository changed by a statement of this process is seen by its next request', WAIT, async () => {
    const repo = await createRepo(ctx);
    const anonymous = client(ctx);
    assert.equal((await anonymous.get(`/api/v1/repos/${repo.fullName}`)).body.offerings.community, true);
    await ctx.db.updateTable('repos').set({ offers_community: false }).where('id', '=', repo.id).execute();
    assert.equal((await anonymous.get(`/api/v1/repos/${repo.fullName}`)).body.offerings.community, false);
    const newcomer = await createUser(ctx);
    assert.equal((await newcomer.api.patch(`/api/v1/repos/${repo.fullName}`, { description: 'Mine now' })).status, 403);
    await ctx.db.insertInto('repo_maintainers').values({ repo_id: repo.id, user_id: newcomer.id, role: 'maintainer', created_at: ctx.clock.now() }).execute();
    assert.equal((await newcomer.api.patch(`/api/v1/repos/${repo.fullName}`, { description: 'Mine now' })).status, 200, 'the new role is seen at once');
  });

  test('only a change to what is kept empties it: a token\'s last use and a new display name do not, a revocation does', WAIT, async () => {
    const user = await createUser(ctx);
    const tokens = watch(ctx.deps.notifications, CACHE_KEYS.apiTokens);
    try {
      const before = tokens.calls();
      await ctx.db.updateTable('api_tokens').set({ last_used_at: ctx.clock.now() }).where('user_id', '=', user.id).execute();
      await ctx.db.updateTable('users').set({ display_name: 'Renamed' }).where('id', '=', user.id).execute();
      await sql`UPDATE api_tokens SET last_used_at = now() WHERE user_id = ${user.id}`.execute(ctx.db);
      // Notifications arrive in the order their transactions committed: once the revocation's has come,
      // any the writes above had sent would have come before it.
      const notified = tokens.next();
      await sql`UPDATE api_tokens SET revoked_at = now() WHERE user_id = ${user.id}`.execute(ctx.db);
      await notified;
      assert.equal(tokens.calls(), before + 1);
    } finally {
      tokens.unsubscribe();
    }
  });

  test('a change written without this process knowing (another process, a script) reaches it through the trigger', WAIT, async () => {
    const user = await createUser(ctx);
    assert.equal((await user.api.get('/api/v1/me')).status, 200);
    const tokens = watch(ctx.deps.notifications, CACHE_KEYS.apiTokens);
    try {
      // Raw SQL is not read by the statement hook: only the trigger tells.
      const notified = tokens.next();
      await sql`UPDATE api_tokens SET revoked_at = now() WHERE user_id = ${user.id}`.execute(ctx.db);
      await notified;
      assert.equal((await user.api.get('/api/v1/me')).status, 401);
    } finally {
      tokens.unsubscribe();
    }
  });

  test('a repository\'s first SLA policy starts the clock of its next expert ticket, though this process kept that it had none', WAIT, async () => {
    const repo = await createRepo(ctx);
    const customer = await createUser(ctx);
    assert.equal((await openTicket(customer, repo)).sla, null);
    assert.equal((await openTicket(customer, repo)).sla, null, 'answered from what the process kept');
    const url = `/api/v1/repos/${repo.fullName}/sla-policies`;
    const policy = await repo.maintainer.api.post(url, { name: '24/7', targets: { normal: { firstResponse: 60 } } });
    assert.equal(policy.status, 201);
    assert.equal((await repo.maintainer.api.put(`${url}/default`, { policyId: policy.body.id })).status, 200);
    assert.equal((await openTicket(customer, repo)).sla?.policyId, policy.body.id);
  });

  test('a repository\'s first subscription covers the next ticket of its members, though this process kept that it had none', WAIT, async () => {
    const { repo, org, plan } = await planSetup(ctx);
    const member = await addMember(ctx, org.id, await createUser(ctx));
    const linked = async (ticketId: string) => (await ctx.db.selectFrom('subscription_tickets').select('ticket_id').where('ticket_id', '=', ticketId).executeTakeFirst()) !== undefined;
    assert.equal(await linked((await openTicket(member, repo)).id), false);
    assert.equal(await linked((await openTicket(member, repo)).id), false, 'answered from what the process kept');
    const { payment } = await subscribed(org.admin, org.slug, { planId: plan.id, paymentMethod: 'card' });
    await paySandbox(org.admin, payment.id);
    const covered = await openTicket(member, repo);
    assert.equal(await linked(covered.id), true);
    assert.equal(covered.sla?.source, 'plan');
  });

  test('a ticket\'s first chat conversation gets its next message, though this process kept that it had none', WAIT, async () => {
    const repo = await createRepo(ctx);
    const customer = await createUser(ctx);
    const ticket = await openTicket(customer, repo);
    const pushed = async () =>
      (await ctx.db.selectFrom('jobs').select(sql<string>`payload->>'conversationId'`.as('conversation')).where('queue', '=', DELIVER_JOB).where(sql<boolean>`payload->>'conversationId' IN (SELECT id::text FROM conversations WHERE ticket_id = ${ticket.id})`).execute()).map((row) => row.conversation);
    assert.equal((await customer.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Still there?' })).status, 201);
    assert.equal((await repo.maintainer.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Looking.' })).status, 201, 'kept: no conversation');
    const conversations = watch(ctx.deps.notifications, CACHE_KEYS.conversations);
    try {
      // Raw SQL, as a channel in another process would be to this one: only the trigger tells.
      const notified = conversations.next();
      const id = newId();
      await sql`INSERT INTO conversations (id, channel, external_channel, external_user, user_id, state, repo_id, ticket_id, data, created_at, updated_at)
        VALUES (${id}, 'discord', 'c1', 'u1', ${customer.id}, 'open', ${repo.id}, ${ticket.id}, '{}', now(), now())`.execute(ctx.db);
      await notified;
      assert.equal((await repo.maintainer.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Found it.' })).status, 201);
      assert.deepEqual(await pushed(), [id], 'the answer goes to the new Discord thread');
    } finally {
      conversations.unsubscribe();
    }
  });

  test('ticket lists show a person, a repository or an organization renamed since this process kept their names', WAIT, async () => {
    const repo = await createRepo(ctx);
    const customer = await createUser(ctx, { name: 'Ada' });
    const slug = `org-${newId().slice(-8)}`;
    assert.equal((await customer.api.post('/api/v1/orgs', { slug, name: 'Ada Ltd' })).status, 201);
    const ticket = await openTicket(customer, repo, { org: slug });
    const listed = async () => {
      const page = await customer.api.get('/api/v1/tickets');
      assert.equal(page.status, 200, JSON.stringify(page.body));
      const item = page.body.items.find((candidate: { id: string }) => candidate.id === ticket.id);
      return { requester: item.requester.displayName, repo: item.repo, org: item.org };
    };
    assert.deepEqual(await listed(), { requester: 'Ada', repo: repo.fullName, org: slug });
    assert.deepEqual(await listed(), { requester: 'Ada', repo: repo.fullName, org: slug }, 'answered from what the process kept');

    // Through the API: this process's own write empties the cache at once.
    assert.equal((await customer.api.patch('/api/v1/me', { displayName: 'Ada L.' })).status, 200);
    assert.equal((await listed()).requester, 'Ada L.');

    // Raw SQL, as another process would write: only the triggers tell.
    const told = async (key: string, write: () => Promise<unknown>) => {
      const watcher = watch(ctx.deps.notifications, key);
      try {
        const notified = watcher.next();
        await write();
        await notified;
      } finally {
        watcher.unsubscribe();
      }
    };
    await told(CACHE_KEYS.userNames, () => sql`UPDATE users SET display_name = 'Ada Lovelace' WHERE id = ${customer.id}`.execute(ctx.db));
    const renamed = `${repo.fullName}-renamed`;
    await told(CACHE_KEYS.repos, () => sql`UPDATE repos SET full_name = ${renamed}, name = ${renamed.split('/')[1]} WHERE id = ${repo.id}`.execute(ctx.db));
    await told(CACHE_KEYS.orgs, () => sql`UPDATE orgs SET slug = ${`${slug}-new`} WHERE slug = ${slug}`.execute(ctx.db));
    assert.deepEqual(await listed(), { requester: 'Ada Lovelace', repo: renamed, org: `${slug}-new` });
  });

  test('on PostgreSQL, an SLA policy added by another server process starts clocks on this one', { ...WAIT, skip: testEngine !== 'postgres' && 'the embedded database belongs to one process' }, async () => {
    const repo = await createRepo(ctx);
    const customer = await createUser(ctx);
    assert.equal((await openTicket(customer, repo)).sla, null);
    const other = await startTestApp({ sameDatabaseAs: ctx });
    try {
      const url = `/api/v1/repos/${repo.fullName}/sla-policies`;
      const elsewhere = client(other, repo.maintainer.token);
      const policies = watch(ctx.deps.notifications, CACHE_KEYS.slaPolicies);
      const notified = policies.next();
      const policy = await elsewhere.post(url, { name: '24/7', targets: { normal: { firstResponse: 60 } } });
      assert.equal(policy.status, 201);
      await notified;
      policies.unsubscribe();
      assert.equal((await elsewhere.put(`${url}/default`, { policyId: policy.body.id })).status, 200);
      assert.equal((await openTicket(customer, repo)).sla?.policyId, policy.body.id);
    } finally {
      await other.close();
    }
  });

  test('on PostgreSQL, a token revoked through another server process stops working on this one', { ...WAIT, skip: testEngine !== 'postgres' && 'the embedded database belongs to one process' }, async () => {
    const user = await createUser(ctx);
    assert.equal((await user.api.get('/api/v1/me')).status, 200);
    const other = await startTestApp({ sameDatabaseAs: ctx });
    try {
      const elsewhere = client(other, user.token);
      assert.equal((await elsewhere.get('/api/v1/me')).status, 200);
      const tokens = watch(ctx.deps.notifications, CACHE_KEYS.apiTokens);
      const notified = tokens.next();
      assert.equal((await elsewhere.delete(`/api/v1/me/tokens/${await tokenId(ctx, user.id)}`)).status, 204);
      await notified;
      tokens.unsubscribe();
      assert.equal((await user.api.get('/api/v1/me')).status, 401);
    } finally {
      await other.close();
    }
  });
});
