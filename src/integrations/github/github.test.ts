import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { assertLedgerConsistent } from '../../../test/helpers/money.ts';
import { approvedHelper } from '../../../test/helpers/support.ts';
import { githubAppKeys, signDelivery, startFakeGitHub } from '../../../test/fakes/github.ts';
import { githubRepository, githubUser, issueCommentCreated, issueCommentEdited, type IssueCommentOptions } from '../../../test/fixtures/github/issue-comment.ts';

const APP_ID = '123456';
const SLUG = 'backline-test';
const SECRET = 'github-webhook-secret-for-tests';
const INSTALLATION = 4242;
const keys = githubAppKeys();

let github: Awaited<ReturnType<typeof startFakeGitHub>>;
let ctx: TestContext;

before(async () => {
  github = await startFakeGitHub({ 'octo/lib:maint-login': 'maintain', 'octo/lib:writer-login': 'write' }, {
    appId: APP_ID,
    publicKeyPem: keys.publicKeyPem,
    slug: SLUG,
    installations: { 'acme-gh/widget': INSTALLATION, 'acme-gh/sprocket': INSTALLATION, 'acme-gh/gizmo': INSTALLATION, 'acme-gh/doohickey': INSTALLATION, 'octo/lib': 4243 },
  });
  ctx = await startTestApp({ env: { GITHUB_APP_ID: APP_ID, GITHUB_PRIVATE_KEY: keys.privateKeyPem, GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_API_URL: github.url } });
});
after(async () => {
  await ctx.close();
  await github.close();
});

/** Sends a delivery as GitHub does: JSON body, X-GitHub-Event, X-GitHub-Delivery (a GUID), X-Hub-Signature-256. */
async function deliver(event: string, payload: unknown, options: { raw?: string; secret?: string; delivery?: string; headers?: Record<string, string> } = {}) {
  const raw = options.raw ?? JSON.stringify(payload);
  const headers = options.headers ?? {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/abc1234',
    'x-github-event': event,
    'x-github-delivery': options.delivery ?? randomUUID(),
    'x-github-hook-id': '500001',
    'x-github-hook-installation-target-type': 'integration',
    'x-github-hook-installation-target-id': APP_ID,
    'x-hub-signature-256': signDelivery(options.secret ?? SECRET, raw),
  };
  const response = await ctx.app.inject({ method: 'POST', url: '/webhooks/github', headers, payload: raw });
  return { status: response.statusCode, body: response.json() };
}

const account = { login: 'acme-gh', id: 7001, node_id: 'O_kgDOA', type: 'Organization', site_admin: false };
const repository = githubRepository;
const user = githubUser;
const installationOf = (id = INSTALLATION) => ({ id, account, repository_selection: 'selected', app_id: Number(APP_ID), app_slug: SLUG, target_type: 'Organization', permissions: { issues: 'write', metadata: 'read' }, events: ['issue_comment', 'issues'] });

/** An issue_comment "created" event on the test installation, as GitHub sends it (test/fixtures/github). */
const issueComment = (options: Omit<IssueCommentOptions, 'installationId' | 'viaApp'> & { viaApp?: boolean }) =>
  issueCommentCreated({ ...options, installationId: INSTALLATION, viaApp: options.viaApp ? { id: Number(APP_ID), slug: SLUG } : undefined });

const commentsOn = (repo: string, issue: number) => github.comments.filter((comment) => comment.repo === repo && comment.issue === issue).map((comment) => comment.body);

describe('POST /webhooks/github: signatures and deliveries', () => {
  test('forged, tampered, unsigned and malformed deliveries are refused; a ping is answered; a redelivery is recognized and handled once', async () => {
    const payload = issueComment({ repo: 'acme-gh/widget', issue: 1, title: 'Ping', issueBody: 'x', comment: 'just a comment', by: user('someone', 3002) });
    assert.equal((await deliver('issue_comment', payload, { secret: 'another-secret-another-secret' })).status, 401, 'signed with another secret');
    const raw = JSON.stringify(payload);
    const signedHeaders = { 'content-type': 'application/json', 'x-github-event': 'issue_comment', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signDelivery(SECRET, raw) };
    assert.equal((await deliver('issue_comment', null, { raw: raw.replace('just a comment', '/support'), headers: signedHeaders })).status, 401, 'the body changed after signing');
    const { 'x-hub-signature-256': _, ...unsigned } = signedHeaders;
    const refused = await deliver('issue_comment', null, { raw, headers: unsigned });
    assert.deepEqual([refused.status, refused.body.error.code], [401, 'invalid_signature']);
    assert.equal((await deliver('issue_comment', null, { raw, headers: { ...signedHeaders, 'x-hub-signature-256': 'sha256=zz' } })).status, 401, 'a malformed signature');
    const notJson = await deliver('issue_comment', null, { raw: 'payload=%7B%7D' });
    assert.deepEqual([notJson.status, notJson.body.error.code], [400, 'bad_request']);
    const { 'x-github-delivery': __, ...noDelivery } = signedHeaders;
    assert.equal((await deliver('issue_comment', null, { raw, headers: noDelivery })).status, 400, 'no delivery id');
    assert.deepEqual(await deliver('ping', { zen: 'Keep it logically awesome.', hook_id: 500001 }), { status: 200, body: { received: true, duplicate: false } });

    const delivery = randomUUID();
    const stored = async () => (await ctx.db.selectFrom('chat_events').select('id').where('provider', '=', 'github').where('external_id', '=', delivery).execute()).length;
    assert.deepEqual(await deliver('issue_comment', payload, { delivery }), { status: 200, body: { received: true, duplicate: false } });
    assert.deepEqual(await deliver('issue_comment', payload, { delivery }), { status: 200, body: { received: true, duplicate: true } }, 'GitHub redelivers with the same GUID');
    assert.equal(await stored(), 1);
    await ctx.jobs.drain();
    assert.deepEqual(commentsOn('acme-gh/widget', 1), [], 'a comment without /support changes nothing');

    // Signed but not the shape of an issue_comment event: stored, then ignored by the job without failing.
    assert.equal((await deliver('issue_comment', { action: 'created', comment: { body: '/support' } })).status, 200);
    await ctx.jobs.drain();
    const failed = await ctx.db.selectFrom('jobs').select(['queue', 'last_error']).where('last_error', 'is not', null).execute();
    assert.deepEqual(failed, [], 'no job failed');
    assert.equal(github.comments.length, 0, 'nothing was posted');
  });

  test('installation and installation_repositories events record where the app is installed', async () => {
    await deliver('installation', { action: 'created', installation: installationOf(), repositories: [repository('acme-gh/widget', 501), repository('acme-gh/gadget', 502)], requester: null, sender: user('acme-admin', 3003) });
    await ctx.jobs.drain();
    const repos = async () => (await ctx.db.selectFrom('github_installation_repos').select('full_name').where('installation_id', '=', String(INSTALLATION)).orderBy('full_name').execute()).map((row) => row.full_name);
    assert.deepEqual(await repos(), ['acme-gh/gadget', 'acme-gh/widget']);
    await deliver('installation_repositories', { action: 'added', installation: installationOf(), repository_selection: 'selected', repositories_added: [repository('acme-gh/sprocket', 503)], repositories_removed: [], requester: null, sender: user('acme-admin', 3003) });
    await deliver('installation_repositories', { action: 'removed', installation: installationOf(), repository_selection: 'selected', repositories_added: [], repositories_removed: [repository('acme-gh/gadget', 502)], requester: null, sender: user('acme-admin', 3003) });
    await ctx.jobs.drain();
    assert.deepEqual(await repos(), ['acme-gh/sprocket', 'acme-gh/widget']);
    await deliver('installation', { action: 'suspend', installation: installationOf(), sender: user('acme-admin', 3003) });
    await ctx.jobs.drain();
    const row = await ctx.db.selectFrom('github_installations').selectAll().where('id', '=', String(INSTALLATION)).executeTakeFirstOrThrow();
    assert.equal(row.account_login, 'acme-gh');
    assert.ok(row.suspended_at, 'suspended');
    await deliver('installation', { action: 'unsuspend', installation: installationOf(), sender: user('acme-admin', 3003) });
    await ctx.jobs.drain();
  });

  test('repository claims are checked with the installation token of the app (JWT, then an access token), role_name admin or maintain', async () => {
    const before = github.tokensIssued();
    const maintainer = await createUser(ctx, { githubLogin: 'maint-login' });
    const writer = await createUser(ctx, { githubLogin: 'writer-login' });
    assert.equal((await maintainer.api.post('/api/v1/repos', { fullName: 'octo/lib' })).body.status, 'verified');
    assert.equal((await writer.api.post('/api/v1/repos', { fullName: 'octo/lib2' })).body.status, 'pending', 'the app is not installed there');
    assert.ok(github.tokensIssued() > before, 'an installation token was created with the app JWT');
    const check = github.requests.findLast((request) => request.path === '/repos/octo/lib/collaborators/maint-login/permission')!;
    assert.match(String(check.headers.authorization), /^token ghs_/);
  });
});

describe('a conversation on GitHub', () => {
  test('a /support comment opens a ticket linked to the issue; status comments follow it to paid (sandbox), resolved and rated; the ledger balances', async () => {
    const repo = await createRepo(ctx, { fullName: 'acme-gh/widget', expert: true });
    await repo.maintainer.api.patch(`/api/v1/repos/${repo.fullName}`, { currency: 'EUR' });
    const helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
    const customer = await createUser(ctx, { name: 'Carol', githubLogin: 'carol-gh' });
    const carol = user('carol-gh', 4001);

    const opened = await deliver('issue_comment', issueComment({ repo: repo.fullName, issue: 17, title: 'Retries stop after the first failure', issueBody: 'With maxRetries: 3 only one retry happens.', comment: '/support\nWe run v4.2 in production.', by: carol }));
    assert.equal(opened.status, 200);
    await ctx.jobs.drain();
    const ticket = await ctx.db.selectFrom('tickets').selectAll().where('title', '=', 'Retries stop after the first failure').executeTakeFirstOrThrow();
    assert.deepEqual([ticket.requester_id, ticket.channel, ticket.track, ticket.status], [customer.id, 'github', 'expert', 'open']);
    assert.match(ticket.body, /only one retry happens[\s\S]*We run v4\.2 in production[\s\S]*github\.com\/acme-gh\/widget\/issues\/17/);
    const [reply] = commentsOn(repo.fullName, 17);
    assert.match(reply, /I opened a Backline ticket for this/);
    assert.match(reply, new RegExp(`\\[Open the ticket\\]\\(http://localhost:3000/tickets/${ticket.id}\\)`));
    assert.doesNotMatch(reply, /not linked/, 'the GitHub login belongs to a Backline account');

    // The app's own comment comes back as an event: ignored, even though it contains /support.
    await deliver('issue_comment', issueComment({ repo: repo.fullName, issue: 17, title: 'Retries stop after the first failure', issueBody: null, comment: '/support', by: user(`${SLUG}[bot]`, 9000, 'Bot'), viaApp: true }));
    // /support again on the same issue: the ticket it already has.
    await deliver('issue_comment', issueComment({ repo: repo.fullName, issue: 17, title: 'Retries stop after the first failure', issueBody: null, comment: '/support', by: carol }));
    await ctx.jobs.drain();
    assert.equal((await ctx.db.selectFrom('tickets').select('id').where('title', '=', 'Retries stop after the first failure').execute()).length, 1);
    assert.match(commentsOn(repo.fullName, 17).at(-1)!, /already has a ticket/);

    assert.equal((await helper.api.post(`/api/v1/tickets/${ticket.id}/claim`)).status, 200);
    await ctx.jobs.drain();
    assert.match(commentsOn(repo.fullName, 17).at(-1)!, /Ada Helper is working on this ticket/);

    const quote = await helper.api.post(`/api/v1/tickets/${ticket.id}/quotes`, { amount: 8000, currency: 'EUR', description: 'Fix the retry policy', estimatedMinutes: 60 });
    assert.equal(quote.status, 201, JSON.stringify(quote.body));
    await ctx.jobs.drain();
    const quoted = commentsOn(repo.fullName, 17).at(-1)!;
    assert.match(quoted, /Ada Helper quotes \*\*€80\.00\*\*/);
    assert.match(quoted, new RegExp(`\\[Open the ticket on Backline\\]\\(http://localhost:3000/tickets/${ticket.id}\\)`), 'the Accept button becomes a link to the ticket');

    const accepted = await customer.api.post(`/api/v1/quotes/${quote.body.id}/accept`, {}, { 'idempotency-key': `accept-${quote.body.id}` });
    assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
    assert.equal((await customer.api.post(`/api/v1/payments/${accepted.body.payment.id}/sandbox/complete`)).status, 200);
    await ctx.jobs.drain();
    assert.match(commentsOn(repo.fullName, 17).at(-1)!, /Paid: €80\.00 for .*The money is held/);
    assert.ok(!commentsOn(repo.fullName, 17).some((body) => body.includes('/pay/')), 'no payment link is ever posted on the issue');

    assert.equal((await helper.api.post(`/api/v1/tickets/${ticket.id}/resolve`, { summary: 'maxRetries was read as 1; fixed in 4.2.1.' })).status, 200);
    await ctx.jobs.drain();
    assert.match(commentsOn(repo.fullName, 17).at(-1)!, /Marked resolved: maxRetries was read as 1/);
    assert.equal((await customer.api.post(`/api/v1/tickets/${ticket.id}/confirm`)).status, 200);
    assert.equal((await customer.api.post(`/api/v1/tickets/${ticket.id}/rating`, { score: 5 })).status, 200);
    await ctx.jobs.drain();
    assert.match(commentsOn(repo.fullName, 17).at(-1)!, /Confirmed and closed/);

    const failed = await ctx.db.selectFrom('jobs').select(['queue', 'last_error']).where('last_error', 'is not', null).execute();
    assert.deepEqual(failed, [], 'no job failed');
    const final = await ctx.db.selectFrom('tickets').select(['status', 'rating_score']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual(final, { status: 'closed', rating_score: 5 });
    assert.equal((await ctx.db.selectFrom('payments').select('status').where('id', '=', accepted.body.payment.id).executeTakeFirstOrThrow()).status, 'released');
    await assertLedgerConsistent(ctx);
    const history = await ctx.db.selectFrom('ticket_events').select('type').where('ticket_id', '=', ticket.id).orderBy('id').execute();
    assert.deepEqual(history.map((event) => event.type), ['created', 'claimed', 'resolved', 'confirmed', 'rated']);
    assert.ok(github.comments.every((comment) => comment.installationId === INSTALLATION), 'every comment was made with the installation token');
  });

  test('a /support comment on a repository not on Backline is answered on the issue, and opens nothing', async () => {
    const before = (await ctx.db.selectFrom('tickets').select('id').execute()).length;
    await deliver('issue_comment', issueComment({ repo: 'acme-gh/sprocket', issue: 3, title: 'Crash', issueBody: 'It crashes', comment: '/support', by: user('dave-gh', 4002) }));
    await ctx.jobs.drain();
    assert.equal((await ctx.db.selectFrom('tickets').select('id').execute()).length, before);
    const [answer] = commentsOn('acme-gh/sprocket', 3);
    assert.match(answer, /I do not know the repository "acme-gh\/sprocket"/);
    const failed = await ctx.db.selectFrom('jobs').select(['queue', 'last_error']).where('last_error', 'is not', null).execute();
    assert.deepEqual(failed, [], 'no job failed');
  });
});

describe('comments on an issue linked to a ticket', () => {
  const erin = user('erin-gh', 4101);
  const ada = user('ada-gh', 4102);
  const bob = user('bob-gh', 4103);
  const stranger = user('stranger-gh', 4104);
  const messagesOf = (ticketId: string) => ctx.db.selectFrom('ticket_messages').select(['body', 'author_id', 'channel']).where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();
  const failedJobs = () => ctx.db.selectFrom('jobs').select(['queue', 'last_error']).where('last_error', 'is not', null).execute();

  test('the customer\'s and the helper\'s comments become ticket messages; a stranger\'s, the app\'s and edits do not; helper commands act as the helper matched by GitHub login, and refusals change nothing', async () => {
    const repo = await createRepo(ctx, { fullName: 'acme-gh/gizmo', expert: true });
    await repo.maintainer.api.patch(`/api/v1/repos/${repo.fullName}`, { currency: 'EUR' });
    const helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper', githubLogin: 'ada-gh' }));
    const customer = await createUser(ctx, { name: 'Erin', githubLogin: 'erin-gh' });
    await createUser(ctx, { name: 'Bob', githubLogin: 'bob-gh' }); // a Backline user, not a helper of the repository
    const on = (comment: string, by: ReturnType<typeof user>, extra: { viaApp?: boolean } = {}) =>
      issueComment({ repo: repo.fullName, issue: 5, title: 'Timeouts under load', issueBody: 'Requests time out above 200 rps.', comment, by, ...extra });
    const comments = () => commentsOn(repo.fullName, 5);

    await deliver('issue_comment', on('/support', erin));
    await ctx.jobs.drain();
    const ticket = await ctx.db.selectFrom('tickets').selectAll().where('title', '=', 'Timeouts under load').executeTakeFirstOrThrow();
    assert.equal(ticket.requester_id, customer.id);
    const afterOpening = comments().length;

    // The customer's follow-up is a ticket message; it is not posted back on the issue it came from.
    const followUp = on('It also happens on 4.3.', erin);
    await deliver('issue_comment', followUp);
    // An edit of it, the app's own comment, and a passer-by on an expert ticket: none reach the ticket.
    await deliver('issue_comment', issueCommentEdited({ repo: repo.fullName, issue: 5, title: 'Timeouts under load', issueBody: null, comment: 'It also happens on 4.3 and 4.4.', previous: 'It also happens on 4.3.', by: erin, installationId: INSTALLATION, commentId: followUp.comment.id }));
    await deliver('issue_comment', on('Ada Helper is working on this ticket.', user(`${SLUG}[bot]`, 9000, 'Bot'), { viaApp: true }));
    await deliver('issue_comment', on('+1, same here', stranger));
    await ctx.jobs.drain();
    assert.deepEqual(await messagesOf(ticket.id), [{ body: 'It also happens on 4.3.', author_id: customer.id, channel: 'github' }]);
    assert.equal(comments().length, afterOpening, 'nothing was commented: no echo, no answer to a passer-by');

    // Refusals: answered on the issue to the commenter, and nothing changes.
    await deliver('issue_comment', on('/claim', bob));
    await deliver('issue_comment', on('/quote 80 EUR Fix the pool size', ada));
    await ctx.jobs.drain();
    const [notApproved, notAssigned] = comments().slice(afterOpening);
    assert.equal(notApproved, '@bob-gh Only the person who opened this ticket and approved helpers of its repository can act on it.');
    assert.equal(notAssigned, '@ada-gh Only the helper assigned to this ticket may send a quote; claim it first.');
    assert.equal((await ctx.db.selectFrom('tickets').select('status').where('id', '=', ticket.id).executeTakeFirstOrThrow()).status, 'open');

    // /claim by the approved helper: claimed, answered, and the status comment follows; a redelivery changes nothing.
    const claimDelivery = randomUUID();
    const claim = on('/claim', ada);
    await deliver('issue_comment', claim, { delivery: claimDelivery });
    await ctx.jobs.drain();
    const claimed = await ctx.db.selectFrom('tickets').select(['status', 'assignee_id']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual(claimed, { status: 'claimed', assignee_id: helper.id });
    const afterClaim = comments();
    assert.ok(afterClaim.some((body) => /^@ada-gh You claimed "Timeouts under load"/.test(body)), afterClaim.join('\n---\n'));
    assert.ok(afterClaim.some((body) => /Ada Helper is working on this ticket/.test(body)));
    assert.deepEqual((await deliver('issue_comment', claim, { delivery: claimDelivery })).body, { received: true, duplicate: true });
    await ctx.jobs.drain();
    assert.equal(comments().length, afterClaim.length, 'the redelivery was not answered again');

    // Bad values and missing arguments are refused politely: no quote, no time.
    await deliver('issue_comment', on('/quote eighty EUR Fix the pool size', ada));
    await deliver('issue_comment', on('/quote 80', ada));
    await deliver('issue_comment', on('/quote 80 EURO Fix the pool size', ada));
    await deliver('issue_comment', on('/log soon', ada));
    await deliver('issue_comment', on('/log 30 looked at it', bob));
    await ctx.jobs.drain();
    const refusals = comments().slice(afterClaim.length);
    assert.equal(refusals.length, 5, refusals.join('\n---\n'));
    assert.match(refusals[0], /^@ada-gh "eighty" is not an amount in EUR/);
    assert.match(refusals[1], /^@ada-gh Write a quote as `\/quote <amount> <currency>/);
    assert.match(refusals[2], /^@ada-gh Write a quote as/, 'EURO is not a three-letter code');
    assert.match(refusals[3], /^@ada-gh Log time as `\/log <minutes>/);
    assert.match(refusals[4], /^@bob-gh /);
    assert.equal((await ctx.db.selectFrom('quotes').select('id').where('ticket_id', '=', ticket.id).execute()).length, 0);
    assert.equal((await ctx.db.selectFrom('time_entries').select('id').where('ticket_id', '=', ticket.id).execute()).length, 0);

    // The helper's work from the issue: a quote with an estimate, time logged, a plain answer, resolved.
    const beforeWork = comments().length;
    await deliver('issue_comment', on('/quote 80.50 eur 90m Raise the pool size and add a retry budget', ada));
    await ctx.jobs.drain();
    await deliver('issue_comment', on('/log 30m Reproduced it at 250 rps', ada));
    await ctx.jobs.drain();
    await deliver('issue_comment', on('Set `pool.max` to 50 meanwhile.', ada));
    await ctx.jobs.drain();
    await deliver('issue_comment', on('/resolve', ada));
    await deliver('issue_comment', on('/resolve The pool was capped at 10; 4.3.1 raises it.', bob));
    await ctx.jobs.drain();
    assert.equal((await ctx.db.selectFrom('tickets').select('status').where('id', '=', ticket.id).executeTakeFirstOrThrow()).status, 'claimed', 'neither an empty /resolve nor someone else\'s resolves it');
    await deliver('issue_comment', on('/resolve The pool was capped at 10; 4.3.1 raises it.', ada));
    await ctx.jobs.drain();

    const quote = await ctx.db.selectFrom('quotes').select(['amount', 'currency', 'estimated_minutes', 'description', 'helper_id']).where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual(quote, { amount: 8050, currency: 'EUR', estimated_minutes: 90, description: 'Raise the pool size and add a retry budget', helper_id: helper.id });
    const time = await ctx.db.selectFrom('time_entries').select(['minutes', 'note', 'helper_id']).where('ticket_id', '=', ticket.id).execute();
    assert.deepEqual(time, [{ minutes: 30, note: 'Reproduced it at 250 rps', helper_id: helper.id }]);
    const final = await ctx.db.selectFrom('tickets').select(['status', 'resolution_summary']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual(final, { status: 'resolved', resolution_summary: 'The pool was capped at 10; 4.3.1 raises it.' });
    assert.deepEqual((await messagesOf(ticket.id)).map((message) => [message.author_id === helper.id ? 'helper' : 'customer', message.body, message.channel]), [
      ['customer', 'It also happens on 4.3.', 'github'],
      ['helper', 'Set `pool.max` to 50 meanwhile.', 'github'],
    ]);
    const work = comments().slice(beforeWork);
    assert.ok(work.some((body) => /^@ada-gh Quote of €80\.50 sent/.test(body)));
    assert.ok(work.some((body) => /Ada Helper quotes \*\*€80\.50\*\* \(about 90 minutes\)/.test(body)), 'the quote is announced on the issue');
    assert.ok(work.some((body) => /^@ada-gh Logged 30 minutes\./.test(body)));
    assert.ok(work.some((body) => /^@ada-gh Resolve with a summary/.test(body)));
    assert.ok(work.some((body) => /^@bob-gh /.test(body)));
    assert.ok(work.some((body) => /^@ada-gh Marked resolved; the customer is asked to confirm\./.test(body)));
    assert.ok(work.some((body) => /^Marked resolved: The pool was capped at 10/.test(body)));
    assert.ok(!work.some((body) => body.includes('pool.max')), 'the helper\'s own comment is not echoed');
    assert.deepEqual(await failedJobs(), [], 'no job failed');
  });

  test('on a community question anyone may answer: an unknown commenter\'s comment is mirrored as their GitHub account; a helper command on an issue without a ticket is answered and changes nothing', async () => {
    const repo = await createRepo(ctx, { fullName: 'acme-gh/doohickey', expert: false });
    await ctx.db.updateTable('repos').set({ offers_community: true }).where('id', '=', repo.id).execute();
    await deliver('issue_comment', issueComment({ repo: repo.fullName, issue: 8, title: 'How do I configure retries?', issueBody: 'The docs do not say.', comment: '/support', by: erin }));
    await ctx.jobs.drain();
    const ticket = await ctx.db.selectFrom('tickets').select(['id', 'track']).where('title', '=', 'How do I configure retries?').executeTakeFirstOrThrow();
    assert.equal(ticket.track, 'community');

    await deliver('issue_comment', issueComment({ repo: repo.fullName, issue: 8, title: 'How do I configure retries?', issueBody: null, comment: 'Use `retry: { max: 3 }` in the client options.', by: stranger }));
    await ctx.jobs.drain();
    const [answer] = await ctx.db.selectFrom('ticket_messages').innerJoin('users', 'users.id', 'ticket_messages.author_id').select(['ticket_messages.body', 'ticket_messages.channel', 'users.display_name', 'users.email']).where('ticket_id', '=', ticket.id).execute();
    assert.deepEqual([answer.body, answer.channel, answer.display_name], ['Use `retry: { max: 3 }` in the client options.', 'github', 'stranger-gh']);
    assert.match(answer.email, /@users\.chat\.invalid$/, 'an outside GitHub account, not a Backline user with an address');

    const before = (await ctx.db.selectFrom('tickets').select('id').execute()).length;
    await deliver('issue_comment', issueComment({ repo: repo.fullName, issue: 9, title: 'Unrelated', issueBody: 'x', comment: '/claim', by: ada }));
    await deliver('issue_comment', issueComment({ repo: repo.fullName, issue: 9, title: 'Unrelated', issueBody: 'x', comment: 'A plain comment on an issue without a ticket', by: erin }));
    await ctx.jobs.drain();
    assert.deepEqual(commentsOn(repo.fullName, 9), ['@ada-gh This issue has no Backline ticket yet; comment `/support` to open one.']);
    assert.equal((await ctx.db.selectFrom('tickets').select('id').execute()).length, before);
    assert.deepEqual(await failedJobs(), [], 'no job failed');
  });
});

describe('without GITHUB_WEBHOOK_SECRET', () => {
  test('the endpoint does not exist, with one log line', async () => {
    const lines: string[] = [];
    const off = await startTestApp({ logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) });
    try {
      assert.equal((await off.app.inject({ method: 'POST', url: '/webhooks/github', payload: '{}' })).statusCode, 404);
      assert.equal(lines.filter((line) => line.includes('GitHub App webhooks are off')).length, 1);
    } finally {
      await off.close();
    }
  });
});
