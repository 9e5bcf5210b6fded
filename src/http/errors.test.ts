import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pino from 'pino';
import { startTestApp, type TestContext } from '../../test/helpers/app.ts';
import { createUser } from '../../test/helpers/factories.ts';
import { assertErrorShape } from '../../test/helpers/errors.ts';
import { client } from '../../test/helpers/http.ts';

describe('errors', () => {
  let ctx: TestContext;
  const lines: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    ctx = await startTestApp({ env: { BODY_LIMIT_BYTES: '1024' }, logger: pino({ level: 'error' }, sink) });
  });
  after(() => ctx.close());

  const raw = (options: InjectOptions) => ctx.app.inject(options);

  test('a malformed URL is a 400 in the error shape, not the framework default', async () => {
    const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/repos/%E0%A4%A' });
    assert.equal(response.statusCode, 400);
    assertErrorShape(response.json(), 400, 'bad_request');
  });

  test('an unknown route is a JSON 404 naming the method and path (not the query string)', async () => {
    const response = await raw({ method: 'GET', url: '/api/v1/nothing-here?token=secret-value' });
    assert.equal(response.statusCode, 404);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assertErrorShape(response.json(), 404, 'not_found');
    assert.equal(response.json().error.message, 'There is no GET /api/v1/nothing-here; see /docs for the API.');
    assert.deepEqual(response.json().error.details, []);
    assert.equal((await raw({ method: 'DELETE', url: '/api/v1/repos' })).statusCode, 404, 'a known path with another method');
  });

  test('a body over BODY_LIMIT_BYTES is a 413', async () => {
    const user = await createUser(ctx);
    const response = await user.api.post('/api/v1/me/tokens', { name: 'x'.repeat(2000) });
    assert.equal(response.status, 413);
    assertErrorShape(response.body, 413, 'body_too_large');
    const names = (await user.api.get('/api/v1/me/tokens')).body.items.map((item: { name: string }) => item.name);
    assert.deepEqual(names, ['test'], 'only the factory token exists; the oversized request created nothing');
  });

  test('a body that is not JSON is a 415, and broken JSON a 400', async () => {
    const user = await createUser(ctx);
    const xml = await user.api.post('/api/v1/me/tokens', '<name>x</name>', { 'content-type': 'application/xml' });
    assert.equal(xml.status, 415);
    assertErrorShape(xml.body, 415, 'unsupported_media_type');
    assert.match(xml.body.error.message, /application\/json/);

    const broken = await user.api.post('/api/v1/me/tokens', '{"name": "x"');
    assert.equal(broken.status, 400);
    assertErrorShape(broken.body, 400, 'invalid_json');
    const empty = await raw({ method: 'POST', url: '/api/v1/me/tokens', headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' }, payload: '' });
    assert.equal(empty.statusCode, 400);
    assertErrorShape(empty.json(), 400, 'invalid_json');
    const prototype = await user.api.post('/api/v1/me/tokens', '{"name": "x", "__proto__": {"isOperator": true}}');
    assert.equal(prototype.status, 400);
    assertErrorShape(prototype.body, 400);
    const text = await user.api.post('/api/v1/me/tokens', 'name=x', { 'content-type': 'text/plain' });
    assert.ok(text.status === 400 || text.status === 415, `text/plain answered ${text.status}`);
    assertErrorShape(text.body, text.status);
  });

  test('validation errors list every field with its path', async () => {
    const user = await createUser(ctx);
    const response = await user.api.post('/api/v1/orgs', { slug: 'Bad Slug!', country: 'Germany' });
    assert.equal(response.status, 400);
    assertErrorShape(response.body, 400, 'validation_failed');
    const paths = response.body.error.details.map((detail: { path: string }) => detail.path).sort();
    assert.deepEqual(paths, ['body.country', 'body.name', 'body.slug']);
    for (const path of paths) assert.ok(response.body.error.message.includes(path), `the message mentions ${path}`);
    const query = await client(ctx).get('/api/v1/repos?limit=1000');
    assert.equal(query.status, 400);
    assert.equal(query.body.error.details[0].path, 'querystring.limit');
    const params = await user.api.delete('/api/v1/me/tokens/not-a-uuid');
    assert.equal(params.status, 400);
    assert.equal(params.body.error.details[0].path, 'params.id');
  });

  test('a NUL character anywhere in a request is a 400 naming where, before it can reach the database', async () => {
    const user = await createUser(ctx);
    const inPath = await user.api.get('/api/v1/repos/%00/widget/ai-stats');
    assert.equal(inPath.status, 400);
    assertErrorShape(inPath.body, 400, 'validation_failed');
    assert.deepEqual(inPath.body.error.details, [{ path: 'params.owner', message: 'must not contain the NUL character (U+0000)' }]);
    const inQuery = await user.api.get('/api/v1/repos?q=a%00b');
    assert.equal(inQuery.status, 400);
    assert.equal(inQuery.body.error.details[0].path, 'querystring.q');
    const inBody = await user.api.post('/api/v1/orgs', { slug: 'nul-org', name: 'Nul\u0000Inc' });
    assert.equal(inBody.status, 400);
    assert.equal(inBody.body.error.details[0].path, 'body.name');
    assert.equal((await user.api.get('/api/v1/orgs/nul-org')).status, 404, 'nothing was created');
  });

  test('every kind of error has the same shape', async () => {
    const user = await createUser(ctx);
    const anonymous = client(ctx);
    const responses = await Promise.all([
      anonymous.get('/api/v1/me'),
      user.api.post('/api/v1/admin/repos/a/b/verify', { decision: 'verified' }),
      user.api.get('/api/v1/orgs/nope'),
      user.api.post('/api/v1/repos', { fullName: 'shape/test' }).then(() => user.api.post('/api/v1/repos', { fullName: 'shape/test' })),
      client(ctx, 'blt_wrong').get('/api/v1/me'),
      anonymous.get('/auth/magic?token=short'),
      anonymous.get('/auth/magic?token=blm_never-issued-token'),
    ]);
    assert.deepEqual(responses.map((response) => response.status), [401, 403, 404, 409, 401, 400, 400]);
    for (const response of responses) assertErrorShape(response.body, response.status);
  });

  test('an unexpected failure is a 500 without internals, with a request id to quote', async () => {
    await sql`CREATE FUNCTION fail_magic_links() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'internal detail: disk quota on /var/lib/pg'; END $$`.execute(ctx.db);
    await sql`CREATE TRIGGER fail_magic_links BEFORE INSERT ON magic_links FOR EACH ROW EXECUTE FUNCTION fail_magic_links()`.execute(ctx.db);
    try {
      const response = await raw({ method: 'POST', url: '/api/v1/auth/magic-link', headers: { 'content-type': 'application/json', 'x-request-id': 'support-case-42' }, payload: JSON.stringify({ email: 'someone@example.com' }) });
      assert.equal(response.statusCode, 500);
      assertErrorShape(response.json(), 500, 'internal_error');
      assert.match(response.json().error.message, /support-case-42/);
      assert.equal(response.headers['x-request-id'], 'support-case-42');
      assert.ok(!response.body.includes('disk quota') && !response.body.includes('stack'), 'no internals in the body');
      assert.ok(lines.some((line) => line.includes('disk quota') && line.includes('support-case-42')), 'the cause is in the log, with the request id');
    } finally {
      await sql`DROP TRIGGER fail_magic_links ON magic_links`.execute(ctx.db);
      await sql`DROP FUNCTION fail_magic_links()`.execute(ctx.db);
    }
  });

  test('request ids: a safe one given by the caller is kept, anything else is replaced', async () => {
    const kept = await raw({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(kept.headers['x-request-id'], 'abc-123');
    const replaced = await raw({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'evil\u2028id with spaces' } });
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  test('the global rate limit answers 429 in the same shape, with Retry-After', async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '2' } });
    try {
      const anonymous = client(limited);
      await anonymous.get('/api/v1/repos');
      await anonymous.get('/api/v1/repos');
      const response = await anonymous.get('/api/v1/repos');
      assert.equal(response.status, 429);
      assertErrorShape(response.body, 429, 'rate_limited');
      assert.ok(Number(response.headers['retry-after']) > 0);
      assert.equal((await anonymous.get('/healthz')).status, 200, 'health checks are never limited');
    } finally {
      await limited.close();
    }
  });
});
