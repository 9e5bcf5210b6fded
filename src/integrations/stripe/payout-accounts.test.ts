import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { fakeStripeEnv, startFakeStripe, type FakeStripe } from '../../../test/fakes/stripe.ts';
import { findPayoutAccount } from './payout-accounts.ts';

const ACCOUNT_ENDPOINT_SECRET = 'whsec_test_account_endpoint';
/** account.updated of connected accounts comes from Stripe's separate Connect endpoint, with its own secret. */
const CONNECT_ENDPOINT_SECRET = 'whsec_test_connect_endpoint';

describe('Connect Express payout accounts', () => {
  let ctx: TestContext;
  let fake: FakeStripe;
  const urls = { refreshUrl: 'https://backline.example/payouts/refresh', returnUrl: 'https://backline.example/payouts/done' };

  before(async () => {
    fake = await startFakeStripe({ now: () => ctx.clock.now() });
    ctx = await startTestApp({ env: fakeStripeEnv(fake, `${ACCOUNT_ENDPOINT_SECRET},${CONNECT_ENDPOINT_SECRET}`) });
  });
  after(async () => {
    await ctx.close();
    await fake.close();
  });

  test('onboarding creates one connected account per owner, even when started twice at once, and links into it', async () => {
    const helper = await createUser(ctx);
    const owner = { type: 'helper' as const, id: helper.id };
    const [first, second] = await Promise.all([
      ctx.services.stripe!.onboard({ owner, email: helper.email, country: 'DE', ...urls }),
      ctx.services.stripe!.onboard({ owner, email: helper.email, country: 'DE', ...urls }),
    ]);
    assert.equal(first.account.id, second.account.id);
    assert.equal(first.account.status, 'pending');
    assert.ok(first.url.startsWith(`${fake.url}/setup/e/${first.account.provider_account_id}/`));
    const stripeAccount = fake.object(first.account.provider_account_id)!;
    assert.deepEqual([stripeAccount.type, stripeAccount.email, stripeAccount.country], ['express', helper.email, 'DE']);
    assert.equal(fake.all('account').filter((candidate) => candidate.email === helper.email).length, 1, 'the owner is the idempotency key at Stripe');
    assert.equal(await ctx.db.selectFrom('payout_accounts').select('id').where('owner_id', '=', helper.id).execute().then((rows) => rows.length), 1);

    const later = await ctx.services.stripe!.onboard({ owner, email: helper.email, ...urls });
    assert.equal(later.account.provider_account_id, first.account.provider_account_id);
    assert.notEqual(later.url, first.url, 'a fresh link each time: they expire within minutes');
  });

  test('twenty owners each starting onboarding twice at once: no start fails, each owner has one account', async () => {
    const helpers = await Promise.all(Array.from({ length: 20 }, () => createUser(ctx)));
    const starts = helpers.flatMap((helper) => [0, 1].map(() => ctx.services.stripe!.onboard({ owner: { type: 'helper', id: helper.id }, email: helper.email, ...urls })));
    const results = await Promise.allSettled(starts);
    assert.deepEqual(results.filter((result) => result.status === 'rejected').map((result) => String((result as PromiseRejectedResult).reason)), []);
    const accounts = await ctx.db.selectFrom('payout_accounts').select(['owner_id', 'provider_account_id']).where('owner_id', 'in', helpers.map((helper) => helper.id)).execute();
    assert.equal(accounts.length, helpers.length);
    assert.equal(new Set(accounts.map((account) => account.provider_account_id)).size, helpers.length);
  });

  test('account.updated from the Connect endpoint makes the payout account active, once handled', async () => {
    const { id: repoId } = await createRepo(ctx);
    const owner = { type: 'repo' as const, id: repoId };
    const { account } = await ctx.services.stripe!.onboard({ owner, email: 'maintainer@example.com', ...urls });
    const delivery = fake.deliver(fake.completeOnboarding(account.provider_account_id), CONNECT_ENDPOINT_SECRET);
    const response = await ctx.app.inject({ method: 'POST', url: '/webhooks/stripe', headers: delivery.headers, payload: delivery.body });
    assert.equal(response.statusCode, 200);
    assert.equal((await findPayoutAccount(ctx.db, owner))!.status, 'pending', 'applied by the job, not by the request');
    await ctx.jobs.drain();
    assert.equal((await findPayoutAccount(ctx.db, owner))!.status, 'active');
  });
});
