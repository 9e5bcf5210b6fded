import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeGitHub, type FakeOAuth } from '../../../test/fakes/github.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { MINUTE } from '../../lib/clock.ts';
import { GITHUB_STATE_COOKIE } from './github-signin.ts';
import { SESSION_COOKIE } from './auth.service.ts';

const OAUTH: FakeOAuth = {
  clientId: 'Iv23liBackline',
  clientSecret: 'a-client-secret-of-forty-characters-long!',
  signedIn: 'ada',
  users: [
    { id: 101, login: 'ada', name: 'Ada Lovelace', emails: [{ email: 'ada@example.com', primary: true, verified: true }, { email: 'ada@work.example', primary: false, verified: true }] },
    { id: 102, login: 'grace', name: null, emails: [{ email: 'grace@example.com', primary: true, verified: true }] },
    { id: 103, login: 'linus', name: 'Linus', emails: [{ email: 'linus@example.com', primary: true, verified: true }] },
    { id: 104, login: 'mallory', name: 'Mallory', emails: [{ email: 'victim@example.com', primary: true, verified: false }] },
    { id: 105, login: 'octo-renamed', name: 'Octo', emails: [{ email: 'octo@example.com', primary: true, verified: true }] },
  ],
};

const cookieOf = (setCookie: unknown, name: string) => {
  const all = Array.isArray(setCookie) ? setCookie : [String(setCookie ?? '')];
  return all.map((line: string) => new RegExp(`^${name}=([^;]*)`).exec(line)?.[1]).find(Boolean);
};

describe('sign in with GitHub (the GitHub App user OAuth web flow, against a fake GitHub)', () => {
  let ctx: TestContext;
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;

  before(async () => {
    github = await startFakeGitHub({}, undefined, OAUTH);
    ctx = await startTestApp({
      env: { GITHUB_CLIENT_ID: OAUTH.clientId, GITHUB_CLIENT_SECRET: OAUTH.clientSecret, GITHUB_WEB_URL: github.url, GITHUB_API_URL: github.url, PUBLIC_URL: 'http://backline.test' },
    });
  });
  after(async () => {
    await ctx?.close();
    await github?.close();
  });

  /** The browser's part: start, let GitHub redirect back, and return the callback's query and the state cookie. */
  async function authorize(next?: string) {
    const started = await ctx.app.inject({ method: 'GET', url: `/auth/github${next ? `?next=${encodeURIComponent(next)}` : ''}` });
    assert.equal(started.statusCode, 302, started.body);
    const location = new URL(String(started.headers.location));
    assert.equal(`${location.origin}${location.pathname}`, `${github.url}/login/oauth/authorize`);
    assert.equal(location.searchParams.get('client_id'), OAUTH.clientId);
    assert.equal(location.searchParams.get('redirect_uri'), 'http://backline.test/auth/github/callback');
    const nonce = cookieOf(started.headers['set-cookie'], GITHUB_STATE_COOKIE);
    assert.ok(nonce, 'the state is bound to the browser by a cookie');
    const atGitHub = await fetch(location, { redirect: 'manual' });
    assert.equal(atGitHub.status, 302);
    const back = new URL(String(atGitHub.headers.get('location')));
    assert.equal(back.pathname, '/auth/github/callback');
    return { query: back.search, nonce: nonce! };
  }

  const callback = (query: string, nonce?: string) =>
    ctx.app.inject({ method: 'GET', url: `/auth/github/callback${query}`, headers: nonce ? { cookie: `${GITHUB_STATE_COOKIE}=${nonce}` } : {} });

  /** Signs in as whoever `OAUTH.signedIn` names; returns the session's /api/v1/me and where it went. */
  async function signIn(next?: string) {
    const { query, nonce } = await authorize(next);
    const done = await callback(query, nonce);
    assert.equal(done.statusCode, 303, done.body);
    const session = cookieOf(done.headers['set-cookie'], SESSION_COOKIE);
    assert.ok(session);
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `${SESSION_COOKIE}=${session}` } });
    assert.equal(me.statusCode, 200);
    return { me: me.json(), location: String(done.headers.location) };
  }

  const userCount = async () => Number((await ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  test('the sign-in page is told GitHub is on; a server without the client id and secret says no and has no route', async () => {
    assert.deepEqual((await client(ctx).get('/api/v1/auth/providers')).body, { magicLink: true, github: true });
    const plain = await startTestApp();
    try {
      assert.deepEqual((await client(plain).get('/api/v1/auth/providers')).body, { magicLink: true, github: false });
      const off = await client(plain).get('/auth/github');
      assert.equal(off.status, 404);
      assert.match(off.body.error.message, /not configured/);
    } finally {
      await plain.close();
    }
  });

  test('a new GitHub user gets an account with their verified primary email, their login and id, and the same session as a magic link', async () => {
    OAUTH.signedIn = 'ada';
    const before = await userCount();
    const { me, location } = await signIn('/portal/tickets/abc');
    assert.equal(location, '/portal/tickets/abc');
    assert.deepEqual([me.email, me.displayName, me.githubLogin], ['ada@example.com', 'Ada Lovelace', 'ada']);
    assert.equal(await userCount(), before + 1);
    const row = await ctx.db.selectFrom('users').select(['github_id']).where('id', '=', me.id).executeTakeFirstOrThrow();
    assert.equal(String(row.github_id), '101');
    // Signing in again finds the same account; a next outside this site is replaced by the portal.
    const again = await signIn('https://evil.example/');
    assert.equal(again.me.id, me.id);
    assert.equal(again.location, '/portal');
    assert.equal(await userCount(), before + 1);
  });

  test('an existing account is found by its verified email or by the GitHub login an operator recorded; a renamed GitHub account by its id', async () => {
    const byEmail = await createUser(ctx, { email: 'grace@example.com' });
    OAUTH.signedIn = 'grace';
    const grace = await signIn();
    assert.equal(grace.me.id, byEmail.id);
    assert.equal(grace.me.githubLogin, 'grace');

    const byLogin = await createUser(ctx, { email: 'torvalds@elsewhere.example', githubLogin: 'linus' });
    OAUTH.signedIn = 'linus';
    assert.equal((await signIn()).me.id, byLogin.id, 'the login, although GitHub has another email');

    OAUTH.signedIn = 'octo-renamed';
    const octo = await signIn();
    OAUTH.users.find((user) => user.id === 105)!.login = 'octo-new-name';
    OAUTH.signedIn = 'octo-new-name';
    assert.equal((await signIn()).me.id, octo.me.id, 'the id never changes');
  });

  test('an unverified email never matches an account: no verified email and no match is a 400 that creates nothing', async () => {
    const victim = await createUser(ctx, { email: 'victim@example.com' });
    OAUTH.signedIn = 'mallory';
    const before = await userCount();
    const { query, nonce } = await authorize();
    const refused = await callback(query, nonce);
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error.code, 'github_email_missing');
    assert.equal(cookieOf(refused.headers['set-cookie'], SESSION_COOKIE), undefined, 'no session');
    assert.equal(await userCount(), before);
    const row = await ctx.db.selectFrom('users').select(['github_id', 'github_login']).where('id', '=', victim.id).executeTakeFirstOrThrow();
    assert.deepEqual([row.github_id, row.github_login], [null, null]);
  });

  test('a missing, altered, expired or other-browser state, a missing, reused or refused code are clear 400s that create nothing', async () => {
    OAUTH.signedIn = 'ada';
    const before = await userCount();
    const sessions = async () => (await ctx.db.selectFrom('sessions').select('id').execute()).length;
    const sessionsBefore = await sessions();
    const refused = async (query: string, nonce: string | undefined, code: string) => {
      const response = await callback(query, nonce);
      assert.equal(response.statusCode, 400, `${query}: ${response.body}`);
      assert.equal(response.json().error.code, code, response.body);
      assert.equal(cookieOf(response.headers['set-cookie'], SESSION_COOKIE), undefined);
      return response.json().error.message as string;
    };

    const { query, nonce } = await authorize();
    const params = new URLSearchParams(query);
    const without = (name: string) => {
      const copy = new URLSearchParams(params);
      copy.delete(name);
      return `?${copy}`;
    };
    assert.match(await refused(without('state'), nonce, 'github_state_invalid'), /not started here/);
    const altered = new URLSearchParams(params);
    const [n, expires, , signature] = params.get('state')!.split('.');
    altered.set('state', [n, expires, Buffer.from('https://evil.example').toString('base64url'), signature].join('.'));
    await refused(`?${altered}`, nonce, 'github_state_invalid');
    assert.match(await refused(query, undefined, 'github_state_invalid'), /another browser/);
    assert.match(await refused(query, 'someone-elses-nonce', 'github_state_invalid'), /another browser/);
    await refused(without('code'), nonce, 'github_code_missing');
    assert.equal((await callback(query, nonce)).statusCode, 303, 'the genuine answer still works once');
    assert.match(await refused(query, nonce, 'github_code_invalid'), /incorrect or expired/);

    const late = await authorize();
    ctx.clock.advance(11 * MINUTE);
    assert.match(await refused(late.query, late.nonce, 'github_state_expired'), /10 minutes/);

    OAUTH.deny = true;
    const denied = await authorize();
    OAUTH.deny = false;
    const deniedAnswer = await callback(denied.query, denied.nonce);
    assert.equal(deniedAnswer.statusCode, 400);
    assert.match(deniedAnswer.json().error.message, /denied/);

    assert.equal(await userCount(), before, 'ada exists already from an earlier test; nobody new');
    assert.equal(await sessions(), sessionsBefore + 1, 'only the genuine answer started a session');
  });
});
