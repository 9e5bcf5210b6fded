import { startFakeServer } from './server.ts';

/**
 * GitHub's REST API for the calls Backline makes, in its wire format:
 * GET /repos/{owner}/{repo}/collaborators/{username}/permission answers
 * `{ permission, role_name, user }` for a collaborator and 404 `{ message: "Not Found" }` otherwise.
 */
export async function startFakeGitHub(roles: Record<string, 'admin' | 'maintain' | 'write' | 'triage' | 'read'>) {
  return startFakeServer((request) => {
    const match = /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/.exec(request.path);
    if (request.method !== 'GET' || !match) return undefined;
    if (request.headers.authorization !== 'token test-github-token') return { status: 401, body: { message: 'Bad credentials' } };
    const [, owner, repo, login] = match;
    const role = roles[`${owner}/${repo}:${login}`];
    if (!role) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
    const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    return { status: 200, body: { permission, role_name: role, user: { login, id: 1, type: 'User' } } };
  });
}
