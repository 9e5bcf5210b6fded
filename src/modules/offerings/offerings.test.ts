import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { approvedHelper as approveHelper } from '../../../test/helpers/support.ts';
import { sessionAuthorization, sessionCharge } from './offerings.pricing.ts';

type Repo = Awaited<ReturnType<typeof createRepo>>;

const offeringsUrl = (repo: Repo) => `/api/v1/repos/${repo.fullName}/offerings`;
const fixed = (name: string, price: number, extra: Record<string, unknown> = {}) => ({ kind: 'fixed', name, prices: [{ currency: 'USD', price, ...extra }] });
const session = { kind: 'session', name: 'Live session', prices: [{ currency: 'USD', initialFee: 2000, perMinuteRate: 150, minimumMinutes: 15, bounds: { min: 100, max: 300 } }] };

describe('offerings', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  const approvedHelper = (repo: Repo) => approveHelper(ctx, repo);

  async function create(repo: Repo, body: unknown) {
    const created = await repo.maintainer.api.post(offeringsUrl(repo), body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  }

  async function rowCounts() {
    const count = async (table: 'offerings' | 'offering_prices' | 'offering_helper_rates') =>
      Number((await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { offerings: await count('offerings'), prices: await count('offering_prices'), rates: await count('offering_helper_rates') };
  }

  test('maintainers create each kind; customers see the active ones with prices but without bounds', async () => {
    const repo = await createRepo(ctx);
    const ticket = await create(repo, { ...fixed('Quick question', 5000, { bounds: { min: 4000, max: 9000 } }), description: 'A **short** answer', sortOrder: 1 });
    assert.equal(ticket.currency, 'USD', "the repository's currency by default");
    assert.deepEqual(ticket.prices, [{ currency: 'USD', price: 5000, bounds: { min: 4000, max: 9000 } }]);
    assert.match(ticket.descriptionHtml, /<strong>short<\/strong>/);
    const live = await create(repo, { ...session, sortOrder: 0 });
    assert.deepEqual(live.prices, [{ currency: 'USD', initialFee: 2000, perMinuteRate: 150, minimumMinutes: 15, bounds: { min: 100, max: 300 } }]);
    const quote = await create(repo, { kind: 'quote', name: 'Ask for a quote', sortOrder: 2 });
    assert.deepEqual(quote.prices, []);
    await create(repo, { ...fixed('Retired', 100), active: false });

    const publicList = await client(ctx).get(offeringsUrl(repo));
    assert.equal(publicList.status, 200);
    assert.deepEqual(publicList.body.items.map((item: { name: string }) => item.name), ['Live session', 'Quick question', 'Ask for a quote']);
    assert.deepEqual(publicList.body.items[1].prices, [{ currency: 'USD', price: 5000 }], 'no bounds for customers');
    const maintainerList = await repo.maintainer.api.get(offeringsUrl(repo));
    assert.equal(maintainerList.body.items.length, 4, 'maintainers also see inactive offerings');
    assert.deepEqual(maintainerList.body.items.find((item: { id: string }) => item.id === ticket.id).prices[0].bounds, { min: 4000, max: 9000 });
  });

  test('prices per currency, main currency first; PATCH replaces them; deactivating hides the offering', async () => {
    const repo = await createRepo(ctx);
    assert.equal((await repo.maintainer.api.patch(`/api/v1/repos/${repo.fullName}`, { currency: 'EUR' })).status, 200);
    const offering = await create(repo, { kind: 'fixed', name: 'Bug investigation', prices: [{ currency: 'USD', price: 55000 }, { currency: 'eur', price: 50000 }, { currency: 'CHF', price: 48000 }] });
    assert.equal(offering.currency, 'EUR');
    assert.deepEqual(offering.prices.map((price: { currency: string }) => price.currency), ['EUR', 'CHF', 'USD']);

    const missingMain = await repo.maintainer.api.post(offeringsUrl(repo), { kind: 'fixed', name: 'X', currency: 'GBP', prices: [{ currency: 'EUR', price: 100 }] });
    assert.equal(missingMain.status, 400);
    assert.deepEqual(missingMain.body.error.details.map((detail: { path: string }) => detail.path), ['body.prices']);
    assert.match(missingMain.body.error.message, /GBP/);

    const url = `${offeringsUrl(repo)}/${offering.id}`;
    const repriced = await repo.maintainer.api.patch(url, { prices: [{ currency: 'USD', price: 57000 }, { currency: 'EUR', price: 52000 }] });
    assert.equal(repriced.status, 200);
    assert.deepEqual(repriced.body.prices.map((price: { currency: string; price: number }) => [price.currency, price.price]), [['EUR', 52000], ['USD', 57000]]);
    const switched = await repo.maintainer.api.patch(url, { currency: 'USD', name: 'Bug hunt' });
    assert.equal(switched.body.name, 'Bug hunt');
    assert.deepEqual(switched.body.prices.map((price: { currency: string }) => price.currency), ['USD', 'EUR']);
    assert.equal((await repo.maintainer.api.patch(url, { currency: 'CHF' })).status, 400, 'CHF has no price any more');

    assert.equal((await repo.maintainer.api.patch(url, { active: false })).body.active, false);
    assert.deepEqual((await client(ctx).get(offeringsUrl(repo))).body.items, []);
    const helper = await approvedHelper(repo);
    assert.equal((await helper.api.put(`${url}/my-rate`, { currency: 'USD', price: 57000 })).status, 404, 'inactive offerings are gone for non-maintainers');
    await assert.rejects(ctx.services.offerings.effectivePrice(offering.id, null, 'USD'), { code: 'offering_inactive' });
    assert.equal((await repo.maintainer.api.patch(url, { active: true })).body.active, true);
  });

  test('approved helpers set their own rate within the bounds, and it becomes the effective price', async () => {
    const repo = await createRepo(ctx);
    const ticket = await create(repo, { kind: 'fixed', name: 'Quick question', prices: [{ currency: 'USD', price: 5000, bounds: { min: 4000, max: 9000 } }, { currency: 'EUR', price: 4500 }] });
    const live = await create(repo, session);
    const quote = await create(repo, { kind: 'quote', name: 'Quote' });
    const helper = await approvedHelper(repo);
    const other = await approvedHelper(repo);
    const rateUrl = (id: string) => `${offeringsUrl(repo)}/${id}/my-rate`;

    const set = await helper.api.put(rateUrl(ticket.id), { currency: 'usd', price: 7000 });
    assert.equal(set.status, 200);
    assert.equal(set.body.price, 7000);
    assert.equal(set.body.currency, 'USD');
    assert.equal((await helper.api.put(rateUrl(live.id), { currency: 'USD', perMinuteRate: 250 })).status, 200);

    const refused: [unknown, string, RegExp][] = [
      [{ currency: 'USD', price: 9001 }, 'body.price', /between 4000 and 9000 minor units of USD/],
      [{ currency: 'USD', price: 3999 }, 'body.price', /between 4000 and 9000/],
      [{ currency: 'EUR', price: 4600 }, 'body.currency', /no bounds/],
      [{ currency: 'JPY', price: 4600 }, 'body.currency', /not sold in JPY; it is priced in EUR, USD/],
      [{ currency: 'USD', perMinuteRate: 200 }, 'body.perMinuteRate', /does not apply to a fixed offering/],
    ];
    for (const [body, path, message] of refused) {
      const response = await helper.api.put(rateUrl(ticket.id), body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const detail = response.body.error.details.find((candidate: { path: string }) => candidate.path === path);
      assert.match(detail?.message ?? '', message, JSON.stringify(response.body));
    }
    assert.equal((await helper.api.put(rateUrl(live.id), { currency: 'USD', perMinuteRate: 301 })).status, 400);
    assert.equal((await helper.api.put(rateUrl(quote.id), { currency: 'USD', price: 5000 })).status, 400);

    const prices = ctx.services.offerings;
    assert.deepEqual(await prices.effectivePrice(ticket.id, helper.id, 'usd'), { kind: 'fixed', currency: 'USD', price: 7000, source: 'helper' });
    assert.deepEqual(await prices.effectivePrice(ticket.id, other.id, 'USD'), { kind: 'fixed', currency: 'USD', price: 5000, source: 'offering' });
    assert.equal((await prices.effectivePrice(ticket.id, null, 'EUR')).source, 'offering');
    const liveForHelper = await prices.effectivePrice(live.id, helper.id, 'USD');
    assert.deepEqual(liveForHelper, { kind: 'session', currency: 'USD', initialFee: 2000, perMinuteRate: 250, minimumMinutes: 15, source: 'helper' });
    assert.equal(liveForHelper.kind === 'session' && sessionCharge(liveForHelper, 20), 2000 + 250 * 20);
    await assert.rejects(prices.effectivePrice(quote.id, null, 'USD'), { code: 'priced_by_quote' });
    await assert.rejects(prices.effectivePrice(ticket.id, null, 'GBP'), { code: 'currency_not_offered' });

    const helperView = await helper.api.get(offeringsUrl(repo));
    assert.deepEqual(helperView.body.items.find((item: { id: string }) => item.id === ticket.id).prices[0].bounds, { min: 4000, max: 9000 }, 'helpers see the bounds they must respect');
    const ratesUrl = `${offeringsUrl(repo)}/${ticket.id}/rates`;
    const rates = await repo.maintainer.api.get(ratesUrl);
    assert.equal(rates.status, 200);
    assert.deepEqual(rates.body.items.map((rate: { helperId: string; price: number }) => [rate.helperId, rate.price]), [[helper.id, 7000]]);
    assert.equal((await helper.api.get(ratesUrl)).status, 403);

    // Narrower bounds move rates to the nearest bound; removing bounds removes the rates.
    const narrowed = [{ currency: 'USD', price: 5000, bounds: { min: 4000, max: 6000 } }, { currency: 'EUR', price: 4500 }];
    assert.equal((await repo.maintainer.api.patch(`${offeringsUrl(repo)}/${ticket.id}`, { prices: narrowed })).status, 200);
    assert.equal((await prices.effectivePrice(ticket.id, helper.id, 'USD')).source, 'helper');
    assert.deepEqual((await repo.maintainer.api.get(ratesUrl)).body.items.map((rate: { price: number }) => rate.price), [6000]);
    assert.equal((await repo.maintainer.api.patch(`${offeringsUrl(repo)}/${live.id}`, { prices: [{ ...session.prices[0], bounds: null }] })).status, 200);
    assert.equal((await prices.effectivePrice(live.id, helper.id, 'USD')).source, 'offering');

    assert.equal((await helper.api.delete(`${rateUrl(ticket.id)}?currency=USD`)).status, 204);
    assert.deepEqual(await prices.effectivePrice(ticket.id, helper.id, 'USD'), { kind: 'fixed', currency: 'USD', price: 5000, source: 'offering' });
  });

  test('authorization: anonymous 401, strangers 403, unapproved helpers 403, pending repositories 404, foreign ids 404', async () => {
    const repo = await createRepo(ctx);
    const offering = await create(repo, fixed('Quick question', 5000, { bounds: { min: 1000, max: 9000 } }));
    const url = offeringsUrl(repo);
    const anonymous = client(ctx);
    const stranger = await createUser(ctx);
    const before = await rowCounts();

    assert.equal((await anonymous.post(url, fixed('X', 100))).status, 401);
    assert.equal((await anonymous.patch(`${url}/${offering.id}`, { name: 'Y' })).status, 401);
    assert.equal((await anonymous.put(`${url}/${offering.id}/my-rate`, { currency: 'USD', price: 2000 })).status, 401);
    assert.equal((await anonymous.delete(`${url}/${offering.id}/my-rate`)).status, 401);
    assert.equal((await stranger.api.post(url, fixed('X', 100))).status, 403);
    assert.equal((await stranger.api.patch(`${url}/${offering.id}`, { active: false })).status, 403);
    assert.equal((await stranger.api.get(`${url}/${offering.id}/rates`)).status, 403);
    assert.equal((await stranger.api.put(`${url}/${offering.id}/my-rate`, { currency: 'USD', price: 2000 })).status, 403);
    const applicant = await createUser(ctx);
    assert.equal((await applicant.api.post(`/api/v1/repos/${repo.fullName}/helpers/applications`, { pitch: 'Please let me help, I know it.' })).status, 201);
    const unapproved = await applicant.api.put(`${url}/${offering.id}/my-rate`, { currency: 'USD', price: 2000 });
    assert.equal(unapproved.status, 403);
    assert.match(unapproved.body.error.message, /approved helpers/);
    assert.deepEqual(await rowCounts(), before);

    const pending = await repo.maintainer.api.post('/api/v1/repos', { fullName: `pending-${Date.now().toString(36)}/lib` });
    const pendingUrl = `/api/v1/repos/${pending.body.fullName}/offerings`;
    assert.equal((await repo.maintainer.api.post(pendingUrl, fixed('Early bird', 100))).status, 201, 'maintainers prepare offerings before verification');
    assert.equal((await anonymous.get(pendingUrl)).status, 404);
    assert.equal((await stranger.api.get(pendingUrl)).status, 404);

    const elsewhere = await createRepo(ctx, { maintainer: repo.maintainer });
    const foreign = `${offeringsUrl(elsewhere)}/${offering.id}`;
    assert.equal((await repo.maintainer.api.patch(foreign, { name: 'Hijacked' })).status, 404);
    assert.equal((await repo.maintainer.api.get(`${foreign}/rates`)).status, 404);
    const helper = await approvedHelper(elsewhere);
    assert.equal((await helper.api.put(`${foreign}/my-rate`, { currency: 'USD', price: 2000 })).status, 404);
    assert.equal((await repo.maintainer.api.get(url)).body.items[0].name, 'Quick question');
  });

  test('bad input is a 400 that names the field, and changes nothing', async () => {
    const repo = await createRepo(ctx);
    const existing = await create(repo, fixed('Quick question', 5000));
    const sessionPrice = (extra: Record<string, unknown>) => ({ kind: 'session', name: 'S', prices: [{ currency: 'USD', initialFee: 0, perMinuteRate: 100, minimumMinutes: 10, ...extra }] });
    const cases: [string, unknown, string, RegExp][] = [
      ['negative price', fixed('F', -100), 'body.prices.0.price', /greater than zero/],
      ['zero price', fixed('F', 0), 'body.prices.0.price', /greater than zero/],
      ['fractional price', fixed('F', 12.5), 'body.prices.0.price', /whole number of minor units/],
      ['price as text', fixed('F', '50' as unknown as number), 'body.prices.0.price', /number of minor units/],
      ['absurd price', fixed('F', 10_000_001), 'body.prices.0.price', /at most 10000000/],
      ['unknown currency', { kind: 'fixed', name: 'F', prices: [{ currency: 'XYZ', price: 100 }] }, 'body.prices.0.currency', /ISO 4217/],
      ['prices on a quote', { kind: 'quote', name: 'Q', prices: [{ currency: 'USD', price: 100 }] }, 'body.prices', /quote offering has no price/],
      ['a price field on a quote', { kind: 'quote', name: 'Q', price: 100 }, 'body', /"price"/],
      ['a session field on a fixed offering', fixed('F', 100, { perMinuteRate: 5 }), 'body.prices.0.perMinuteRate', /does not apply to a fixed offering/],
      ['a price on a session', sessionPrice({ price: 100 }), 'body.prices.0.price', /priced by initialFee, perMinuteRate, minimumMinutes/],
      ['a session without its minimum', sessionPrice({ minimumMinutes: undefined }), 'body.prices.0.minimumMinutes', /required for a session/],
      ['a negative initial fee', sessionPrice({ initialFee: -1 }), 'body.prices.0.initialFee', /not be negative/],
      ['an absurd per-minute rate', sessionPrice({ perMinuteRate: 100_001 }), 'body.prices.0.perMinuteRate', /at most 100000/],
      ['bounds upside down', fixed('F', 100, { bounds: { min: 200, max: 50 } }), 'body.prices.0.bounds.max', /not be below min/],
      ['bounds without the price', fixed('F', 100, { bounds: { min: 200, max: 500 } }), 'body.prices.0.bounds', /must contain the price/],
      ['session bounds beyond the rate limit', sessionPrice({ bounds: { min: 50, max: 200_000 } }), 'body.prices.0.bounds.max', /at most 100000 minor units per minute/],
      ['a currency twice', { kind: 'fixed', name: 'F', prices: [{ currency: 'USD', price: 1 }, { currency: 'usd', price: 2 }] }, 'body.prices.1.currency', /listed twice/],
      ['a fixed offering without prices', { kind: 'fixed', name: 'F' }, 'body.prices', /must include a price in USD/],
      ['an empty name', fixed(' ', 100), 'body.name', /must not be empty/],
      ['a description too long', { ...fixed('F', 100), description: 'x'.repeat(2001) }, 'body.description', /2000/],
    ];
    const before = await rowCounts();
    for (const [label, body, path, message] of cases) {
      const response = await repo.maintainer.api.post(offeringsUrl(repo), body);
      assert.equal(response.status, 400, label);
      assert.equal(response.body.error.code, 'validation_failed', label);
      const detail = response.body.error.details.find((candidate: { path: string }) => candidate.path === path);
      assert.ok(detail, `${label}: no detail at ${path} in ${JSON.stringify(response.body.error.details)}`);
      assert.match(detail.message, message, label);
    }

    const url = `${offeringsUrl(repo)}/${existing.id}`;
    const patches: [unknown, string][] = [
      [{ prices: [{ currency: 'USD', initialFee: 100, perMinuteRate: 5, minimumMinutes: 1 }] }, 'body.prices.0.initialFee'],
      [{ kind: 'session' }, 'body'],
      [{ prices: [] }, 'body.prices'],
      [{ sortOrder: 1.5 }, 'body.sortOrder'],
    ];
    for (const [patch, path] of patches) {
      const response = await repo.maintainer.api.patch(url, patch);
      assert.equal(response.status, 400, JSON.stringify(patch));
      assert.ok(response.body.error.details.some((detail: { path: string }) => detail.path === path), JSON.stringify(response.body));
    }
    assert.deepEqual(await rowCounts(), before, 'nothing was written');
    assert.deepEqual((await repo.maintainer.api.get(offeringsUrl(repo))).body.items, [existing]);
  });

  test('sessionCharge and sessionAuthorization: minimum, zero minutes, whole numbers and overflow', () => {
    const price = { initialFee: 2000, perMinuteRate: 150, minimumMinutes: 15 };
    assert.equal(sessionCharge(price, 30), 2000 + 150 * 30);
    assert.equal(sessionCharge(price, 10), 2000 + 150 * 15, 'a short session costs the minimum');
    assert.equal(sessionCharge(price, 0), 2000 + 150 * 15);
    assert.equal(sessionCharge({ initialFee: 500, perMinuteRate: 150, minimumMinutes: 0 }, 0), 500, 'no minimum, no minutes: the initial fee');
    assert.equal(sessionAuthorization(price, 45), 2000 + 150 * 45);
    assert.equal(sessionAuthorization(price, 5), sessionCharge(price, 15), 'authorize at least the minimum');

    assert.throws(() => sessionCharge(price, 1.5), { name: 'RangeError', message: /minutes must be a whole number/ });
    assert.throws(() => sessionCharge(price, -1), /minutes must be a whole number/);
    assert.throws(() => sessionCharge({ ...price, perMinuteRate: 1.5 }, 10), /perMinuteRate/);
    assert.throws(() => sessionCharge({ ...price, initialFee: -1 }, 10), /initialFee/);
    assert.throws(() => sessionCharge({ ...price, perMinuteRate: Number.MAX_SAFE_INTEGER }, 20), /too large to compute exactly/);
    assert.throws(() => sessionCharge({ initialFee: Number.MAX_SAFE_INTEGER, perMinuteRate: 1, minimumMinutes: 0 }, 1), /too large/);
    assert.throws(() => sessionAuthorization(price, Number.MAX_SAFE_INTEGER), /too large/);
    assert.equal(sessionCharge({ initialFee: 0, perMinuteRate: 1, minimumMinutes: 0 }, Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER, 'the largest exact amount still computes');
  });
});
