import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../test/helpers/app.ts';

describe('security headers', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await startTestApp();
  });
  after(() => ctx.close());

  test('every answer carries the policy and helmet\'s headers: API, error and page alike', async () => {
    for (const url of ['/healthz', '/api/v1/nothing-here', '/api/v1/repos?limit=1']) {
      const response = await ctx.app.inject({ method: 'GET', url });
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /script-src 'self'(;|$)/, `${url}: no inline scripts`);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.match(csp, /object-src 'none'/, url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.match(String(response.headers['strict-transport-security']), /max-age=\d+/, url);
      assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN', url);
      assert.ok(response.headers['x-request-id'], `${url}: the request id is still added`);
    }
  });
});
