import assert from 'node:assert/strict';
import { SESSION_COOKIE } from '../../src/modules/auth/auth.service.ts';
import type { TestContext } from './app.ts';
import { client, type Client } from './http.ts';

/** The secret after `?token=` in the last email sent to `to` whose link goes to `path`. */
export function linkToken(ctx: TestContext, to: string, path: string): string {
  const email = ctx.sent.findLast((candidate) => candidate.to.toLowerCase() === to.toLowerCase() && candidate.text.includes(path));
  assert.ok(email, `no email to ${to} with a link to ${path}`);
  const match = new RegExp(`${path.replace(/[/?]/g, '\\$&')}\\?token=([\\w-]+)`).exec(email.text);
  assert.ok(match, `the email to ${to} has no ${path}?token= link`);
  return match[1];
}

/** The value of the session cookie a response sets, or undefined; '' when it clears the cookie. */
export function sessionCookieOf(response: { cookies: Array<{ name: string; value: string }> }): string | undefined {
  return response.cookies.find((cookie) => cookie.name === SESSION_COOKIE)?.value;
}

/** Signs in through the real flow (magic link by email, then the link) and returns the session cookie. */
export async function signIn(ctx: TestContext, email: string): Promise<string> {
  const requested = await client(ctx).post('/api/v1/auth/magic-link', { email });
  assert.equal(requested.status, 202);
  await ctx.jobs.drain();
  const followed = await ctx.app.inject({ method: 'GET', url: `/auth/magic?token=${linkToken(ctx, email, '/auth/magic')}` });
  assert.equal(followed.statusCode, 303);
  const cookie = sessionCookieOf(followed);
  assert.ok(cookie, 'following the link sets the session cookie');
  return cookie;
}

/** Like `client`, but authenticated by the session cookie, as the web app is. */
export function cookieClient(ctx: TestContext, cookie: string): Client {
  const base = client(ctx);
  const withCookie = (headers: Record<string, string> = {}) => ({ cookie: `${SESSION_COOKIE}=${cookie}`, ...headers });
  return {
    get: (url, headers) => base.get(url, withCookie(headers)),
    post: (url, body, headers) => base.post(url, body, withCookie(headers)),
    patch: (url, body, headers) => base.patch(url, body, withCookie(headers)),
    put: (url, body, headers) => base.put(url, body, withCookie(headers)),
    delete: (url, headers) => base.delete(url, withCookie(headers)),
  };
}
