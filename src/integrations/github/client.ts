import { Octokit } from '@octokit/rest';

export type GitHubRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** What the platform asks GitHub. Only this file imports the GitHub SDK. */
export type GitHubPermissions = {
  /** The collaborator's role on the repository (`role_name`), or 'none' when not a collaborator. */
  roleOf(owner: string, repo: string, login: string): Promise<GitHubRole>;
};

export function githubPermissions(token: string, baseUrl: string): GitHubPermissions {
  const octokit = new Octokit({ auth: token, baseUrl, userAgent: 'backline' });
  return {
    async roleOf(owner, repo, login) {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: login });
        return (data.role_name as GitHubRole) ?? 'none';
      } catch (error) {
        if ((error as { status?: number }).status === 404) return 'none';
        throw error;
      }
    },
  };
}
