import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { configDocs } from '../src/config.ts';
import { startTestApp } from './helpers/app.ts';
import { assertErrorShape } from './helpers/errors.ts';
import { loadOperations } from './helpers/openapi.ts';

/**
 * Every webhook the API documents refuses deliveries that are not signed, or signed wrongly, and keeps
 * nothing of them. The app starts with every integration's secret variables set, so that each webhook
 * route exists; routes added later (another provider) are found in /openapi.json and checked too.
 */
const secretVariable = /(_SECRET|_SIGNING_SECRET|_SECRET_KEY|_PUBLIC_KEY|_BOT_TOKEN)$/;
const env = Object.fromEntries(
  configDocs.filter(({ name }) => secretVariable.test(name)).map(({ name }) => [name, name.endsWith('_PUBLIC_KEY') ? 'ab'.repeat(32) : `test-${name.toLowerCase()}-value-long-enough-for-any-key`]),
);

// Card payments also need the seller named on their invoices; Slack also needs its OAuth client and the token key;
// the GitHub App's client secret (GitHub sign-in) goes with its client id.
const ctx = await startTestApp({
  env: { ...env, PLATFORM_LEGAL_NAME: 'Backline Test GmbH', PLATFORM_COUNTRY: 'DE', SLACK_CLIENT_ID: '1234567890.1234567890', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32), GITHUB_CLIENT_ID: 'Iv1.0123456789abcdef' },
});
const webhooks = (await loadOperations(ctx)).filter((operation) => operation.method === 'POST' && operation.path.startsWith('/webhooks/'));

/** Plausible deliveries: what each provider sends, minus a valid signature. */
const bodies = [
  JSON.stringify({ id: 'evt_forged', type: 'checkout.session.completed', data: { object: { id: 'cs_forged' } } }),
  JSON.stringify({ type: 1, id: 'forged', application_id: 'forged', token: 'forged' }),
  JSON.stringify({ type: 'event_callback', event_id: 'Ev_forged', event: { type: 'message' } }),
  '',
];
const forgedHeaders = [
  {},
  {
    'stripe-signature': 't=1700000000,v1=' + '0'.repeat(64),
    'x-signature-ed25519': '0'.repeat(128),
    'x-signature-timestamp': '1700000000',
    'x-slack-signature': 'v0=' + '0'.repeat(64),
    'x-slack-request-timestamp': '1700000000',
    'x-hub-signature-256': 'sha256=' + '0'.repeat(64),
    'x-github-event': 'issues',
    'x-github-delivery': 'forged',
  },
];

describe('webhook signatures are required on every webhook', () => {
  after(() => ctx.close());

  test('the webhooks are found', () => {
    const paths = webhooks.map((operation) => operation.path);
    assert.ok(paths.includes('/webhooks/stripe') && paths.includes('/webhooks/discord'), `found ${paths.join(', ')}`);
  });

  for (const webhook of webhooks) {
    test(`${webhook.path}: unsigned and wrongly signed deliveries are 4xx and leave nothing behind`, async () => {
      const count = async () => ({
        events: Number((await ctx.db.selectFrom('provider_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
        jobs: Number((await ctx.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
      });
      const before = await count();
      for (const payload of bodies) {
        for (const headers of forgedHeaders) {
          const response = await ctx.app.inject({ method: 'POST', url: webhook.path, headers: { 'content-type': 'application/json', ...headers }, payload });
          assert.ok(response.statusCode === 400 || response.statusCode === 401, `${webhook.path} with ${Object.keys(headers).length ? 'forged' : 'no'} signature answered ${response.statusCode}`);
          assertErrorShape(response.json(), response.statusCode);
        }
      }
      assert.deepEqual(await count(), before, 'nothing stored, nothing queued');
    });
  }
});
