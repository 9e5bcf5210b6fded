import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MINUTE } from '../src/lib/clock.ts';
import { startTestApp, type TestContext } from './helpers/app.ts';
import { createUser } from './helpers/factories.ts';

let ctx: TestContext;
before(async () => (ctx = await startTestApp()));
after(() => ctx.close());

test('the main journey over HTTP: a repository, its helpers, an expert ticket claimed once, answered, resolved, confirmed and rated', async () => {
  const maintainer = await createUser(ctx, { name: 'Maya Maintainer' });
  const operator = await createUser(ctx, { operator: true });
  const helperA = await createUser(ctx, { name: 'Ada Helper' });
  const helperB = await createUser(ctx, { name: 'Bo Helper' });
  const customer = await createUser(ctx, { name: 'Cy Customer' });
  const repoUrl = '/api/v1/repos/journey/widgets';

  const registered = await maintainer.api.post('/api/v1/repos', { fullName: 'journey/widgets', description: 'Widgets for everyone' });
  assert.equal(registered.status, 201);
  assert.equal(registered.body.status, 'pending');
  assert.equal((await operator.api.post('/api/v1/admin/repos/journey/widgets/verify', { decision: 'verified' })).body.status, 'verified');
  assert.equal((await maintainer.api.patch(repoUrl, { offerings: { expert: true } })).body.offerings.expert, true);

  for (const helper of [helperA, helperB]) {
    assert.equal((await helper.api.post(`${repoUrl}/helpers/applications`, { pitch: 'I wrote half of the widget renderer.' })).status, 201);
    assert.equal((await maintainer.api.post(`${repoUrl}/helpers/${helper.id}/approve`, {})).body.status, 'approved');
  }
  await ctx.jobs.drain();

  ctx.clock.advance(MINUTE);
  const opened = await customer.api.post('/api/v1/tickets', {
    repo: 'journey/widgets',
    title: 'Widgets flicker on resize',
    body: 'Since 4.2 every widget **flickers** when the window is resized.',
    track: 'expert',
    priority: 'high',
    channel: 'web',
  });
  assert.equal(opened.status, 201);
  const url = `/api/v1/tickets/${opened.body.id}`;

  const sentBefore = ctx.sent.length;
  await ctx.jobs.drain();
  const notices = ctx.sent.slice(sentBefore).filter((email) => email.subject.includes('Widgets flicker on resize'));
  assert.deepEqual(notices.map((email) => email.to).sort(), [helperA.email, helperB.email].sort());
  for (const helper of [helperA, helperB]) {
    assert.deepEqual((await helper.api.get('/api/v1/helpers/me/queue')).body.items.map((ticket: { id: string }) => ticket.id), [opened.body.id]);
  }

  ctx.clock.advance(MINUTE);
  const claims = await Promise.all([helperA.api.post(`${url}/claim`), helperB.api.post(`${url}/claim`)]);
  assert.deepEqual(claims.map((claim) => claim.status).sort(), [200, 409]);
  const winnerIndex = claims.findIndex((claim) => claim.status === 200);
  const [winner, loser] = winnerIndex === 0 ? [helperA, helperB] : [helperB, helperA];
  assert.equal(claims[1 - winnerIndex].body.error.code, 'invalid_transition');
  assert.equal(claims[winnerIndex].body.assignee.id, winner.id);
  assert.deepEqual((await loser.api.get('/api/v1/helpers/me/queue')).body.items, [], 'a claimed ticket leaves the others\' queues');

  ctx.clock.advance(MINUTE);
  assert.equal((await winner.api.post(`${url}/messages`, { body: 'Which browser and which widget theme?' })).status, 201);
  assert.equal((await winner.api.post(`${url}/status`, { status: 'waiting_on_customer' })).body.status, 'waiting_on_customer');
  assert.equal((await winner.api.post(`${url}/messages`, { body: 'Probably the resize observer loop again.', internal: true })).status, 201);
  ctx.clock.advance(MINUTE);
  assert.equal((await customer.api.post(`${url}/messages`, { body: 'Firefox 128, dark theme.' })).status, 201);
  assert.equal((await customer.api.get(url)).body.status, 'in_progress');

  const customerView = await customer.api.get(`${url}/messages`);
  assert.deepEqual(customerView.body.items.map((message: { body: string }) => message.body), ['Which browser and which widget theme?', 'Firefox 128, dark theme.']);
  const teamView = await maintainer.api.get(`${url}/messages`);
  assert.equal(teamView.body.items.length, 3);
  assert.equal(teamView.body.items[1].internal, true);

  ctx.clock.advance(MINUTE);
  assert.equal((await winner.api.post(`${url}/resolve`, { summary: 'Debounce the resize observer; fixed in 4.2.1.' })).body.status, 'resolved');
  assert.equal((await customer.api.post(`${url}/confirm`)).body.status, 'closed');
  const rated = await customer.api.post(`${url}/rating`, { score: 5, comment: 'Fast and precise.' });
  assert.equal(rated.status, 200);
  assert.equal(rated.body.rating.score, 5);
  assert.equal(rated.body.assignee.displayName, winner === helperA ? 'Ada Helper' : 'Bo Helper');
  assert.ok(rated.body.firstResponseAt && rated.body.claimedAt && rated.body.resolvedAt && rated.body.confirmedAt);

  const steps = (items: { type: string; data: { to?: string } }[]) => items.map((event) => (event.type === 'status_changed' ? `status:${event.data.to}` : event.type));
  const history = await maintainer.api.get(`${url}/events?limit=100`);
  assert.deepEqual(steps(history.body.items), [
    'created',
    'claimed',
    'message_added',
    'status:waiting_on_customer',
    'note_added',
    'message_added',
    'status:in_progress',
    'resolved',
    'confirmed',
    'rated',
  ]);
  const actors = history.body.items.map((event: { actor: { id: string } }) => event.actor.id);
  assert.deepEqual(actors, [customer.id, winner.id, winner.id, winner.id, winner.id, customer.id, customer.id, winner.id, customer.id, customer.id]);
  const times = history.body.items.map((event: { createdAt: string }) => event.createdAt);
  assert.deepEqual(times, [...times].sort(), 'the history is in time order');
  assert.ok(!steps((await customer.api.get(`${url}/events?limit=100`)).body.items).includes('note_added'), 'the customer never learns of internal notes');

  await ctx.jobs.drain();
  const toCustomer = ctx.sent.filter((email) => email.to === customer.email).map((email) => email.subject);
  assert.deepEqual(toCustomer.sort(), ['[journey/widgets] An expert is on it: Widgets flicker on resize', '[journey/widgets] Resolved: Widgets flicker on resize']);
});
