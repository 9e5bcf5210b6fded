import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeGitHub, type FakeOAuth } from '../fakes/github.ts';
import { startBrowserApp, PHONE, type BrowserContext } from '../helpers/browser.ts';

const OAUTH: FakeOAuth = {
  clientId: 'Iv23liBrowser',
  clientSecret: 'another-client-secret-of-forty-characters',
  signedIn: 'hedy',
  users: [{ id: 4242, login: 'hedy', name: 'Hedy Lamarr', emails: [{ email: 'hedy@example.com', primary: true, verified: true }] }],
};

describe('web: sign in with GitHub', () => {
  let ctx: BrowserContext;
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;

  before(async () => {
    github = await startFakeGitHub({}, undefined, OAUTH);
    ctx = await startBrowserApp({ env: { GITHUB_CLIENT_ID: OAUTH.clientId, GITHUB_CLIENT_SECRET: OAUTH.clientSecret, GITHUB_WEB_URL: github.url, GITHUB_API_URL: github.url } });
  });
  after(async () => {
    await ctx?.close();
    await github?.close();
  });

  test('the sign-in page offers GitHub; the button goes to GitHub and back, signed in, to the page asked for', async () => {
    const page = await ctx.newPage(PHONE);
    await page.goto('/sign-in?next=%2Fportal');
    const button = page.getByRole('link', { name: 'Sign in with GitHub' });
    await button.waitFor();
    await ctx.checkAccessibility(page, 'sign-in with GitHub');
    await ctx.screenshot(page, 'sign-in-github');
    await button.click();
    await page.waitForURL(`${ctx.baseUrl}/portal`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const me = await page.request.get('/api/v1/me');
    assert.equal(me.status(), 200, 'the session cookie is set');
    assert.equal((await me.json()).displayName, 'Hedy Lamarr');
    assert.ok(github.requests.some((request) => request.path.startsWith('/login/oauth/authorize')), 'the browser went through GitHub');
    const user = await ctx.db.selectFrom('users').select(['email', 'github_login']).where('github_id', '=', '4242').executeTakeFirstOrThrow();
    assert.deepEqual(user, { email: 'hedy@example.com', github_login: 'hedy' });
    ctx.assertNoPageProblems();
  });
});
