import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { cookieClient, linkToken, sessionCookieOf, signIn } from '../../../test/helpers/session.ts';
import { HOUR, MINUTE } from '../../lib/clock.ts';
import { hashSecret } from '../../lib/secrets.ts';
import { ROTATION_GRACE_MS, SESSION_COOKIE } from './auth.service.ts';

let sequence = 0;
const newEmail = (name = 'person') => `${name}-${++sequence}-${Date.now().toString(36)}@example.com`;

describe('auth', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  const follow = (token: string) => ctx.app.inject({ method: 'GET', url: `/auth/magic?token=${token}` });
  const me = (cookie: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { [SESSION_COOKIE]: cookie } });

  async function requestLink(email: string, redirectTo?: string): Promise<string> {
    const response = await client(ctx).post('/api/v1/auth/magic-link', { email, ...(redirectTo ? { redirectTo } : {}) });
    assert.equal(response.status, 202);
    await ctx.jobs.drain();
    return linkToken(ctx, email, '/auth/magic');
  }

  test('a sign-in link is emailed by a job, whether or not the account exists, and listed in the dev outbox', async () => {
    const known = await createUser(ctx);
    const unknown = newEmail('newcomer');
    const anonymous = client(ctx);
    const before = ctx.sent.length;

    const forKnown = await anonymous.post('/api/v1/auth/magic-link', { email: known.email });
    const forUnknown = await anonymous.post('/api/v1/auth/magic-link', { email: unknown });
    assert.equal(forKnown.status, 202);
    assert.equal(forUnknown.status, 202);
    assert.deepEqual(forKnown.body, forUnknown.body, 'the answer does not tell whether an account exists');
    assert.equal(ctx.sent.length, before, 'mail leaves through the job queue, not during the request');
    const noAccountYet = await ctx.db.selectFrom('users').select('id').where('email', '=', unknown).executeTakeFirst();
    assert.equal(noAccountYet, undefined, 'asking for a link creates no account');

    assert.equal(await ctx.jobs.drain(), 2);
    const email = ctx.sent.find((candidate) => candidate.to === unknown);
    assert.ok(email);
    assert.equal(email.subject, 'Your Backline sign-in link');
    assert.match(email.text, /http:\/\/localhost:3000\/auth\/magic\?token=blm_[\w-]{40,}/);
    assert.ok(linkToken(ctx, known.email, '/auth/magic'));

    const outbox = await anonymous.get(`/dev/mail?to=${encodeURIComponent(unknown.toUpperCase())}`);
    assert.equal(outbox.status, 200);
    assert.equal(outbox.body.items.length, 1);
    assert.equal(outbox.body.items[0].to, unknown);
    assert.equal(outbox.body.items[0].status, 'sent');
    assert.ok(outbox.body.items[0].text.includes(linkToken(ctx, unknown, '/auth/magic')));
  });

  test('following the link sets an httpOnly SameSite=Lax cookie, redirects, and creates the account once', async () => {
    const email = newEmail();
    const token = await requestLink(email, '/tickets/new?repo=a%2Fb');
    const followed = await follow(token);
    assert.equal(followed.statusCode, 303);
    assert.equal(followed.headers.location, '/tickets/new?repo=a%2Fb');
    const cookie = followed.cookies.find((candidate) => candidate.name === SESSION_COOKIE);
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.secure, undefined, 'not Secure on plain http');
    assert.equal((cookie.expires as Date).getTime(), ctx.clock.now().getTime() + ctx.deps.config.SESSION_TTL_HOURS * HOUR);
    assert.match(cookie.value, /^bls_/);

    const profile = await me(cookie.value);
    assert.equal(profile.statusCode, 200);
    assert.equal(profile.json().email, email);

    const again = await follow(token);
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().error.code, 'link_invalid');
    assert.equal(sessionCookieOf(again), undefined);

    // A second sign-in with different case reaches the same account.
    const second = await signIn(ctx, email.toUpperCase());
    assert.equal((await me(second)).json().id, profile.json().id);
    const accounts = await ctx.db.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email)).execute();
    assert.equal(accounts.length, 1);

    const unknownToken = await follow('blm_this-token-was-never-issued');
    assert.equal(unknownToken.statusCode, 400);
    assert.equal(unknownToken.json().error.code, 'link_invalid');
  });

  test('without redirectTo the link goes home; redirectTo must stay on this site', async () => {
    assert.equal((await follow(await requestLink(newEmail()))).headers.location, '/');
    for (const redirectTo of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/\t/evil.example', 'javascript:alert(1)', '/a\r\nSet-Cookie: x=1']) {
      const response = await client(ctx).post('/api/v1/auth/magic-link', { email: newEmail(), redirectTo });
      assert.equal(response.status, 400, `redirectTo ${JSON.stringify(redirectTo)} is refused`);
      assert.equal(response.body.error.details[0].path, 'body.redirectTo');
    }
  });

  test('a link works only until MAGIC_LINK_TTL_MINUTES have passed', async () => {
    const ttl = ctx.deps.config.MAGIC_LINK_TTL_MINUTES * MINUTE;
    const late = await requestLink(newEmail());
    const justInTime = await requestLink(newEmail());
    ctx.clock.advance(ttl - MINUTE);
    assert.equal((await follow(justInTime)).statusCode, 303);
    ctx.clock.advance(2 * MINUTE);
    const expired = await follow(late);
    assert.equal(expired.statusCode, 400);
    assert.equal(expired.json().error.code, 'link_invalid');
    assert.match(expired.json().error.message, /ask for a new one/);
  });

  test('a session older than SESSION_ROTATE_HOURS is replaced on its next use and the old cookie stops working', async () => {
    const { SESSION_ROTATE_HOURS, SESSION_TTL_HOURS } = ctx.deps.config;
    const cookie = await signIn(ctx, newEmail());
    const fresh = await me(cookie);
    assert.equal(fresh.statusCode, 200);
    assert.equal(sessionCookieOf(fresh), undefined, 'a young session is not rotated');

    ctx.clock.advance(SESSION_ROTATE_HOURS * HOUR + MINUTE);
    const rotated = await me(cookie);
    assert.equal(rotated.statusCode, 200);
    const replacement = rotated.cookies.find((candidate) => candidate.name === SESSION_COOKIE);
    assert.ok(replacement?.value);
    assert.notEqual(replacement.value, cookie);
    assert.equal(replacement.httpOnly, true);
    assert.equal(replacement.sameSite, 'Lax');
    const stored = await ctx.db.selectFrom('sessions').select('expires_at').where('token_hash', '=', hashSecret(replacement.value)).executeTakeFirstOrThrow();
    assert.equal(stored.expires_at.getTime(), ctx.clock.now().getTime() + SESSION_TTL_HOURS * HOUR);
    assert.equal((replacement.expires as Date).getTime(), stored.expires_at.getTime(), 'the cookie expires with its session');

    // Requests the page sent at the same time, still carrying the old cookie, are answered as before...
    const inFlight = await me(cookie);
    assert.equal(inFlight.statusCode, 200);
    assert.equal(sessionCookieOf(inFlight), undefined, 'neither rotated again nor cleared');
    // ...but a minute later the old cookie is dead.
    ctx.clock.advance(ROTATION_GRACE_MS + 1);
    const old = await me(cookie);
    assert.equal(old.statusCode, 401);
    assert.equal(sessionCookieOf(old), '', 'a dead cookie is cleared');
    const next = await me(replacement.value);
    assert.equal(next.statusCode, 200);
    assert.equal(next.json().id, fresh.json().id);
    assert.equal(sessionCookieOf(next), undefined);
  });

  test('a session unused for SESSION_TTL_HOURS is rejected', async () => {
    const cookie = await signIn(ctx, newEmail());
    ctx.clock.advance(ctx.deps.config.SESSION_TTL_HOURS * HOUR + MINUTE);
    const expired = await me(cookie);
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().error.code, 'unauthorized');
    assert.equal(sessionCookieOf(expired), '');
  });

  test('signing out revokes the session', async () => {
    const cookie = await signIn(ctx, newEmail());
    const out = await cookieClient(ctx, cookie).post('/api/v1/auth/sign-out');
    assert.equal(out.status, 204);
    assert.match(String(out.headers['set-cookie']), new RegExp(`^${SESSION_COOKIE}=;`));
    assert.equal((await me(cookie)).statusCode, 401);
    const row = await ctx.db.selectFrom('sessions').select('revoked_at').where('token_hash', '=', hashSecret(cookie)).executeTakeFirstOrThrow();
    assert.ok(row.revoked_at);
  });

  test('cookie-authenticated writes from another site are refused (CSRF); our own pages pass', async () => {
    const cookie = await signIn(ctx, newEmail());
    const browser = cookieClient(ctx, cookie);
    const tokens = async () => (await browser.get('/api/v1/me/tokens')).body.items.length;

    const foreignOrigin = await browser.post('/api/v1/me/tokens', { name: 'x' }, { origin: 'https://evil.example' });
    assert.equal(foreignOrigin.status, 403);
    assert.equal(foreignOrigin.body.error.code, 'csrf_rejected');
    const crossSite = await browser.post('/api/v1/me/tokens', { name: 'x' }, { 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.body.error.code, 'csrf_rejected');
    assert.equal((await browser.delete('/api/v1/me/tokens/00000000-0000-7000-8000-000000000000', { origin: 'null' })).status, 403);
    assert.equal((await browser.patch('/api/v1/me', { displayName: 'Hacked' }, { origin: 'http://localhost:80.evil.example' })).status, 403);
    assert.equal(await tokens(), 0, 'a refused request changed nothing');
    assert.notEqual((await browser.get('/api/v1/me')).body.displayName, 'Hacked');

    assert.equal((await browser.post('/api/v1/me/tokens', { name: 'same origin' }, { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' })).status, 201);
    assert.equal((await browser.post('/api/v1/me/tokens', { name: 'no origin header' })).status, 201);
    // A form on our own page (the sandbox checkout): under Referrer-Policy no-referrer Chromium sends
    // `Origin: null`, and Sec-Fetch-Site says what the request really is.
    assert.equal((await browser.post('/api/v1/me/tokens', { name: 'own form' }, { origin: 'null', 'sec-fetch-site': 'same-origin' })).status, 201);
    assert.equal((await browser.post('/api/v1/me/tokens', { name: 'x' }, { origin: 'null', 'sec-fetch-site': 'same-site' })).status, 403);
    assert.equal(await tokens(), 3);
    // Reads are not state changes: a cross-site GET is answered.
    assert.equal((await browser.get('/api/v1/me', { 'sec-fetch-site': 'cross-site' })).status, 200);
  });

  test('a refused cross-site request does not end the session, even when the session was due for rotation', async () => {
    const cookie = await signIn(ctx, newEmail());
    ctx.clock.advance(ctx.deps.config.SESSION_ROTATE_HOURS * HOUR + MINUTE);
    const refused = await cookieClient(ctx, cookie).post('/api/v1/auth/sign-out', {}, { origin: 'https://evil.example' });
    assert.equal(refused.status, 403);
    // Whatever cookie the browser holds afterwards (the old one, or a replacement the answer set) still works.
    const current = sessionCookieOf({ cookies: parseSetCookie(refused.headers['set-cookie'] ?? []) }) || cookie;
    const stillSignedIn = await me(current);
    assert.equal(stillSignedIn.statusCode, 200, 'another site cannot sign the user out by triggering a rotation');
  });

  test('a configured support site may write with the cookie', async () => {
    const withSite = await startTestApp({ env: { CORS_ORIGINS: 'https://support.example.org' } });
    try {
      const cookie = await signIn(withSite, newEmail());
      const response = await cookieClient(withSite, cookie).post('/api/v1/me/tokens', { name: 'site' }, { origin: 'https://support.example.org' });
      assert.equal(response.status, 201);
      assert.equal((await cookieClient(withSite, cookie).post('/api/v1/me/tokens', { name: 'other' }, { origin: 'https://other.example.org' })).status, 403);
    } finally {
      await withSite.close();
    }
  });

  test('behind a reverse proxy, pages served from PUBLIC_URL may write with the cookie', async () => {
    const proxied = await startTestApp({ env: { PUBLIC_URL: 'https://backline.example.org' } });
    try {
      const email = newEmail();
      await client(proxied).post('/api/v1/auth/magic-link', { email });
      await proxied.jobs.drain();
      const followed = await proxied.app.inject({ method: 'GET', url: `/auth/magic?token=${linkToken(proxied, email, 'https://backline.example.org/auth/magic')}` });
      const cookie = followed.cookies.find((candidate) => candidate.name === SESSION_COOKIE);
      assert.ok(cookie);
      assert.equal(cookie.secure, true, 'https deployments send the cookie over https only');
      const browser = cookieClient(proxied, cookie.value);
      const upstream = { host: '127.0.0.1:3000' };
      assert.equal((await browser.post('/api/v1/me/tokens', { name: 'ui' }, { ...upstream, origin: 'https://backline.example.org' })).status, 201);
      assert.equal((await browser.post('/api/v1/me/tokens', { name: 'evil' }, { ...upstream, origin: 'https://evil.example' })).status, 403);
    } finally {
      await proxied.close();
    }
  });

  test('API tokens: the secret is shown once, listed never, stored hashed; revoking makes it a clear 401', async () => {
    const user = await createUser(ctx);
    const created = await user.api.post('/api/v1/me/tokens', { name: '  CI bot  ' });
    assert.equal(created.status, 201);
    assert.equal(created.body.name, 'CI bot');
    const secret: string = created.body.token;
    assert.match(secret, /^blt_[\w-]{40,}$/);

    const listed = await user.api.get('/api/v1/me/tokens');
    assert.equal(listed.status, 200);
    const entry = listed.body.items.find((item: { id: string }) => item.id === created.body.id);
    assert.ok(entry);
    assert.deepEqual(Object.keys(entry).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt']);
    assert.ok(secret.startsWith(entry.prefix));
    assert.ok(entry.prefix.length <= 8, 'the prefix identifies the token without revealing it');
    assert.ok(!JSON.stringify(listed.body).includes(secret.slice(8)), 'the list never carries the secret');

    const rows = await ctx.db.selectFrom('api_tokens').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(secret.slice(8)), 'no column holds the plaintext');
    const row = rows.find((candidate) => candidate.id === created.body.id);
    assert.equal(row?.token_hash, hashSecret(secret));

    const bot = client(ctx, secret);
    const asBot = await bot.get('/api/v1/me');
    assert.equal(asBot.status, 200);
    assert.equal(asBot.body.id, user.id);
    const used = await user.api.get('/api/v1/me/tokens');
    assert.ok(used.body.items.find((item: { id: string }) => item.id === created.body.id).lastUsedAt, 'use is recorded');

    const stranger = await createUser(ctx);
    assert.equal((await stranger.api.delete(`/api/v1/me/tokens/${created.body.id}`)).status, 404, 'nobody revokes another user’s token');
    assert.equal((await bot.get('/api/v1/me')).status, 200);

    assert.equal((await user.api.delete(`/api/v1/me/tokens/${created.body.id}`)).status, 204);
    const revoked = await bot.get('/api/v1/me');
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.error.code, 'unauthorized');
    assert.match(revoked.body.error.message, /invalid or revoked/);
    assert.equal((await user.api.delete(`/api/v1/me/tokens/${created.body.id}`)).status, 404);
    const afterRevoke = await user.api.get('/api/v1/me/tokens');
    assert.ok(afterRevoke.body.items.find((item: { id: string }) => item.id === created.body.id).revokedAt);
    assert.equal((await client(ctx).get('/api/v1/me/tokens')).status, 401);
  });

  test('a malformed or unknown Authorization header is a 401, never anonymous', async () => {
    const user = await createUser(ctx);
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Bearer ${user.token} extra`, user.token, '']) {
      const response = await ctx.app.inject({ method: 'GET', url: '/api/v1/repos', headers: { authorization: header } });
      assert.equal(response.statusCode, 401, `Authorization: ${JSON.stringify(header)}`);
      assert.match(response.json().error.message, /Bearer <token>/);
    }
    const unknown = await client(ctx, 'blt_not-a-real-token').get('/api/v1/repos');
    assert.equal(unknown.status, 401);
    assert.match(unknown.body.error.message, /invalid or revoked/);
    assert.equal((await client(ctx).get('/api/v1/repos')).status, 200, 'no header at all is anonymous');
    assert.equal((await client(ctx, user.token).get('/api/v1/me', { authorization: `bearer  ${user.token}` })).status, 200, 'the scheme is case-insensitive');
  });
});

describe('sign-in rate limit', () => {
  let ctx: TestContext;
  // Behind our own proxy (TRUST_PROXY=1) the client address comes from X-Forwarded-For.
  before(async () => (ctx = await startTestApp({ env: { SIGNIN_RATE_LIMIT_PER_HOUR: '2', TRUST_PROXY: '1' } })));
  after(() => ctx.close());

  test('without TRUST_PROXY a forged X-Forwarded-For does not change the address counted', async () => {
    const direct = await startTestApp({ env: { SIGNIN_RATE_LIMIT_PER_HOUR: '2' } });
    try {
      const statuses = [];
      for (let index = 0; index < 3; index++) {
        const response = await client(direct).post('/api/v1/auth/magic-link', { email: newEmail(`forged${index}`) }, { 'x-forwarded-for': `198.51.100.${index}` });
        statuses.push(response.status);
      }
      assert.deepEqual(statuses, [202, 202, 429]);
    } finally {
      await direct.close();
    }
  });

  let address = 0;
  const fromNewAddress = (email: string) =>
    client(ctx).post('/api/v1/auth/magic-link', { email }, { 'x-forwarded-for': `203.0.113.${++address}` });

  test('per email: links beyond SIGNIN_RATE_LIMIT_PER_HOUR answer 429 with Retry-After, from any address', async () => {
    const email = newEmail('limited');
    assert.equal((await fromNewAddress(email)).status, 202);
    assert.equal((await fromNewAddress(email.toUpperCase())).status, 202);
    const limited = await fromNewAddress(email);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 3600, `Retry-After ${limited.headers['retry-after']}`);
    assert.equal((await fromNewAddress(newEmail('other'))).status, 202, 'other addresses are not affected');
    await ctx.jobs.drain();
    assert.equal(ctx.sent.filter((sent) => sent.to.toLowerCase() === email).length, 2);

    ctx.clock.advance(HOUR + MINUTE);
    assert.equal((await fromNewAddress(email)).status, 202, 'the window moves on');
  });

  test('per client address: the same address asking for many emails is limited too', async () => {
    const from = { 'x-forwarded-for': '198.51.100.7' };
    const anonymous = client(ctx);
    assert.equal((await anonymous.post('/api/v1/auth/magic-link', { email: newEmail() }, from)).status, 202);
    assert.equal((await anonymous.post('/api/v1/auth/magic-link', { email: newEmail() }, from)).status, 202);
    const limited = await anonymous.post('/api/v1/auth/magic-link', { email: newEmail() }, from);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) > 0);
  });
});

describe('secrets stay out of the logs', () => {
  test('magic-link tokens, session cookies and API tokens never appear in log lines', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const ctx = await startTestApp({ logger: pino({ level: 'trace' }, sink) });
    try {
      const email = newEmail('logged');
      await client(ctx).post('/api/v1/auth/magic-link', { email });
      await ctx.jobs.drain();
      const magic = linkToken(ctx, email, '/auth/magic');
      const followed = await ctx.app.inject({ method: 'GET', url: `/auth/magic?token=${magic}` });
      const cookie = sessionCookieOf(followed);
      assert.ok(cookie);
      const again = await ctx.app.inject({ method: 'GET', url: `/auth/magic?token=${magic}` });
      assert.equal(again.statusCode, 400);
      ctx.clock.advance(ctx.deps.config.SESSION_ROTATE_HOURS * HOUR + MINUTE);
      const rotated = await cookieClient(ctx, cookie).get('/api/v1/me');
      const replacement = sessionCookieOf({ cookies: parseSetCookie(rotated.headers['set-cookie']) });
      assert.ok(replacement);
      const created = await cookieClient(ctx, replacement).post('/api/v1/me/tokens', { name: 'logged' });
      assert.equal(created.status, 201);
      assert.equal((await client(ctx, created.body.token).get('/api/v1/me')).status, 200);
      await client(ctx, 'blt_wrong-token-that-should-not-be-logged').get('/api/v1/me');

      const log = lines.join('');
      assert.ok(log.includes('incoming request'), 'requests are logged at all');
      for (const [what, secret] of [['magic-link token', magic], ['session cookie', cookie], ['rotated cookie', replacement], ['API token', created.body.token], ['wrong token', 'blt_wrong-token']]) {
        assert.ok(!log.includes(secret.slice(4)), `the ${what} appears in the logs`);
      }
    } finally {
      await ctx.close();
    }
  });
});

function parseSetCookie(header: unknown): Array<{ name: string; value: string }> {
  const all = Array.isArray(header) ? header : header ? [String(header)] : [];
  return all.map((line: string) => {
    const [pair] = line.split(';');
    const index = pair.indexOf('=');
    return { name: pair.slice(0, index), value: pair.slice(index + 1) };
  });
}
