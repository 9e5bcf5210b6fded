import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { cookieClient, signIn } from '../../../test/helpers/session.ts';
import { MINUTE } from '../../lib/clock.ts';

const PITCH = 'I maintain two plugins for this library and answer its questions on Stack Overflow.';

describe('helpers', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  /** A verified repository with an owner and a second maintainer. */
  async function setup() {
    const repo = await createRepo(ctx);
    const coMaintainer = await createUser(ctx);
    const added = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/maintainers`, { email: coMaintainer.email });
    assert.equal(added.status, 200);
    const url = `/api/v1/repos/${repo.fullName}/helpers`;
    return { ...repo, coMaintainer, url };
  }

  async function apply(user: TestUser, url: string, pitch = PITCH) {
    const response = await user.api.post(`${url}/applications`, { pitch, links: ['https://github.com/someone'] });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response;
  }

  const mailTo = (email: string) => ctx.sent.filter((sent) => sent.to.toLowerCase() === email.toLowerCase());

  test('applying: the pitch is required, maintainers are emailed, and applying twice is a conflict', async () => {
    const { url, fullName, maintainer, coMaintainer } = await setup();
    const applicant = await createUser(ctx);

    const short = await applicant.api.post(`${url}/applications`, { pitch: '  help  ' });
    assert.equal(short.status, 400);
    assert.equal(short.body.error.details[0].path, 'body.pitch');
    assert.match(short.body.error.details[0].message, /why you can help/);
    const badLink = await applicant.api.post(`${url}/applications`, { pitch: PITCH, links: ['javascript:alert(1)'] });
    assert.equal(badLink.status, 400);
    assert.equal(badLink.body.error.details[0].path, 'body.links.0');
    assert.equal((await client(ctx).post(`${url}/applications`, { pitch: PITCH })).status, 401);

    const applied = await apply(applicant, url);
    assert.equal(applied.body.status, 'applied');
    assert.equal(applied.body.userId, applicant.id);
    assert.equal(applied.body.decidedAt, null);
    assert.deepEqual(applied.body.links, ['https://github.com/someone']);

    await ctx.jobs.drain();
    for (const person of [maintainer, coMaintainer]) {
      const [email] = mailTo(person.email);
      assert.ok(email, `maintainer ${person.email} is told`);
      assert.equal(email.subject, `${fullName}: ${applicant.email} applied to help`);
      assert.ok(email.text.includes(PITCH));
      assert.ok(email.text.includes(`/maintain/${fullName}/helpers`));
    }
    assert.equal(mailTo(applicant.email).length, 0);

    const twice = await applicant.api.post(`${url}/applications`, { pitch: PITCH });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'already_applied');
    await ctx.jobs.drain();
    assert.equal(mailTo(maintainer.email).length, 1, 'a refused application emails nobody');
  });

  test('only verified repositories take applications; unknown and pending ones are 404', async () => {
    const applicant = await createUser(ctx);
    const unknown = await applicant.api.post('/api/v1/repos/nobody/nothing/helpers/applications', { pitch: PITCH });
    assert.equal(unknown.status, 404);
    const owner = await createUser(ctx);
    const pending = await owner.api.post('/api/v1/repos', { fullName: `pending-${Date.now().toString(36)}/lib` });
    assert.equal(pending.body.status, 'pending');
    const onPending = await applicant.api.post(`/api/v1/repos/${pending.body.fullName}/helpers/applications`, { pitch: PITCH });
    assert.equal(onPending.status, 404);
    assert.equal(onPending.body.error.code, 'not_found');
    assert.equal((await owner.api.post(`/api/v1/repos/${pending.body.fullName}/helpers/applications`, { pitch: PITCH })).status, 404, 'not even its maintainers, until verified');
  });

  test('maintainers approve, reject and remove; others may not; illegal moves are conflicts', async () => {
    const { url, maintainer, coMaintainer, fullName } = await setup();
    const [applicant, rejected] = [await createUser(ctx), await createUser(ctx)];
    await apply(applicant, url);
    await apply(rejected, url);
    const stranger = await createUser(ctx);
    const on = (helper: TestUser, action: string, by: TestUser, body: Record<string, unknown> = {}) => by.api.post(`${url}/${helper.id}/${action}`, body);

    assert.equal((await on(applicant, 'approve', stranger)).status, 403);
    assert.equal((await on(applicant, 'approve', applicant)).status, 403, 'nobody approves themselves');
    assert.equal((await client(ctx).post(`${url}/${applicant.id}/approve`, {})).status, 401);
    assert.equal((await on(stranger, 'approve', maintainer)).status, 404, 'someone who never applied');

    const removeApplicant = await on(applicant, 'remove', maintainer);
    assert.equal(removeApplicant.status, 409);
    assert.equal(removeApplicant.body.error.code, 'invalid_helper_transition');

    const approved = await on(applicant, 'approve', coMaintainer, { note: 'Welcome aboard' });
    assert.equal(approved.status, 200);
    assert.equal(approved.body.status, 'approved');
    assert.equal(approved.body.decidedAt, ctx.clock.now().toISOString());
    assert.equal(approved.body.pitch, PITCH, 'maintainers see the pitch');
    await ctx.jobs.drain();
    const welcome = mailTo(applicant.email).at(-1);
    assert.ok(welcome);
    assert.equal(welcome.subject, `${fullName}: approved you as a helper`);
    assert.ok(welcome.text.includes('Welcome aboard'));
    assert.equal((await on(applicant, 'approve', maintainer)).status, 200, 'approving again changes nothing');
    await ctx.jobs.drain();
    assert.equal(mailTo(applicant.email).length, 1, 'and sends no second email');

    assert.equal((await on(applicant, 'reject', maintainer)).status, 409, 'an approved helper is removed, not rejected');
    assert.equal((await on(rejected, 'reject', maintainer)).body.status, 'rejected');
    assert.equal((await on(rejected, 'remove', maintainer)).status, 409);
    const removed = await on(applicant, 'remove', maintainer, { note: 'Inactive' });
    assert.equal(removed.status, 200);
    assert.equal(removed.body.status, 'removed');
    assert.equal((await on(applicant, 'reject', maintainer)).status, 409);
    assert.equal((await ctx.services.helpers.isApproved((await ctx.db.selectFrom('repos').select('id').where('full_name', '=', fullName).executeTakeFirstOrThrow()).id, applicant.id)), false);

    // A rejected or removed helper may apply again: a fresh application, without the old decision.
    ctx.clock.advance(MINUTE);
    const reapplied = await apply(rejected, url, `${PITCH} Since then I wrote the docs for v3.`);
    assert.equal(reapplied.body.status, 'applied');
    assert.equal(reapplied.body.decidedAt, null, 'the earlier rejection does not stick to the new application');
    const row = await ctx.db.selectFrom('repo_helpers').select(['decided_by', 'decision_note']).where('user_id', '=', rejected.id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { decided_by: null, decision_note: null });
    assert.equal((await on(rejected, 'approve', maintainer)).body.status, 'approved');
  });

  test('inviting by email creates the account if needed; accepting approves', async () => {
    const { url, maintainer, fullName } = await setup();
    const email = `invited-${Date.now().toString(36)}@example.com`;
    const stranger = await createUser(ctx);
    assert.equal((await stranger.api.post(`${url}/invitations`, { email })).status, 403);
    assert.equal((await maintainer.api.post(`${url}/invitations`, { email: 'not-an-email' })).status, 400);

    const invited = await maintainer.api.post(`${url}/invitations`, { email, note: 'You answer half our issues anyway.' });
    assert.equal(invited.status, 201);
    assert.equal(invited.body.status, 'invited');
    const account = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    assert.equal(account?.id, invited.body.userId, 'the invitee has an account now');
    await ctx.jobs.drain();
    const [invitation] = mailTo(email);
    assert.ok(invitation);
    assert.equal(invitation.subject, `Help support ${fullName} on Backline`);
    assert.ok(invitation.text.includes('You answer half our issues anyway.'));
    assert.ok(invitation.text.includes(`/s/${fullName}/help`));

    const notInvited = await stranger.api.post(`${url}/invitations/accept`);
    assert.equal(notInvited.status, 404);
    const publicBefore = await client(ctx).get(url);
    assert.ok(!publicBefore.body.items.some((item: { userId: string }) => item.userId === invited.body.userId), 'an invitation is not yet a helper');

    const browser = cookieClient(ctx, await signIn(ctx, email));
    const accepted = await browser.post(`${url}/invitations/accept`, {});
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.status, 'approved');
    assert.equal((await browser.get('/api/v1/me')).body.helps[0].status, 'approved');
    assert.equal((await browser.post(`${url}/invitations/accept`, {})).status, 404, 'an invitation is accepted once');
    const again = await maintainer.api.post(`${url}/invitations`, { email: email.toUpperCase() });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'already_helper');

    // An invited user who applies instead takes the invitation up.
    const other = await createUser(ctx);
    await maintainer.api.post(`${url}/invitations`, { email: other.email });
    const viaApplication = await other.api.post(`${url}/applications`, { pitch: PITCH });
    assert.equal(viaApplication.body.status, 'approved');
  });

  test('the public list shows approved helpers without pitches, and nothing when the repository hides helpers', async () => {
    const { url, maintainer, fullName } = await setup();
    const [approved, waiting, turnedDown] = [await createUser(ctx, { githubLogin: `gh-${Date.now().toString(36)}` }), await createUser(ctx), await createUser(ctx)];
    for (const user of [approved, waiting, turnedDown]) {
      await apply(user, url);
      ctx.clock.advance(MINUTE);
    }
    await maintainer.api.post(`${url}/${approved.id}/approve`, {});
    await maintainer.api.post(`${url}/${turnedDown.id}/reject`, {});

    for (const viewer of [client(ctx), waiting.api, approved.api]) {
      const listed = await viewer.get(url);
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.items.map((item: { userId: string }) => item.userId), [approved.id]);
      const [item] = listed.body.items;
      assert.equal(item.pitch, null, 'pitches are for maintainers');
      assert.equal(item.status, 'approved');
      assert.ok(item.githubLogin);
      assert.ok(!JSON.stringify(listed.body).includes(PITCH));
      assert.ok(!JSON.stringify(listed.body).includes('@example.com'), 'no email addresses');
    }
    assert.equal((await client(ctx).get(`${url}?status=applied`)).body.items.length, 1, 'the status filter does not reveal applications');

    const everything = await maintainer.api.get(url);
    assert.deepEqual(everything.body.items.map((item: { userId: string; status: string }) => [item.userId, item.status]), [
      [approved.id, 'approved'],
      [waiting.id, 'applied'],
      [turnedDown.id, 'rejected'],
    ]);
    assert.ok(everything.body.items.every((item: { pitch: string }) => item.pitch === PITCH));
    const applications = await maintainer.api.get(`${url}?status=applied`);
    assert.deepEqual(applications.body.items.map((item: { userId: string }) => item.userId), [waiting.id]);
    const operator = await createUser(ctx, { operator: true });
    assert.equal((await operator.api.get(url)).body.items.length, 3);

    const hidden = await maintainer.api.patch(`/api/v1/repos/${fullName}`, { showHelpers: false });
    assert.equal(hidden.status, 200);
    assert.deepEqual((await client(ctx).get(url)).body.items, []);
    assert.deepEqual((await approved.api.get(url)).body.items, []);
    assert.equal((await maintainer.api.get(url)).body.items.length, 3, 'maintainers still see their roster');
  });

  test('an application and the emails to the maintainers are recorded together or not at all', async () => {
    const { url, maintainer } = await setup();
    const applicant = await createUser(ctx);
    await sql`CREATE FUNCTION refuse_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'mail store unavailable'; END $$`.execute(ctx.db);
    await sql`CREATE TRIGGER refuse_email BEFORE INSERT ON emails FOR EACH ROW EXECUTE FUNCTION refuse_email()`.execute(ctx.db);
    try {
      const failed = await applicant.api.post(`${url}/applications`, { pitch: PITCH });
      assert.equal(failed.status, 500);
      assert.equal(failed.body.error.code, 'internal_error');
      assert.ok(!JSON.stringify(failed.body).includes('mail store'), 'no internals in a 500');
    } finally {
      await sql`DROP TRIGGER refuse_email ON emails`.execute(ctx.db);
      await sql`DROP FUNCTION refuse_email()`.execute(ctx.db);
    }
    const row = await ctx.db.selectFrom('repo_helpers').select('status').where('user_id', '=', applicant.id).executeTakeFirst();
    assert.equal(row, undefined, 'no application whose maintainers were never told');
    await apply(applicant, url);
    await ctx.jobs.drain();
    assert.ok(mailTo(maintainer.email).some((email) => email.subject.includes(applicant.email)));
  });
});
