import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { approvedHelper as approveHelper, businessHoursPolicy, openTicket } from '../../../test/helpers/support.ts';
import type { TicketStatus } from '../../db/types.ts';
import { MINUTE } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { NOTIFY_HELPERS_JOB, notifyHelpersJob } from './tickets.jobs.ts';
import { openTickets, queueQuery, type Opening } from './tickets.repository.ts';
import { STATUSES } from './tickets.schemas.ts';
import { nextStatus, TRANSITIONS, type TicketAction } from './tickets.state.ts';

type Repo = Awaited<ReturnType<typeof createRepo>>;

describe('tickets', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  const approvedHelper = (repo: Repo, helper?: TestUser) => approveHelper(ctx, repo, helper);
  const open = openTicket;

  /** A repository with one approved helper who claimed a fresh expert ticket of `customer`. */
  async function claimedTicket() {
    const repo = await createRepo(ctx);
    const helper = await approvedHelper(repo);
    const customer = await createUser(ctx);
    const ticket = await open(customer, repo);
    assert.equal((await helper.api.post(`/api/v1/tickets/${ticket.id}/claim`)).status, 200);
    return { repo, helper, customer, ticket, url: `/api/v1/tickets/${ticket.id}` };
  }

  test('the state table: every move it lists is allowed, every other one is a 409 that names the status and the action', () => {
    for (const action of Object.keys(TRANSITIONS) as TicketAction[]) {
      for (const status of STATUSES as readonly TicketStatus[]) {
        const listed = TRANSITIONS[action][status];
        if (listed) {
          assert.equal(nextStatus({ status, assignee_id: null }, action), listed);
          continue;
        }
        assert.throws(
          () => nextStatus({ status, assignee_id: null }, action),
          (error: any) => error.status === 409 && error.code === 'invalid_transition' && error.message.includes(status.replaceAll('_', ' ')) && error.message.includes(`"${action}"`),
        );
      }
    }
    assert.equal(nextStatus({ status: 'closed', assignee_id: 'someone' }, 'reopen'), 'in_progress', 'a reopened ticket goes back to its assignee');
    assert.equal(nextStatus({ status: 'closed', assignee_id: null }, 'reopen'), 'open');
  });

  test('tickets opened at once (one statement for several, by group commit) each get their own answer, event, jobs and SLA clock', async () => {
    const withSla = await createRepo(ctx);
    await businessHoursPolicy(withSla, { normal: { firstResponse: 60, resolution: 480 } });
    const without = await createRepo(ctx);
    const customer = await createUser(ctx);
    const asked = Array.from({ length: 8 }, (_, index) => ({ repo: index % 2 ? without : withSla, track: index % 4 === 3 ? 'community' : 'expert', title: `At once ${index}` }));
    const opened = await Promise.all(asked.map((ask) => open(customer, ask.repo, { title: ask.title, track: ask.track })));
    for (const [index, ticket] of opened.entries()) {
      const ask = asked[index];
      assert.deepEqual({ title: ticket.title, repo: ticket.repo, track: ticket.track }, { title: ask.title, repo: ask.repo.fullName, track: ask.track });
      assert.equal(ticket.sla !== null, ask.repo === withSla && ask.track === 'expert', `${ask.title}: an SLA clock only for expert tickets of the repository with a policy`);
      // The answer is what a later read shows, clock included.
      assert.deepEqual((await customer.api.get(`/api/v1/tickets/${ticket.id}`)).body, ticket);
      const events = await ctx.db.selectFrom('ticket_events').select('type').where('ticket_id', '=', ticket.id).execute();
      assert.deepEqual(events.map((event) => event.type), ['created']);
      const notify = await ctx.db.selectFrom('jobs').select('id').where('queue', '=', NOTIFY_HELPERS_JOB).where(sql<boolean>`payload->>'ticketId' = ${ticket.id}`).execute();
      assert.equal(notify.length, ask.track === 'expert' ? 1 : 0, `${ask.title}: helpers are told of expert tickets only`);
    }
  });

  test('one statement opens several tickets (a group commit batch): each comes back in the order asked, with its own event and jobs', async () => {
    const repos = [await createRepo(ctx), await createRepo(ctx)];
    const customer = await createUser(ctx);
    const now = ctx.clock.now();
    const openings: Opening[] = [0, 1, 2].map((index) => {
      const id = newId(now.getTime());
      const repoId = repos[index % 2].id;
      const track = index === 1 ? 'community' : 'expert';
      return {
        values: { id, repo_id: repoId, requester_id: customer.id, title: `Batch ${index}`, body: 'b', body_html: '<p>b</p>', track, priority: 'normal', channel: 'api', status: 'open', created_at: now, updated_at: now },
        event: { ticketId: id, actorId: customer.id, type: 'created', at: now },
        jobs: track === 'expert' ? [notifyHelpersJob(ctx.clock, id)] : [],
        also: [],
        shows: { sla_source: index === 2 ? 'plan' : null },
      };
    });
    // Handed over in reverse repository order: the statement sorts them, the answer keeps the order asked.
    const asked = repos[0].id < repos[1].id ? [...openings].reverse() : openings;
    const opened = await openTickets(ctx.db, asked);
    assert.deepEqual(opened.map((ticket) => [ticket.id, ticket.title, ticket.repo_id, ticket.sla_source]), asked.map((opening) => [opening.values.id, opening.values.title, opening.values.repo_id, opening.shows.sla_source]));
    for (const opening of openings) {
      const events = await ctx.db.selectFrom('ticket_events').select('type').where('ticket_id', '=', opening.values.id).execute();
      assert.deepEqual(events.map((event) => event.type), ['created']);
      const jobs = await ctx.db.selectFrom('jobs').select('id').where('queue', '=', NOTIFY_HELPERS_JOB).where(sql<boolean>`payload->>'ticketId' = ${opening.values.id}`).execute();
      assert.equal(jobs.length, opening.values.track === 'expert' ? 1 : 0);
    }
  });

  test('opening a ticket: defaults, the JSON shape, bad input, offerings, unknown and unverified repositories', async () => {
    const repo = await createRepo(ctx);
    const customer = await createUser(ctx, { name: 'Cora' });
    const ticket = await open(customer, repo, { priority: undefined });
    assert.equal(ticket.repo, repo.fullName);
    assert.equal(ticket.status, 'open');
    assert.equal(ticket.priority, 'normal');
    assert.equal(ticket.channel, 'api');
    assert.deepEqual(ticket.requester, { id: customer.id, displayName: 'Cora' });
    assert.equal(ticket.assignee, null);
    assert.equal(ticket.org, null);
    assert.equal(ticket.rating, null);
    assert.equal(ticket.createdAt, ctx.clock.now().toISOString());
    assert.equal(ticket.bodyHtml, '<p>It grows.</p>\n');

    const post = (fields: Record<string, unknown>) => customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'T', body: 'B', track: 'expert', ...fields });
    const bad = await post({ title: 'x'.repeat(201), priority: 'whenever', track: 'psychic' });
    assert.equal(bad.status, 400);
    const paths = bad.body.error.details.map((detail: { path: string }) => detail.path);
    for (const path of ['body.title', 'body.priority', 'body.track']) assert.ok(paths.includes(path), path);
    assert.equal((await post({ body: 'y'.repeat(20_001) })).status, 400);
    assert.equal((await post({ repo: 'nobody/nothing' })).status, 404);
    assert.equal((await client(ctx).post('/api/v1/tickets', { repo: repo.fullName, title: 'T', body: 'B', track: 'expert' })).status, 401);

    const pending = await repo.maintainer.api.post('/api/v1/repos', { fullName: `pending-${Date.now()}/lib` });
    assert.equal((await post({ repo: pending.body.fullName })).status, 404, 'an unverified claim takes no tickets');

    await repo.maintainer.api.patch(`/api/v1/repos/${repo.fullName}`, { offerings: { expert: false, ai: false, community: true } });
    const refused = await post({});
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'track_not_offered');
    assert.match(refused.body.error.message, /does not offer expert support; choose one of: community/);
    assert.equal((await post({ track: 'ai' })).body.error.code, 'track_not_offered');
    assert.equal((await post({ track: 'community' })).status, 201);
  });

  test('Markdown is rendered without raw HTML and without script links', async () => {
    const repo = await createRepo(ctx);
    const customer = await createUser(ctx);
    const hostile = '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3)) and **bold**';
    const ticket = await open(customer, repo, { body: hostile });
    const message = await customer.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: hostile });
    assert.equal(message.status, 201);
    for (const html of [ticket.bodyHtml, message.body.bodyHtml] as string[]) {
      assert.doesNotMatch(html, /<script/i);
      assert.doesNotMatch(html, /<img/i);
      assert.doesNotMatch(html, /href="javascript:/i);
      assert.match(html, /&lt;script&gt;/);
      assert.match(html, /<strong>bold<\/strong>/);
    }
    assert.equal(message.body.body, hostile, 'the source is kept as written');
  });

  test('who sees a ticket: requester, org admins, maintainers, approved helpers, operators; a 404 for everyone else', async () => {
    const repo = await createRepo(ctx);
    const helper = await approvedHelper(repo);
    const applicant = await createUser(ctx);
    await applicant.api.post(`/api/v1/repos/${repo.fullName}/helpers/applications`, { pitch: 'I would like to help out here.' });
    const admin = await createUser(ctx);
    const member = await createUser(ctx);
    const colleague = await createUser(ctx);
    const slug = `corp-${Date.now().toString(36)}`;
    await admin.api.post('/api/v1/orgs', { slug, name: 'Corp' });
    for (const user of [member, colleague]) {
      assert.equal((await admin.api.post(`/api/v1/orgs/${slug}/invitations`, { email: user.email, role: 'member' })).status, 201);
      const invitation = await ctx.db.selectFrom('emails').select('text_body').where('to_address', '=', user.email).executeTakeFirstOrThrow();
      const token = /token=(\S+)/.exec(invitation.text_body)![1];
      assert.equal((await user.api.post('/api/v1/invitations/accept', { token })).status, 200);
    }
    const operator = await createUser(ctx, { operator: true });
    const stranger = await createUser(ctx);

    const ticket = await open(member, repo, { org: slug });
    assert.equal(ticket.org, slug);
    const aiTicket = await open(member, repo, { track: 'community' });
    const notMember = await stranger.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'T', body: 'B', track: 'expert', org: slug });
    assert.equal(notMember.status, 404);

    for (const [who, user] of [['requester', member], ['org admin', admin], ['maintainer', repo.maintainer], ['approved helper', helper], ['operator', operator]] as const) {
      assert.equal((await user.api.get(`/api/v1/tickets/${ticket.id}`)).status, 200, who);
      const listed = await user.api.get(`/api/v1/tickets?repo=${repo.fullName}&track=expert`);
      assert.deepEqual(listed.body.items.map((item: { id: string }) => item.id), [ticket.id], who);
    }
    for (const [who, user] of [['org member', colleague], ['applicant', applicant], ['stranger', stranger]] as const) {
      const response = await user.api.get(`/api/v1/tickets/${ticket.id}`);
      assert.equal(response.status, 404, who);
      assert.equal((await user.api.get(`/api/v1/tickets/${ticket.id}/messages`)).status, 404, who);
      assert.equal((await user.api.post(`/api/v1/tickets/${ticket.id}/cancel`)).status, 404, who);
      assert.deepEqual((await user.api.get(`/api/v1/tickets?repo=${repo.fullName}&track=expert`)).body.items, [], who);
    }
    assert.equal((await client(ctx).get(`/api/v1/tickets/${ticket.id}`)).status, 401);
    assert.equal((await stranger.api.get(`/api/v1/tickets/${aiTicket.id}`)).status, 200, 'community tickets are public to the signed-in');
    assert.equal((await stranger.api.get('/api/v1/tickets/00000000-0000-7000-8000-000000000000')).status, 404);
  });

  test('community tickets: anyone signed in reads and answers; internal notes stay with the repository team', async () => {
    const repo = await createRepo(ctx);
    const helper = await approvedHelper(repo);
    const customer = await createUser(ctx);
    const passerby = await createUser(ctx);
    const ticket = await open(customer, repo, { track: 'community' });
    const url = `/api/v1/tickets/${ticket.id}`;

    const answer = await passerby.api.post(`${url}/messages`, { body: 'Try `--max-old-space-size`.' });
    assert.equal(answer.status, 201);
    assert.equal((await passerby.api.post(`${url}/messages`, { body: 'psst', internal: true })).status, 403);
    assert.equal((await customer.api.post(`${url}/messages`, { body: 'psst', internal: true })).status, 403);
    const note = await helper.api.post(`${url}/messages`, { body: 'This is the known leak in 2.x', internal: true });
    assert.equal(note.status, 201);
    assert.equal(note.body.internal, true);
    assert.equal((await customer.api.get(url)).body.firstResponseAt, ctx.clock.now().toISOString());

    for (const user of [customer, passerby]) {
      const messages = await user.api.get(`${url}/messages`);
      assert.deepEqual(messages.body.items.map((message: { internal: boolean }) => message.internal), [false]);
      const events = await user.api.get(`${url}/events`);
      assert.ok(!events.body.items.some((event: { type: string }) => event.type === 'note_added'));
    }
    const teamView = await repo.maintainer.api.get(`${url}/messages`);
    assert.deepEqual(teamView.body.items.map((message: { internal: boolean }) => message.internal), [false, true]);
    assert.ok((await helper.api.get(`${url}/events`)).body.items.some((event: { type: string }) => event.type === 'note_added'));

    const passerbyList = await passerby.api.get('/api/v1/tickets');
    assert.ok(!passerbyList.body.items.some((item: { id: string }) => item.id === ticket.id), "other people's community tickets stay out of my list");
    const repoList = await passerby.api.get(`/api/v1/tickets?repo=${repo.fullName}`);
    assert.deepEqual(repoList.body.items.map((item: { id: string }) => item.id), [ticket.id], 'but a repository list shows its public questions');
    assert.deepEqual((await customer.api.get('/api/v1/tickets')).body.items.map((item: { id: string }) => item.id), [ticket.id]);

    assert.equal((await helper.api.post(`${url}/claim`)).body.error.code, 'not_claimable');
    assert.equal((await passerby.api.post(`${url}/resolve`, { summary: 'done' })).status, 403);
    const resolved = await customer.api.post(`${url}/resolve`, { summary: 'The flag fixed it.' });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.body.status, 'resolved');
  });

  test('parallel claims: exactly one helper wins, the others get 409', async () => {
    const repo = await createRepo(ctx);
    const helpers = [];
    for (let index = 0; index < 5; index++) helpers.push(await approvedHelper(repo));
    const ticket = await open(await createUser(ctx), repo);
    const responses = await Promise.all(helpers.map((helper) => helper.api.post(`/api/v1/tickets/${ticket.id}/claim`)));
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409, 409]);
    const winner = helpers[responses.findIndex((response) => response.status === 200)];
    for (const response of responses.filter((candidate) => candidate.status === 409)) {
      assert.equal(response.body.error.code, 'invalid_transition');
      assert.match(response.body.error.message, /claimed.*"claim"/);
    }
    const final = await winner.api.get(`/api/v1/tickets/${ticket.id}`);
    assert.equal(final.body.assignee.id, winner.id);
    assert.equal(final.body.status, 'claimed');
    const claims = await ctx.db.selectFrom('ticket_events').select('id').where('ticket_id', '=', ticket.id).where('type', '=', 'claimed').execute();
    assert.equal(claims.length, 1);
  });

  test('an expert ticket from claim to reopen: statuses, first response, customer replies, every step an event', async () => {
    const { helper, customer, ticket, url } = await claimedTicket();
    assert.equal((await customer.api.post(`${url}/messages`, { body: 'Any news?' })).status, 201);
    assert.equal((await customer.api.get(url)).body.firstResponseAt, null, "the customer's own messages are no response");
    assert.equal((await helper.api.post(`${url}/messages`, { body: 'Checking', internal: true })).status, 201);
    assert.equal((await customer.api.get(url)).body.firstResponseAt, null, 'an internal note is no response');
    ctx.clock.advance(5 * MINUTE);
    await helper.api.post(`${url}/messages`, { body: 'Can you send a heap snapshot?' });
    const firstResponseAt = ctx.clock.now().toISOString();
    assert.equal((await customer.api.get(url)).body.firstResponseAt, firstResponseAt);

    const waiting = await helper.api.post(`${url}/status`, { status: 'waiting_on_customer' });
    assert.equal(waiting.body.status, 'waiting_on_customer');
    const again = await helper.api.post(`${url}/status`, { status: 'waiting_on_customer' });
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /waiting on customer/);
    ctx.clock.advance(MINUTE);
    await customer.api.post(`${url}/messages`, { body: 'Here it is.' });
    const back = await customer.api.get(url);
    assert.equal(back.body.status, 'in_progress', 'a customer reply moves it back to work');
    assert.equal(back.body.firstResponseAt, firstResponseAt, 'the first response is recorded once');

    const early = await customer.api.post(`${url}/confirm`);
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'invalid_transition');
    assert.match(early.body.error.message, /in progress.*"confirm"/);

    const resolved = await helper.api.post(`${url}/resolve`, { summary: 'Upgrade to 2.3.1.' });
    assert.equal(resolved.body.resolutionSummary, 'Upgrade to 2.3.1.');
    assert.equal((await customer.api.post(`${url}/cancel`)).body.error.code, 'invalid_transition');
    const closed = await customer.api.post(`${url}/confirm`);
    assert.equal(closed.body.status, 'closed');
    assert.ok(closed.body.confirmedAt && closed.body.closedAt);
    const closedReply = await customer.api.post(`${url}/messages`, { body: 'one more thing' });
    assert.equal(closedReply.body.error.code, 'ticket_closed');

    const reopened = await customer.api.post(`${url}/reopen`, { reason: 'It came back.' });
    assert.equal(reopened.body.status, 'in_progress');
    assert.equal(reopened.body.assignee.id, helper.id);
    assert.equal(reopened.body.closedAt, null);
    assert.equal(reopened.body.resolutionSummary, null);

    const released = await helper.api.post(`${url}/release`);
    assert.equal(released.body.status, 'open');
    assert.equal(released.body.assignee, null);
    const cancelled = await customer.api.post(`${url}/cancel`, { reason: 'Found it myself.' });
    assert.equal(cancelled.body.status, 'cancelled');
    assert.ok(cancelled.body.cancelledAt);
    assert.equal((await customer.api.post(`${url}/reopen`)).status, 409);

    const events = await helper.api.get(`${url}/events?limit=100`);
    assert.deepEqual(
      events.body.items.map((event: { type: string; data: { to?: string } }) => (event.type === 'status_changed' ? `status:${event.data.to}` : event.type)),
      ['created', 'claimed', 'message_added', 'note_added', 'message_added', 'status:waiting_on_customer', 'message_added', 'status:in_progress', 'resolved', 'confirmed', 'reopened', 'released', 'cancelled'],
    );
    assert.deepEqual(events.body.items.find((event: { type: string }) => event.type === 'claimed').actor, { id: helper.id, displayName: helper.email.split('@')[0] });
    const page = await helper.api.get(`${url}/events?limit=5`);
    const next = await helper.api.get(`${url}/events?limit=5&cursor=${page.body.nextCursor}`);
    assert.equal(next.body.items[0].id, events.body.items[5].id);
  });

  test('who may act: helpers claim, assignees set status, maintainers assign, customers confirm, cancel and rate', async () => {
    const repo = await createRepo(ctx);
    const [first, second] = [await approvedHelper(repo), await approvedHelper(repo)];
    const outsider = await createUser(ctx);
    const customer = await createUser(ctx);
    const ticket = await open(customer, repo, { track: 'expert' });
    const url = `/api/v1/tickets/${ticket.id}`;
    assert.equal((await repo.maintainer.api.post(`${url}/claim`)).status, 403, 'maintainers assign, helpers claim');
    assert.equal((await customer.api.post(`${url}/claim`)).status, 403);
    assert.equal((await first.api.post(`${url}/assign`, { userId: second.id })).status, 403);
    const toOutsider = await repo.maintainer.api.post(`${url}/assign`, { userId: outsider.id });
    assert.equal(toOutsider.status, 400);
    assert.equal(toOutsider.body.error.details[0].path, 'body.userId');

    const assigned = await repo.maintainer.api.post(`${url}/assign`, { userId: first.id });
    assert.equal(assigned.body.status, 'claimed');
    assert.equal(assigned.body.assignee.id, first.id);
    assert.equal((await second.api.post(`${url}/messages`, { body: 'I can do it cheaper' })).status, 403, 'other helpers do not talk to the customer');
    assert.equal((await second.api.post(`${url}/status`, { status: 'in_progress' })).status, 403);
    assert.equal((await second.api.post(`${url}/resolve`, { summary: 'x' })).status, 403);
    assert.equal((await customer.api.post(`${url}/resolve`, { summary: 'x' })).status, 403, 'expert work is resolved by the assignee');
    assert.equal((await first.api.post(`${url}/cancel`)).status, 403);

    const moved = await repo.maintainer.api.post(`${url}/assign`, { userId: second.id });
    assert.equal(moved.body.assignee.id, second.id);
    assert.equal((await first.api.post(`${url}/status`, { status: 'in_progress' })).status, 403);
    assert.equal((await second.api.post(`${url}/status`, { status: 'in_progress' })).body.status, 'in_progress');
    assert.equal((await repo.maintainer.api.post(`${url}/resolve`, { summary: 'Closed as duplicate of #12' })).body.status, 'resolved');
    assert.equal((await second.api.post(`${url}/confirm`)).status, 403);
    assert.equal((await customer.api.post(`${url}/confirm`)).body.status, 'closed');
  });

  test('a rating is given once, and only after the ticket is resolved', async () => {
    const { helper, customer, url } = await claimedTicket();
    const early = await customer.api.post(`${url}/rating`, { score: 5, comment: 'fast' });
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'not_resolved');
    await helper.api.post(`${url}/resolve`, { summary: 'Done.' });
    assert.equal((await customer.api.post(`${url}/rating`, { score: 6 })).status, 400);
    assert.equal((await helper.api.post(`${url}/rating`, { score: 5 })).status, 403, 'helpers do not rate themselves');
    const rated = await customer.api.post(`${url}/rating`, { score: 4, comment: 'Solid.' });
    assert.equal(rated.status, 200);
    assert.deepEqual(rated.body.rating, { score: 4, comment: 'Solid.', ratedAt: ctx.clock.now().toISOString() });
    const twice = await customer.api.post(`${url}/rating`, { score: 1 });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'already_rated');
    assert.equal((await customer.api.get(url)).body.rating.score, 4);
  });

  test('helpers are emailed once each about a new expert ticket; the requester hears of the claim and the resolution', async () => {
    const repo = await createRepo(ctx);
    const approved = [await approvedHelper(repo), await approvedHelper(repo)];
    const applicant = await createUser(ctx);
    await applicant.api.post(`/api/v1/repos/${repo.fullName}/helpers/applications`, { pitch: 'Please let me help you.' });
    const removed = await approvedHelper(repo);
    assert.equal((await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/helpers/${removed.id}/remove`, {})).status, 200);
    await ctx.jobs.drain();
    const customer = await createUser(ctx);
    const ticket = await open(customer, repo, { title: 'Deadlock under load', priority: 'urgent' });

    const job = await ctx.db.selectFrom('jobs').select(['payload', 'completed_at']).where('queue', '=', NOTIFY_HELPERS_JOB).where(sql<boolean>`payload->>'ticketId' = ${ticket.id}`).executeTakeFirst();
    assert.ok(job && !job.completed_at, 'the notification job was enqueued with the ticket');
    const sentBefore = ctx.sent.length;
    await ctx.jobs.drain();
    const notices = ctx.sent.slice(sentBefore).filter((email) => email.subject.includes('Deadlock under load'));
    assert.deepEqual(notices.map((email) => email.to).sort(), approved.map((helper) => helper.email).sort());
    assert.match(notices[0].subject, /urgent expert ticket/);

    // A retry of the whole job (a worker died after sending) must not send anything twice.
    await ctx.db.updateTable('jobs').set({ completed_at: null, run_at: ctx.clock.now() }).where('queue', '=', NOTIFY_HELPERS_JOB).execute();
    await ctx.jobs.drain();
    assert.equal(ctx.sent.filter((email) => email.subject.includes('Deadlock under load')).length, 2);

    const toCustomer = () => ctx.sent.filter((email) => email.to === customer.email).map((email) => email.subject);
    await approved[0].api.post(`/api/v1/tickets/${ticket.id}/claim`);
    await ctx.jobs.drain();
    assert.deepEqual(toCustomer(), [`[${repo.fullName}] An expert is on it: Deadlock under load`]);
    await approved[0].api.post(`/api/v1/tickets/${ticket.id}/resolve`, { summary: 'Lock ordering fixed in 3.1.' });
    await ctx.jobs.drain();
    assert.equal(toCustomer().length, 2);
    assert.match(toCustomer()[1], /Resolved: Deadlock under load/);
    assert.match(ctx.sent.at(-1)!.text, /Lock ordering fixed in 3\.1\./);
  });

  test('a ticket whose creation rolls back leaves no notification job behind', async () => {
    const repo = await createRepo(ctx);
    await approvedHelper(repo);
    const customer = await createUser(ctx);
    // Fails at COMMIT, after the ticket, its event and its job were all written in the transaction.
    await sql`
      CREATE FUNCTION refuse_ticket() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
      CREATE CONSTRAINT TRIGGER refuse_doomed_ticket AFTER INSERT ON tickets DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.title = 'doomed') EXECUTE FUNCTION refuse_ticket();
    `.execute(ctx.db);
    try {
      const jobsBefore = await ctx.db.selectFrom('jobs').select('id').where('queue', '=', NOTIFY_HELPERS_JOB).execute();
      const failed = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'doomed', body: 'B', track: 'expert' });
      assert.equal(failed.status, 500);
      const jobsAfter = await ctx.db.selectFrom('jobs').select('id').where('queue', '=', NOTIFY_HELPERS_JOB).execute();
      assert.equal(jobsAfter.length, jobsBefore.length);
      assert.equal((await ctx.db.selectFrom('tickets').select('id').where('title', '=', 'doomed').execute()).length, 0);
      assert.equal((await ctx.db.selectFrom('ticket_events').select('id').where('type', '=', 'created').where('actor_id', '=', customer.id).execute()).length, 0);
    } finally {
      await sql`DROP TRIGGER refuse_doomed_ticket ON tickets; DROP FUNCTION refuse_ticket();`.execute(ctx.db);
    }
  });

  test('the helper queue: every repository I help (or one), urgent first then oldest, my assigned work, pages, and an index', async () => {
    const [first, second, elsewhere] = [await createRepo(ctx, { expert: true }), await createRepo(ctx), await createRepo(ctx)];
    const helper = await approvedHelper(first);
    await approvedHelper(second, helper);
    const rival = await approvedHelper(second);
    const customer = await createUser(ctx);
    const opened: Record<string, string> = {};
    for (const [name, repo, priority] of [
      ['low-1', first, 'low'],
      ['normal-2', second, 'normal'],
      ['urgent-1', first, 'urgent'],
      ['elsewhere', elsewhere, 'urgent'],
      ['normal-1', first, 'normal'],
      ['urgent-2', second, 'urgent'],
      ['taken', second, 'high'],
      ['mine', first, 'high'],
      ['done', first, 'urgent'],
      ['community', first, 'urgent'],
    ] as const) {
      ctx.clock.advance(MINUTE);
      opened[name] = (await open(customer, repo, { title: name, priority, track: name === 'community' ? 'community' : 'expert' })).id;
    }
    assert.equal((await rival.api.post(`/api/v1/tickets/${opened.taken}/claim`)).status, 200);
    assert.equal((await helper.api.post(`/api/v1/tickets/${opened.mine}/claim`)).status, 200);
    await helper.api.post(`/api/v1/tickets/${opened.done}/claim`);
    await helper.api.post(`/api/v1/tickets/${opened.done}/resolve`, { summary: 'ok' });
    await customer.api.post(`/api/v1/tickets/${opened.done}/confirm`);

    const titles: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await helper.api.get(`/api/v1/helpers/me/queue?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      titles.push(...page.body.items.map((ticket: { title: string }) => ticket.title));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(titles, ['urgent-1', 'urgent-2', 'mine', 'normal-2', 'normal-1', 'low-1']);
    assert.equal((await helper.api.get('/api/v1/helpers/me/queue?cursor=WyJ4IiwieSJd')).status, 400);

    // One repository of the queue: its open tickets and my work there, in the same order; none of another's.
    const onlyTitles = async (fullName: string) => (await helper.api.get(`/api/v1/helpers/me/queue?repo=${fullName}`)).body.items.map((ticket: { title: string }) => ticket.title);
    assert.deepEqual(await onlyTitles(first.fullName), ['urgent-1', 'mine', 'normal-1', 'low-1']);
    assert.deepEqual(await onlyTitles(second.fullName), ['urgent-2', 'normal-2']);
    assert.deepEqual(await onlyTitles(elsewhere.fullName), [], 'a repository I do not help shows nothing of its tickets');
    const unknown = await helper.api.get('/api/v1/helpers/me/queue?repo=nobody/nothing');
    assert.equal(unknown.status, 404);
    const malformed = await helper.api.get('/api/v1/helpers/me/queue?repo=not-a-repo');
    assert.equal(malformed.status, 400);
    assert.match(JSON.stringify(malformed.body.error.details), /repo/);
    assert.deepEqual((await customer.api.get('/api/v1/helpers/me/queue')).body.items, []);

    // The plan must be able to come from the indexes alone, whatever the table size.
    await ctx.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const plan = await queueQuery(trx, { userId: helper.id, helperOf: ctx.services.helpers.approvedRepoIdsQuery(helper.id), rank: 1, id: opened.mine, fetch: 26 }).explain();
      const text = plan.map((row) => Object.values(row).join(' ')).join('\n');
      assert.match(text, /tickets_queue_idx/);
      // The assigned part walks its own index in order too (priority, then id), rather than reading every assigned ticket.
      assert.match(text, /tickets_assigned_queue_idx/);
      assert.doesNotMatch(text, /Seq Scan on tickets/);
    });
  });

  test('listing: newest first, filters, cursor pages, bad cursors', async () => {
    const repo = await createRepo(ctx);
    const customer = await createUser(ctx);
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ctx.clock.advance(MINUTE);
      ids.push((await open(customer, repo, { title: `t${index}`, track: index % 2 ? 'community' : 'expert' })).id);
    }
    await customer.api.post(`/api/v1/tickets/${ids[0]}/cancel`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await customer.api.get(`/api/v1/tickets?repo=${repo.fullName}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((ticket: { id: string }) => ticket.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...ids].reverse());
    const expertOpen = await customer.api.get(`/api/v1/tickets?repo=${repo.fullName}&track=expert&status=open`);
    assert.deepEqual(expertOpen.body.items.map((ticket: { id: string }) => ticket.id), [ids[4], ids[2]]);
    assert.equal((await customer.api.get('/api/v1/tickets?cursor=bm9wZQ')).status, 400);
    assert.equal((await customer.api.get('/api/v1/tickets?status=stuck')).status, 400);
  });

  test('opening a ticket writes it, its created event and, for an expert ticket alone, the helpers\' notification job', async () => {
    const repo = await createRepo(ctx);
    const customer = await createUser(ctx);
    const jobFor = (id: string) => ctx.db.selectFrom('jobs').select('id').where('queue', '=', NOTIFY_HELPERS_JOB).where(sql<boolean>`payload->>'ticketId' = ${id}`).execute();
    for (const track of ['expert', 'community'] as const) {
      const ticket = await open(customer, repo, { track, priority: 'high' });
      assert.equal(ticket.requester.displayName, customer.email.split('@')[0]);
      assert.equal(ticket.repo, repo.fullName);
      const events = (await customer.api.get(`/api/v1/tickets/${ticket.id}/events`)).body.items;
      assert.deepEqual(events.map((event: { type: string }) => event.type), ['created']);
      assert.equal(events[0].data.track, track);
      assert.equal(events[0].data.priority, 'high');
      assert.equal((await jobFor(ticket.id)).length, track === 'expert' ? 1 : 0);
    }
  });

  test('two answers at once: the first response is recorded once, and exactly one answer\'s event says it was the first', async () => {
    const { repo, helper, url } = await claimedTicket();
    const answers = await Promise.all([helper.api.post(`${url}/messages`, { body: 'Looking' }), repo.maintainer.api.post(`${url}/messages`, { body: 'On it' })]);
    assert.deepEqual(answers.map((answer) => answer.status), [201, 201]);
    assert.deepEqual(answers.map((answer) => answer.body.author.id), [helper.id, repo.maintainer.id]);
    const events = (await helper.api.get(`${url}/events`)).body.items.filter((event: { type: string }) => event.type === 'message_added');
    assert.deepEqual(events.map((event: { data: { firstResponse: boolean } }) => event.data.firstResponse).sort(), [false, true]);
    assert.deepEqual(events.map((event: { data: { messageId: string } }) => event.data.messageId).sort(), answers.map((answer) => answer.body.id).sort());
    assert.equal((await helper.api.get(url)).body.firstResponseAt, ctx.clock.now().toISOString());
  });

  test('the OpenAPI document describes every ticket route', async () => {
    const spec = (await client(ctx).get('/openapi.json')).body;
    for (const action of ['claim', 'release', 'assign', 'status', 'resolve', 'confirm', 'reopen', 'cancel', 'rating', 'messages', 'events']) {
      const path = spec.paths[`/api/v1/tickets/{id}/${action}`];
      assert.ok(path, action);
      const operation = path.post ?? path.get;
      assert.ok(operation.summary && operation.tags.includes('tickets'), action);
    }
    assert.ok(spec.paths['/api/v1/tickets'].post.requestBody);
    assert.ok(spec.paths['/api/v1/helpers/me/queue'].get);
  });
});
