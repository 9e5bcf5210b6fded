/**
 * The GitHub App's user OAuth web flow, as far as signing in needs it: exchange the code GitHub sends
 * back for a user access token, then read who the user is and their email addresses. Plain HTTP: the
 * token exchange lives on GitHub's web host, not its API, and is two requests the SDK adds nothing to.
 */
export type GitHubOAuthOptions = { webUrl: string; apiUrl: string; clientId: string; clientSecret: string };
export type GitHubSignInUser = { id: string; login: string; name: string | null; verifiedPrimaryEmail: string | null };

/** GitHub refused (a bad, used or expired code): the person should start again. Anything else is GitHub failing. */
export class GitHubOAuthRefused extends Error {}

const TIMEOUT_MS = 10_000;
const base = (url: string) => url.replace(/\/$/, '');

export function githubOAuth(options: GitHubOAuthOptions) {
  async function json(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      throw new Error(`GitHub answered ${url} with ${response.status} and no JSON`);
    }
  }

  const api = (path: string, token: string) =>
    json(`${base(options.apiUrl)}${path}`, { headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${token}`, 'user-agent': 'backline', 'x-github-api-version': '2022-11-28' } });

  return {
    authorizeUrl(state: string, redirectUri: string): string {
      const params = new URLSearchParams({ client_id: options.clientId, redirect_uri: redirectUri, state, allow_signup: 'true' });
      return `${base(options.webUrl)}/login/oauth/authorize?${params}`;
    },

    /** POST /login/oauth/access_token: GitHub answers 200 with `error` when it refuses the code. */
    async exchangeCode(code: string, redirectUri: string): Promise<string> {
      const { status, body } = await json(`${base(options.webUrl)}/login/oauth/access_token`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'backline' },
        body: JSON.stringify({ client_id: options.clientId, client_secret: options.clientSecret, code, redirect_uri: redirectUri }),
      });
      const answer = body as { access_token?: string; error?: string; error_description?: string };
      if (answer.error) throw new GitHubOAuthRefused(answer.error_description ?? answer.error);
      if (status !== 200 || typeof answer.access_token !== 'string') throw new Error(`GitHub's token exchange answered ${status} without a token`);
      return answer.access_token;
    },

    /** GET /user, and GET /user/emails for the verified primary address (the profile's public email may be unverified or hidden). */
    async user(token: string): Promise<GitHubSignInUser> {
      const profile = await api('/user', token);
      const user = profile.body as { id?: number; login?: string; name?: string | null };
      if (profile.status !== 200 || typeof user.id !== 'number' || typeof user.login !== 'string') throw new Error(`GitHub's /user answered ${profile.status}`);
      const emails = await api('/user/emails', token);
      // Without the app's "Email addresses" permission the list is refused: the account may still match by id or login.
      const list = emails.status === 200 && Array.isArray(emails.body) ? (emails.body as Array<{ email: string; primary: boolean; verified: boolean }>) : [];
      const primary = list.find((entry) => entry.primary && entry.verified);
      return { id: String(user.id), login: user.login, name: user.name ?? null, verifiedPrimaryEmail: primary?.email ?? null };
    },
  };
}

export type GitHubOAuth = ReturnType<typeof githubOAuth>;
