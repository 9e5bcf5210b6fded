import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { cookieClient, linkToken, signIn } from '../../../test/helpers/session.ts';
import { DAY, MINUTE } from '../../lib/clock.ts';

let sequence = 0;
const newSlug = (prefix = 'org') => `${prefix}-${++sequence}-${Date.now().toString(36)}`;

const billing = {
  legalName: 'Acme Widgets GmbH',
  addressLine1: 'Hauptstraße 1',
  postalCode: '10115',
  city: 'Berlin',
  country: 'de',
  vatId: 'de123456789',
  billingEmail: 'billing@acme.example',
};

describe('organizations', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  /** An organization with an admin and, when asked, members who joined through invitations. */
  async function createOrg(options: { members?: number } = {}) {
    const admin = await createUser(ctx);
    const slug = newSlug();
    const created = await admin.api.post('/api/v1/orgs', { slug, name: `Org ${slug}`, ...billing });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const members: TestUser[] = [];
    for (let index = 0; index < (options.members ?? 0); index++) members.push(await join(admin, slug));
    return { slug, admin, members, id: created.body.id as string };
  }

  async function invite(admin: TestUser, slug: string, email: string, role: 'admin' | 'member' = 'member') {
    const invited = await admin.api.post(`/api/v1/orgs/${slug}/invitations`, { email, role });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    await ctx.jobs.drain();
    return linkToken(ctx, email, '/invitations/accept');
  }

  async function join(admin: TestUser, slug: string, role: 'admin' | 'member' = 'member') {
    const member = await createUser(ctx);
    const token = await invite(admin, slug, member.email, role);
    assert.equal((await member.api.post('/api/v1/invitations/accept', { token })).status, 200);
    return member;
  }

  const adminCount = async (orgId: string) =>
    (await ctx.db.selectFrom('org_members').select('user_id').where('org_id', '=', orgId).where('role', '=', 'admin').execute()).length;

  test('the creator becomes admin and sees the billing details, normalized', async () => {
    const creator = await createUser(ctx);
    const slug = newSlug('Acme');
    const created = await creator.api.post('/api/v1/orgs', { slug: `  ${slug.toUpperCase()} `, name: ' Acme ', ...billing });
    assert.equal(created.status, 201);
    assert.equal(created.body.slug, slug.toLowerCase());
    assert.equal(created.body.name, 'Acme');
    assert.equal(created.body.viewerRole, 'admin');
    assert.deepEqual(created.body.billing, {
      legalName: 'Acme Widgets GmbH',
      addressLine1: 'Hauptstraße 1',
      addressLine2: null,
      postalCode: '10115',
      city: 'Berlin',
      region: null,
      country: 'DE',
      vatId: 'DE123456789',
      poNumberDefault: null,
      billingEmail: 'billing@acme.example',
    });
    const mine = await creator.api.get('/api/v1/orgs');
    assert.deepEqual(mine.body.items.map((org: { slug: string; viewerRole: string }) => [org.slug, org.viewerRole]), [[slug.toLowerCase(), 'admin']]);
    const members = await creator.api.get(`/api/v1/orgs/${slug}/members`);
    assert.deepEqual(members.body.items.map((member: { userId: string; role: string }) => [member.userId, member.role]), [[creator.id, 'admin']]);

    const other = await createUser(ctx);
    const duplicate = await other.api.post('/api/v1/orgs', { slug: slug.toUpperCase(), name: 'Copycat' });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.error.code, 'slug_taken');
    assert.equal((await other.api.get('/api/v1/orgs')).body.items.length, 0, 'the failed create left no membership behind');
    assert.equal((await client(ctx).post('/api/v1/orgs', { slug: newSlug(), name: 'Anonymous' })).status, 401);
  });

  test('bad input is a 400 that names the field, and creates nothing', async () => {
    const user = await createUser(ctx);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ slug: '-leading-dash', name: 'X' }, 'body.slug'],
      [{ slug: 'under_score', name: 'X' }, 'body.slug'],
      [{ slug: 'a'.repeat(61), name: 'X' }, 'body.slug'],
      [{ slug: newSlug(), name: '' }, 'body.name'],
      [{ slug: newSlug(), name: 'X', vatId: '123' }, 'body.vatId'],
      [{ slug: newSlug(), name: 'X', vatId: 'DE 123 456' }, 'body.vatId'],
      [{ slug: newSlug(), name: 'X', country: 'Germany' }, 'body.country'],
      [{ slug: newSlug(), name: 'X', country: 'D1' }, 'body.country'],
      [{ slug: newSlug(), name: 'X', billingEmail: 'not-an-email' }, 'body.billingEmail'],
    ];
    for (const [body, path] of cases) {
      const response = await user.api.post('/api/v1/orgs', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.error.code, 'validation_failed');
      assert.deepEqual(response.body.error.details.map((detail: { path: string }) => detail.path), [path], JSON.stringify(body));
      assert.ok(response.body.error.message.includes(path));
    }
    assert.equal((await user.api.get('/api/v1/orgs')).body.items.length, 0);
  });

  test('outsiders get a 404; members see the organization without billing details; admins see them', async () => {
    const { slug, admin, members: [member] } = await createOrg({ members: 1 });
    const outsider = await createUser(ctx);
    const hidden = await outsider.api.get(`/api/v1/orgs/${slug}`);
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.error.code, 'not_found');
    assert.equal((await outsider.api.get(`/api/v1/orgs/${slug}/members`)).status, 404);
    assert.equal((await outsider.api.get('/api/v1/orgs/no-such-org')).status, 404, 'a missing and a hidden organization look alike');
    assert.equal((await client(ctx).get(`/api/v1/orgs/${slug}`)).status, 401);

    const asMember = await member.api.get(`/api/v1/orgs/${slug}`);
    assert.equal(asMember.status, 200);
    assert.equal(asMember.body.viewerRole, 'member');
    assert.equal(asMember.body.billing, null);
    assert.ok(!JSON.stringify(asMember.body).includes('DE123456789'));
    const listed = await member.api.get('/api/v1/orgs');
    assert.equal(listed.body.items[0].billing, null, 'the list hides billing from members too');

    const asAdmin = await admin.api.get(`/api/v1/orgs/${slug.toUpperCase()}`);
    assert.equal(asAdmin.status, 200);
    assert.equal(asAdmin.body.billing.vatId, 'DE123456789');
  });

  test('only admins change billing details; a partial change keeps the other fields', async () => {
    const { slug, admin, members: [member] } = await createOrg({ members: 1 });
    const outsider = await createUser(ctx);
    const url = `/api/v1/orgs/${slug}`;

    const byMember = await member.api.patch(url, { vatId: 'FR12345678901' });
    assert.equal(byMember.status, 403);
    assert.equal(byMember.body.error.code, 'forbidden');
    assert.equal((await outsider.api.patch(url, { vatId: 'FR12345678901' })).status, 404);
    assert.equal((await client(ctx).patch(url, { vatId: 'FR12345678901' })).status, 401);

    const renamed = await admin.api.patch(url, { name: 'Renamed' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'Renamed');
    assert.equal(renamed.body.billing.vatId, 'DE123456789', 'fields left out stay as they were');
    assert.equal(renamed.body.billing.city, 'Berlin');

    const changed = await admin.api.patch(url, { vatId: 'fr12345678901', country: 'fr', poNumberDefault: 'PO-77', city: '' });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.billing.vatId, 'FR12345678901');
    assert.equal(changed.body.billing.country, 'FR');
    assert.equal(changed.body.billing.poNumberDefault, 'PO-77');
    assert.equal(changed.body.billing.city, null, 'an empty field clears it');
    const cleared = await admin.api.patch(url, { vatId: null });
    assert.equal(cleared.body.billing.vatId, null);

    const bad = await admin.api.patch(url, { country: 'France' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].path, 'body.country');
    const unknown = await admin.api.patch(url, { slug: 'hijack' });
    assert.equal(unknown.status, 400, 'the slug is not changeable and unknown fields are refused');
    assert.equal((await admin.api.get(url)).body.billing.country, 'FR');
  });

  test('an invitation emails an accept link that works once, for the invited address only', async () => {
    const { slug, admin, members: [member] } = await createOrg({ members: 1 });
    const inviteeEmail = `invitee-${newSlug()}@example.com`;

    const byMember = await member.api.post(`/api/v1/orgs/${slug}/invitations`, { email: inviteeEmail });
    assert.equal(byMember.status, 403);

    const invited = await admin.api.post(`/api/v1/orgs/${slug}/invitations`, { email: inviteeEmail, role: 'member' });
    assert.equal(invited.status, 201);
    assert.deepEqual(Object.keys(invited.body).sort(), ['email', 'expiresAt', 'id', 'role']);
    assert.equal(invited.body.expiresAt, new Date(ctx.clock.now().getTime() + 14 * DAY).toISOString());
    await ctx.jobs.drain();
    const email = ctx.sent.findLast((sent) => sent.to === inviteeEmail);
    assert.ok(email);
    assert.match(email.subject, /invited to Org/);
    assert.ok(email.text.includes(admin.email), 'the email says who invited');
    const token = linkToken(ctx, inviteeEmail, '/invitations/accept');
    assert.ok(!JSON.stringify(invited.body).includes(token), 'only the invitee gets the token');

    const wrongPerson = await createUser(ctx);
    const refused = await wrongPerson.api.post('/api/v1/invitations/accept', { token });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error.message, new RegExp(inviteeEmail));
    assert.equal((await wrongPerson.api.get(`/api/v1/orgs/${slug}`)).status, 404);
    assert.equal((await client(ctx).post('/api/v1/invitations/accept', { token })).status, 401);

    // The invitee signs in through the emailed sign-in link (any case of the address) and accepts from the web app.
    const cookie = await signIn(ctx, inviteeEmail.toUpperCase());
    const browser = cookieClient(ctx, cookie);
    const accepted = await browser.post('/api/v1/invitations/accept', { token });
    assert.equal(accepted.status, 200);
    assert.deepEqual(accepted.body, { org: slug });
    const view = await browser.get(`/api/v1/orgs/${slug}`);
    assert.equal(view.status, 200);
    assert.equal(view.body.viewerRole, 'member');

    const twice = await browser.post('/api/v1/invitations/accept', { token });
    assert.equal(twice.status, 400);
    assert.equal(twice.body.error.code, 'invitation_invalid');
    assert.equal((await admin.api.get(`/api/v1/orgs/${slug}/members`)).body.items.length, 3);
  });

  test('an invitation expires after 14 days, and a new invitation replaces the open one', async () => {
    const { slug, admin } = await createOrg();
    const invitee = await createUser(ctx);
    const expiring = await invite(admin, slug, invitee.email);
    ctx.clock.advance(14 * DAY + MINUTE);
    const expired = await invitee.api.post('/api/v1/invitations/accept', { token: expiring });
    assert.equal(expired.status, 400);
    assert.equal(expired.body.error.code, 'invitation_invalid');

    const first = await invite(admin, slug, invitee.email);
    const second = await invite(admin, slug, invitee.email.toUpperCase(), 'admin');
    assert.notEqual(first, second);
    assert.equal((await invitee.api.post('/api/v1/invitations/accept', { token: first })).status, 400, 'the replaced invitation no longer works');
    assert.equal((await invitee.api.post('/api/v1/invitations/accept', { token: second })).status, 200);
    assert.equal((await invitee.api.get(`/api/v1/orgs/${slug}`)).body.viewerRole, 'admin', 'the role comes from the invitation');
    assert.equal((await invitee.api.post('/api/v1/invitations/accept', { token: 'bli_unknown-token' })).status, 400);
  });

  test('admins change roles; the last admin can be neither demoted nor removed', async () => {
    const { slug, admin, id, members: [member, other] } = await createOrg({ members: 2 });
    const url = (user: TestUser) => `/api/v1/orgs/${slug}/members/${user.id}`;

    assert.equal((await member.api.patch(url(other), { role: 'admin' })).status, 403, 'members do not grant roles');
    assert.equal((await member.api.patch(url(member), { role: 'admin' })).status, 403, 'nor promote themselves');

    const demoteSelf = await admin.api.patch(url(admin), { role: 'member' });
    assert.equal(demoteSelf.status, 409);
    assert.equal(demoteSelf.body.error.code, 'last_admin');
    const removeSelf = await admin.api.delete(url(admin));
    assert.equal(removeSelf.status, 409);
    assert.equal(removeSelf.body.error.code, 'last_admin');
    assert.equal(await adminCount(id), 1);

    assert.equal((await admin.api.patch(url(member), { role: 'admin' })).status, 204);
    assert.equal((await member.api.get(`/api/v1/orgs/${slug}`)).body.billing.vatId, 'DE123456789', 'a new admin sees billing');
    assert.equal((await member.api.patch(url(admin), { role: 'member' })).status, 204, 'with two admins, one may step down');
    assert.equal((await admin.api.patch(`/api/v1/orgs/${slug}`, { name: 'Nope' })).status, 403, 'the former admin lost admin rights');
    assert.equal((await member.api.patch(url(member), { role: 'member' })).status, 409, 'and now the new admin is the last one');
    assert.equal((await member.api.patch(`/api/v1/orgs/${slug}/members/00000000-0000-7000-8000-000000000000`, { role: 'admin' })).status, 404);
    assert.equal((await member.api.patch(url(other), { role: 'owner' })).status, 400);
  });

  test('a member may leave; removing someone else takes an admin', async () => {
    const { slug, admin, members: [leaver, stayer, removed] } = await createOrg({ members: 3 });
    const url = (user: TestUser) => `/api/v1/orgs/${slug}/members/${user.id}`;

    assert.equal((await stayer.api.delete(url(removed))).status, 403);
    assert.equal((await leaver.api.delete(url(leaver))).status, 204);
    assert.equal((await leaver.api.get(`/api/v1/orgs/${slug}`)).status, 404, 'after leaving the organization is hidden');
    assert.equal((await leaver.api.delete(url(leaver))).status, 404);

    assert.equal((await admin.api.delete(url(removed))).status, 204);
    assert.equal((await admin.api.delete(url(removed))).status, 404);
    const remaining = await admin.api.get(`/api/v1/orgs/${slug}/members`);
    assert.deepEqual(remaining.body.items.map((item: { userId: string }) => item.userId).sort(), [admin.id, stayer.id].sort());
  });

  test('two admins demoting or removing each other at once still leave one admin', async () => {
    for (let round = 0; round < 5; round++) {
      const { slug, admin, id } = await createOrg();
      const second = await join(admin, slug, 'admin');
      const member = (user: TestUser) => `/api/v1/orgs/${slug}/members/${user.id}`;
      const demotions = await Promise.all([admin.api.patch(member(second), { role: 'member' }), second.api.patch(member(admin), { role: 'member' })]);
      // The loser is refused either as no longer an admin (403) or as the last one (409); never both succeed.
      const [won, lost] = demotions.map((result) => result.status).sort();
      assert.equal(won, 204);
      assert.ok(lost === 403 || lost === 409, `the second demotion answered ${lost}`);
      assert.equal(await adminCount(id), 1);

      const [remaining, demoted] = demotions[0].status === 204 ? [admin, second] : [second, admin];
      assert.equal((await remaining.api.patch(member(demoted), { role: 'admin' })).status, 204);
      const departures = await Promise.all([remaining.api.delete(member(remaining)), demoted.api.delete(member(demoted))]);
      assert.deepEqual(departures.map((result) => result.status).sort(), [204, 409]);
      assert.equal(await adminCount(id), 1);
    }
  });
});
