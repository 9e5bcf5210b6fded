import { z } from 'zod';
import { cookieSecure, type Config } from '../../config.ts';
import { sessionCookieOptions } from '../../http/authenticate.ts';
import { errorResponse, errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { notFound } from '../../errors.ts';
import { SESSION_COOKIE } from './auth.service.ts';
import { GITHUB_CALLBACK_PATH, GITHUB_STATE_COOKIE, GITHUB_STATE_TTL_SECONDS, type GitHubSignIn } from './github-signin.ts';

/** The ways to sign in, for the sign-in page; GET /auth/github and its callback when GitHub is configured. */
export function registerGitHubSignInRoutes(app: App, github: GitHubSignIn | null, config: Config) {
  const signInLimit = { rateLimit: { max: config.SIGNIN_RATE_LIMIT_PER_HOUR * 6, timeWindow: '1 hour' } };
  // The state cookie is only ever needed by the callback.
  const stateCookie = { path: GITHUB_CALLBACK_PATH, httpOnly: true, sameSite: 'lax' as const, secure: cookieSecure(config) };

  app.get('/api/v1/auth/providers', {
    schema: {
      tags: ['auth'],
      summary: 'How people can sign in here: the email link always, GitHub when GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are set',
      security: [],
      response: { 200: z.object({ magicLink: z.literal(true), github: z.boolean() }) },
    },
  }, async () => ({ magicLink: true as const, github: github !== null }));

  app.get('/auth/github', {
    config: signInLimit,
    schema: {
      tags: ['auth'],
      summary: "Sign in with GitHub: redirects to GitHub's authorization page with a signed state (404 when GitHub sign-in is not configured)",
      security: [],
      querystring: z.object({ next: z.string().max(500).optional().describe('A path on this site to return to (default /portal)') }),
      response: { 302: z.null(), 404: errorResponse },
    },
  }, async (request, reply) => {
    if (!github) throw notFound('GitHub sign-in (it is not configured on this server)');
    const { url, nonce } = github.start(request.query.next);
    reply.setCookie(GITHUB_STATE_COOKIE, nonce, { ...stateCookie, maxAge: GITHUB_STATE_TTL_SECONDS });
    return reply.redirect(url, 302);
  });

  app.get(GITHUB_CALLBACK_PATH, {
    config: signInLimit,
    // The code is in the query string; the request log line must not carry it (as for /auth/magic).
    schema: {
      tags: ['auth'],
      summary: 'Where GitHub returns: checks the state, exchanges the code, starts the session and redirects (400 for a missing or altered state or code)',
      security: [],
      querystring: z.object({
        code: z.string().max(500).optional(),
        state: z.string().max(1000).optional(),
        error: z.string().max(200).optional(),
        error_description: z.string().max(500).optional(),
      }),
      response: { 303: z.null(), ...errorResponses, 502: errorResponse },
    },
  }, async (request, reply) => {
    if (!github) throw notFound('GitHub sign-in (it is not configured on this server)');
    const cookie = request.cookies[GITHUB_STATE_COOKIE];
    reply.clearCookie(GITHUB_STATE_COOKIE, { path: GITHUB_CALLBACK_PATH });
    const { session, redirectTo } = await github.complete(request.query, cookie);
    reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(config, session.expiresAt));
    return reply.redirect(redirectTo, 303);
  });
}
