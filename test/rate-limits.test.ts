import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from './helpers/app.ts';
import { assertErrorShape } from './helpers/errors.ts';
import { client } from './helpers/http.ts';

/**
 * Limits hold when requests arrive all at once, not only one after another: a burst of concurrent
 * requests gets exactly the allowed number through and a 429 in the error shape for the rest.
 */
test('a concurrent burst over RATE_LIMIT_PER_MINUTE lets exactly the limit through', async () => {
  const ctx = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '10' } });
  try {
    const anonymous = client(ctx);
    const responses = await Promise.all(Array.from({ length: 40 }, () => anonymous.get('/api/v1/repos')));
    const statuses = responses.map((response) => response.status);
    assert.equal(statuses.filter((status) => status === 200).length, 10);
    assert.equal(statuses.filter((status) => status === 429).length, 30);
    for (const response of responses.filter((candidate) => candidate.status === 429)) {
      assertErrorShape(response.body, 429, 'rate_limited');
      assert.ok(Number(response.headers['retry-after']) > 0);
    }
  } finally {
    await ctx.close();
  }
});

test('a concurrent burst of sign-in emails to one address, from many addresses, sends at most SIGNIN_RATE_LIMIT_PER_HOUR', async () => {
  const ctx = await startTestApp({ env: { SIGNIN_RATE_LIMIT_PER_HOUR: '3' } });
  try {
    // Each request from its own client address, so that only the per-email limit can stop them.
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        ctx.app.inject({ method: 'POST', url: '/api/v1/auth/magic-link', remoteAddress: `10.0.0.${index + 1}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'burst@example.com' }) }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    assert.equal(statuses.filter((status) => status === 202).length, 3, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 429).length, 17);
    await ctx.jobs.drain();
    assert.equal(ctx.sent.filter((email) => email.to === 'burst@example.com').length, 3, 'no more emails than the limit, however the requests interleaved');
  } finally {
    await ctx.close();
  }
});
