import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { makeTar, makeZip } from '../../../test/helpers/archives.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { addSource, docsFolder, INSTALL_DOC, knowledgeRepo, RETRIES_DOC } from '../../../test/helpers/knowledge.ts';

/** A docs website on loopback: pages by path, a redirect to IPv6 loopback, and a page over the size limit. */
async function startDocsSite() {
  const server = http.createServer((req, res) => {
    if (req.url === '/guide') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><head><title>Guide</title></head><body><main><h1>Webhooks</h1><p>Webhooks are signed with HMAC-SHA256.</p></main></body></html>');
    } else if (req.url === '/to-ipv6') {
      res.writeHead(302, { location: `http://[::1]:${port}/guide` });
      res.end();
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(70_000));
    } else if (req.url === '/image') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.from([0x89, 0x50]));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('knowledge sources: git, archives, pages by URL, tickets', () => {
  let ctx: TestContext;
  let site: Awaited<ReturnType<typeof startDocsSite>>;
  before(async () => {
    // The docs site runs on 127.0.0.1: the test lets exactly that address through the SSRF check.
    ctx = await startTestApp({ ssrfAllowList: ['127.0.0.1'], env: { KNOWLEDGE_MAX_FILE_BYTES: '65536', KNOWLEDGE_MAX_UPLOAD_BYTES: '200000', KNOWLEDGE_MAX_UNPACKED_BYTES: '1000000', ASK_RATE_LIMIT_PER_MINUTE: '2' } });
    site = await startDocsSite();
  });
  after(async () => {
    await site.close();
    await ctx.close();
  });

  test('a Git repository is cloned (depth 1) and ingested; file:// is for operators, other schemes and private hosts are refused', async () => {
    const { fullName, maintainer, operator } = await knowledgeRepo(ctx);
    const repo = docsFolder({ 'docs/retries.md': RETRIES_DOC, 'src/index.ts': 'export {}' });
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: repo.dir, stdio: 'pipe' });
      git('init', '-q');
      git('add', '.');
      git('commit', '-q', '-m', 'docs');
      const url = `file://${repo.dir}`;
      const refused = await maintainer.api.post(`/api/v1/repos/${fullName}/knowledge/sources`, { kind: 'git', url });
      assert.equal(refused.status, 400);
      assert.match(refused.body.error.message, /file:\/\/ Git URLs are for operators/);
      for (const bad of ['ext::sh -c touch% /tmp/pwned', 'http://example.com/x.git', 'https://10.0.0.5/docs.git', 'https://user:pw@example.com/x.git']) {
        assert.equal((await maintainer.api.post(`/api/v1/repos/${fullName}/knowledge/sources`, { kind: 'git', url: bad })).status, 400, bad);
      }
      const { report } = await addSource(ctx, operator, fullName, { kind: 'git', url, subdir: 'docs', baseUrl: 'https://github.com/acme/quarry/blob/main/docs/' });
      assert.equal(report.status, 'succeeded', JSON.stringify(report));
      assert.equal(report.filesIndexed, 1);
      const answer = await maintainer.api.post(`/api/v1/repos/${fullName}/ask`, { question: 'where do failed jobs go for good?' });
      assert.equal(answer.body.citations[0].url, 'https://github.com/acme/quarry/blob/main/docs/retries.md#dead-letters');
    } finally {
      repo.cleanup();
    }
  });

  test('an uploaded archive is ingested; traversal, bombs and oversized uploads are refused with a clear message', async () => {
    const { fullName, maintainer } = await knowledgeRepo(ctx);
    const created = await maintainer.api.post(`/api/v1/repos/${fullName}/knowledge/sources`, { kind: 'archive', name: 'Docs export' });
    assert.equal(created.status, 201);
    const url = `/api/v1/repos/${fullName}/knowledge/sources/${created.body.id}/archive`;
    const upload = (payload: Buffer) =>
      ctx.app.inject({ method: 'PUT', url, payload, headers: { authorization: `Bearer ${maintainer.token}`, 'content-type': 'application/octet-stream' } }).then((response) => ({ status: response.statusCode, body: response.json() }));

    const good = await upload(zlib.gzipSync(makeTar([{ name: 'docs/install.md', content: INSTALL_DOC }, { name: 'docs/pic.gif', content: 'GIF89a' }])));
    assert.equal(good.status, 201, JSON.stringify(good.body));
    assert.deepEqual([good.body.trigger, good.body.status, good.body.filesIndexed, good.body.skipped[0].path], ['upload', 'succeeded', 1, 'docs/pic.gif']);

    const traversal = await upload(makeZip([{ name: '../../etc/cron.d/evil.md', content: 'x' }]));
    assert.equal(traversal.status, 400);
    assert.match(traversal.body.error.message, /climbs out of the archive/);
    const bomb = await upload(makeZip([{ name: 'a.md', content: Buffer.alloc(150_000) }, { name: 'b.md', content: Buffer.alloc(150_000) }, ...Array.from({ length: 7 }, (_, index) => ({ name: `c${index}.md`, content: Buffer.alloc(150_000) }))]));
    assert.equal(bomb.status, 413);
    assert.match(bomb.body.error.message, /over the 1000000-byte limit/);
    const oversized = await upload(Buffer.alloc(300_000, 1));
    assert.equal(oversized.status, 413);
    assert.equal((await maintainer.api.get(`/api/v1/repos/${fullName}/knowledge/sources/${created.body.id}`)).body.documents, 1, 'refused uploads changed nothing');
    assert.equal((await maintainer.api.post(`/api/v1/repos/${fullName}/knowledge/sources/${created.body.id}/ingest`)).status, 409);
  });

  test('a page by URL is fetched; private addresses are refused, before fetching and after a redirect; size and type are limited', async () => {
    const { fullName, maintainer } = await knowledgeRepo(ctx);
    const { report } = await addSource(ctx, maintainer, fullName, { kind: 'url', url: `${site.url}/guide` });
    assert.equal(report.status, 'succeeded', JSON.stringify(report));
    const answer = await maintainer.api.post(`/api/v1/repos/${fullName}/ask`, { question: 'how are webhooks signed?' });
    assert.deepEqual(answer.body.citations, [{ title: 'Webhooks', url: `${site.url}/guide#webhooks` }]);

    for (const url of ['http://10.0.0.1/docs', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/', 'http://[fd00::1]/', 'http://[::ffff:192.168.0.1]/']) {
      const refused = await maintainer.api.post(`/api/v1/repos/${fullName}/knowledge/sources`, { kind: 'url', url });
      assert.equal(refused.status, 400, url);
      assert.match(refused.body.error.message, /private, loopback or link-local/);
    }
    const redirected = await addSource(ctx, maintainer, fullName, { kind: 'url', url: `${site.url}/to-ipv6` });
    assert.equal(redirected.report.status, 'failed');
    assert.match(redirected.report.error, /\[?::1\]? resolves to ::1|::1, a private/);
    const big = await addSource(ctx, maintainer, fullName, { kind: 'url', url: `${site.url}/big` });
    assert.match(big.report.error, /larger than the 65536-byte limit/);
    const image = await addSource(ctx, maintainer, fullName, { kind: 'url', url: `${site.url}/image` });
    assert.match(image.report.error, /not an HTML, Markdown or text page/);
  });

  test('resolved tickets teach the AI only with the requester\'s consent, without their personal data', async () => {
    const { fullName, maintainer } = await knowledgeRepo(ctx);
    const customer = await createUser(ctx, { name: 'Grace Hopper', email: 'grace.hopper@navy.example' });
    const opened = await customer.api.post('/api/v1/tickets', {
      repo: fullName,
      track: 'community',
      title: 'Stalled jobs after deploy',
      body: 'Hi, Grace Hopper here (grace.hopper@navy.example, +1 202 555 0143). Our cron jobs stall after each deploy.',
    });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    const ticketId = opened.body.id;
    assert.equal((await customer.api.post(`/api/v1/tickets/${ticketId}/resolve`, { summary: 'Raise terminationGracePeriodSeconds above the close() timeout so workers finish their jobs.' })).status, 200);
    const { source, report } = await addSource(ctx, maintainer, fullName, { kind: 'tickets' });
    assert.equal(report.filesIndexed, 0, 'no consent, nothing indexed');

    assert.equal((await maintainer.api.put(`/api/v1/tickets/${ticketId}/knowledge-consent`, { consent: true })).status, 403);
    const consent = await customer.api.put(`/api/v1/tickets/${ticketId}/knowledge-consent`, { consent: true });
    assert.equal(consent.status, 200);
    assert.equal(consent.body.consent, true);
    await ctx.jobs.drain();
    const passages = await ctx.db.selectFrom('knowledge_passages').select(['text', 'title_path']).where('source_id', '=', source.id).execute();
    assert.equal(passages.length, 1);
    assert.deepEqual(passages[0].title_path, ['Resolved tickets', 'Stalled jobs after deploy']);
    assert.match(passages[0].text, /terminationGracePeriodSeconds/);
    assert.doesNotMatch(passages[0].text, /\bGrace\b|Hopper|navy|555/);
    assert.match(passages[0].text, /\[name\] here \(\[email\], \[phone\]\)/);

    await customer.api.put(`/api/v1/tickets/${ticketId}/knowledge-consent`, { consent: false });
    await ctx.jobs.drain();
    const left = await ctx.db.selectFrom('knowledge_passages').select('id').where('source_id', '=', source.id).execute();
    assert.equal(left.length, 0, 'a withdrawn consent removes the ticket from the index');
  });

  test('asking is rate limited per client', async () => {
    const { fullName } = await knowledgeRepo(ctx);
    const anonymous = client(ctx);
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await anonymous.post(`/api/v1/repos/${fullName}/ask`, { question: 'How do retries work?' })).status);
    assert.deepEqual(statuses, [200, 200, 429]);
  });
});
