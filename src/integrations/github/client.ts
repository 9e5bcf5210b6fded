import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { Webhooks } from '@octokit/webhooks';

/** Octokit logs failed requests to the console; a 404 is an answer here (not a collaborator, not installed), and errors are thrown. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export type GitHubRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** What the platform asks GitHub. Only this file imports the GitHub SDK. */
export type GitHubPermissions = {
  /** The collaborator's role on the repository (`role_name`), or 'none' when not a collaborator. */
  roleOf(owner: string, repo: string, login: string): Promise<GitHubRole>;
};

async function roleWith(octokit: Octokit, owner: string, repo: string, login: string): Promise<GitHubRole> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
    return (data.role_name as GitHubRole) ?? 'none';
  } catch (error) {
    if ((error as { status?: number }).status === 404) return 'none';
    throw error;
  }
}

/** Permission checks with a personal or machine token (GITHUB_TOKEN), when the GitHub App is not configured. */
export function githubPermissions(token: string, baseUrl: string): GitHubPermissions {
  const octokit = new Octokit({ auth: token, baseUrl, userAgent: 'backline', log: quiet });
  return { roleOf: (owner, repo, login) => roleWith(octokit, owner, repo, login) };
}

export type GitHubAppOptions = { appId: string; privateKey: string; clientId?: string; clientSecret?: string; baseUrl: string };

/**
 * The GitHub App: as the app (a JWT signed with its private key) it finds the installation on a
 * repository; as an installation (an installation access token, which @octokit/auth-app creates from
 * the JWT, caches and renews before its hour is up) it comments on issues and reads permissions.
 */
export function githubApp(options: GitHubAppOptions) {
  const auth = { appId: options.appId, privateKey: options.privateKey, clientId: options.clientId, clientSecret: options.clientSecret };
  const asApp = new Octokit({ authStrategy: createAppAuth, auth, baseUrl: options.baseUrl, userAgent: 'backline', log: quiet });
  const installations = new Map<string, Octokit>();
  const asInstallation = (installationId: string) => {
    if (!installations.has(installationId)) {
      installations.set(installationId, new Octokit({ authStrategy: createAppAuth, auth: { ...auth, installationId: Number(installationId) }, baseUrl: options.baseUrl, userAgent: 'backline', log: quiet }));
    }
    return installations.get(installationId)!;
  };

  /** The installation that covers the repository, or null when the app is not installed there. */
  async function installationOf(owner: string, repo: string): Promise<string | null> {
    try {
      const { data } = await asApp.rest.apps.getRepoInstallation({ owner, repo });
      return String(data.id);
    } catch (error) {
      if ((error as { status?: number }).status === 404) return null;
      throw error;
    }
  }

  return {
    appId: options.appId,
    installationOf,
    async comment(installationId: string, fullName: string, issueNumber: number, body: string): Promise<{ id: number; url: string }> {
      const [owner, repo] = fullName.split('/');
      const { data } = await asInstallation(installationId).rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
      return { id: data.id, url: data.html_url };
    },
    /**
     * Maintainer checks with the installation's token where the app is installed (no personal token
     * needed); a repository the app is not installed on has no role for anyone.
     */
    permissions: {
      async roleOf(owner, repo, login) {
        const installationId = await installationOf(owner, repo);
        return installationId ? roleWith(asInstallation(installationId), owner, repo, login) : 'none';
      },
    } satisfies GitHubPermissions,
  };
}

export type GitHubApp = ReturnType<typeof githubApp>;

/** The app the configuration describes, or null without GITHUB_APP_ID and GITHUB_PRIVATE_KEY. */
export function githubAppFromConfig(config: { GITHUB_APP_ID?: string; GITHUB_PRIVATE_KEY?: string; GITHUB_CLIENT_ID?: string; GITHUB_CLIENT_SECRET?: string; GITHUB_API_URL: string }): GitHubApp | null {
  if (!config.GITHUB_APP_ID || !config.GITHUB_PRIVATE_KEY) return null;
  return githubApp({ appId: config.GITHUB_APP_ID, privateKey: config.GITHUB_PRIVATE_KEY, clientId: config.GITHUB_CLIENT_ID, clientSecret: config.GITHUB_CLIENT_SECRET, baseUrl: config.GITHUB_API_URL });
}

/** Checks `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the webhook secret), in constant time. */
export function githubSignatureCheck(secret: string): (rawBody: string, signature: string) => Promise<boolean> {
  const webhooks = new Webhooks({ secret });
  return async (rawBody, signature) => {
    try {
      return await webhooks.verify(rawBody, signature);
    } catch {
      return false; // a malformed signature header
    }
  };
}
