import { createHmac, randomBytes } from 'node:crypto';
import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError, badRequest } from '../../errors.ts';
import { GitHubOAuthRefused, githubOAuth, type GitHubSignInUser } from '../../integrations/github/oauth.ts';
import { safeEqual } from '../../lib/secrets.ts';
import { findOrCreateUser, findUserByEmail, findUserByGithubId, findUserByGithubLogin, linkGithubAccount } from '../users/users.repository.ts';
import { isLocalPath, type AuthService } from './auth.service.ts';

/** The browser that starts a sign-in must be the one that finishes it: the state's nonce is also in its cookie. */
export const GITHUB_STATE_COOKIE = 'backline_github_oauth';
export const GITHUB_CALLBACK_PATH = '/auth/github/callback';
export const GITHUB_STATE_TTL_SECONDS = 600;

/**
 * Signing in with GitHub (the GitHub App's user OAuth web flow), when GITHUB_CLIENT_ID and
 * GITHUB_CLIENT_SECRET are set: a signed, expiring state carries where to return, bound to the browser
 * by a cookie; the callback exchanges the code, reads the account, and starts the same session a
 * magic link does. Null when not configured.
 */
export function githubSignIn(deps: Deps, auth: AuthService) {
  const { db, clock, config, logger } = deps;
  if (!config.GITHUB_CLIENT_ID || !config.GITHUB_CLIENT_SECRET) return null;
  const oauth = githubOAuth({ webUrl: config.GITHUB_WEB_URL, apiUrl: config.GITHUB_API_URL, clientId: config.GITHUB_CLIENT_ID, clientSecret: config.GITHUB_CLIENT_SECRET });
  const redirectUri = `${publicUrl(config)}${GITHUB_CALLBACK_PATH}`;
  const secret = config.GITHUB_CLIENT_SECRET;
  const sign = (payload: string) => createHmac('sha256', secret).update(`github-signin-state:${payload}`).digest('base64url');

  /** `nonce.expires.next.signature`, next in base64url so the dots stay separators. */
  function newState(next: string): { state: string; nonce: string } {
    const nonce = randomBytes(16).toString('base64url');
    const payload = `${nonce}.${Math.floor(clock.now().getTime() / 1000) + GITHUB_STATE_TTL_SECONDS}.${Buffer.from(next).toString('base64url')}`;
    return { state: `${payload}.${sign(payload)}`, nonce };
  }

  /** The page to return to, once the state is shown to be ours, recent, and from this browser. */
  function checkState(state: string | undefined, cookieNonce: string | undefined): string {
    const [nonce, expires, next, signature, ...rest] = typeof state === 'string' ? state.split('.') : [];
    const valid = !rest.length && nonce && expires && next && signature && safeEqual(sign(`${nonce}.${expires}.${next}`), signature);
    if (!valid) throw new AppError(400, 'github_state_invalid', 'This GitHub sign-in was not started here (its state is missing or altered); sign in again from the sign-in page.');
    if (Number(expires) < clock.now().getTime() / 1000) throw new AppError(400, 'github_state_expired', 'This GitHub sign-in took longer than 10 minutes; sign in again from the sign-in page.');
    if (!cookieNonce || !safeEqual(cookieNonce, nonce)) throw new AppError(400, 'github_state_invalid', 'This GitHub sign-in was started in another browser; sign in again from the sign-in page in this one.');
    const path = Buffer.from(next, 'base64url').toString('utf8');
    return isLocalPath(path) ? path : '/portal';
  }

  /** By GitHub id; else by the login an operator recorded (never signed in with GitHub yet); else by the verified primary email; else a new user. */
  async function userFor(github: GitHubSignInUser) {
    const now = clock.now();
    const byId = await findUserByGithubId(db, github.id);
    if (byId) return byId;
    const byLogin = await findUserByGithubLogin(db, github.login);
    const matched = byLogin && byLogin.github_id === null ? byLogin : github.verifiedPrimaryEmail ? await findUserByEmail(db, github.verifiedPrimaryEmail) : undefined;
    if (matched) {
      await linkGithubAccount(db, matched.id, github, now);
      return matched;
    }
    if (!github.verifiedPrimaryEmail) {
      throw new AppError(400, 'github_email_missing', 'Your GitHub account has no verified primary email that Backline may read; verify one on GitHub, or sign in with an email link.');
    }
    const created = await findOrCreateUser(db, now, { email: github.verifiedPrimaryEmail, displayName: github.name || github.login });
    await linkGithubAccount(db, created.id, github, now);
    return created;
  }

  return {
    /** Where GET /auth/github sends the browser, and the nonce for its cookie. */
    start(next: string | undefined): { url: string; nonce: string } {
      const { state, nonce } = newState(next && isLocalPath(next) ? next : '/portal');
      return { url: oauth.authorizeUrl(state, redirectUri), nonce };
    },

    async complete(query: { code?: string; state?: string; error?: string; error_description?: string }, cookieNonce: string | undefined) {
      if (query.error) throw badRequest(`GitHub did not sign you in (${(query.error_description ?? query.error).slice(0, 200)}); sign in again when you are ready.`);
      const next = checkState(query.state, cookieNonce);
      if (!query.code) throw new AppError(400, 'github_code_missing', 'GitHub sent no authorization code; sign in again from the sign-in page.');
      let token: string;
      let github: GitHubSignInUser;
      try {
        token = await oauth.exchangeCode(query.code, redirectUri);
        github = await oauth.user(token);
      } catch (error) {
        if (error instanceof GitHubOAuthRefused) throw new AppError(400, 'github_code_invalid', `GitHub refused the sign-in (${error.message.slice(0, 200)}); sign in again from the sign-in page.`);
        logger.warn({ err: error }, 'GitHub sign-in: GitHub could not be read');
        throw new AppError(502, 'github_unavailable', 'GitHub could not be reached to finish signing in; try again in a moment.');
      }
      const user = await userFor(github);
      const session = await auth.createSession(user.id);
      return { session, redirectTo: next };
    },
  };
}

export type GitHubSignIn = NonNullable<ReturnType<typeof githubSignIn>>;
