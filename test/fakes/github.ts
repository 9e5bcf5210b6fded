import { createHmac, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { startFakeServer, type FakeRequest } from './server.ts';

type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

/** The GitHub App the fake knows: its id, the public half of its key, and where it is installed. */
export type FakeApp = { appId: string; publicKeyPem: string; slug: string; installations: Record<string, number> };

/** A GitHub App's key pair as GitHub hands it out: an RSA key in PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"). */
export function githubAppKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Signs a webhook body the way GitHub does: `sha256=` + HMAC-SHA256 of the raw body with the webhook secret. */
export const signDelivery = (secret: string, raw: string) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

/** The app's JWT checked as GitHub does: RS256 with the app's public key, iss = app id, not expired, at most 10 minutes long. */
function appJwtValid(app: FakeApp, authorization: string | undefined): boolean {
  const match = /^bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(authorization ?? '');
  if (!match) return false;
  const [, header, payload, signature] = match;
  const verifier = createVerify('RSA-SHA256').update(`${header}.${payload}`);
  if (!verifier.verify(app.publicKeyPem, Buffer.from(signature, 'base64url'))) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss: string | number; iat: number; exp: number };
  const now = Math.floor(Date.now() / 1000);
  return String(claims.iss) === app.appId && claims.exp > now && claims.exp - claims.iat <= 660;
}

/**
 * GitHub's REST API for the calls Backline makes, in its wire format:
 * - GET /repos/{owner}/{repo}/collaborators/{username}/permission answers `{ permission, role_name, user }`
 *   for a collaborator and 404 `{ message: "Not Found" }` otherwise (personal token or installation token);
 * - as the app (JWT): GET /repos/{owner}/{repo}/installation and POST /app/installations/{id}/access_tokens;
 * - as an installation: POST /repos/{owner}/{repo}/issues/{number}/comments, recorded in `comments`.
 */
export async function startFakeGitHub(roles: Record<string, Role>, app?: FakeApp) {
  const tokens = new Map<string, number>(); // installation token -> installation id
  const comments: { installationId: number; repo: string; issue: number; body: string }[] = [];
  let commentId = 1000;
  const notFound = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
  const badCredentials = { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } };
  const installationOfToken = (request: FakeRequest) => tokens.get(/^token (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '');

  const server = await startFakeServer((request) => {
    const permission = /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/.exec(request.path);
    if (request.method === 'GET' && permission) {
      const [, owner, repo, login] = permission;
      const installation = installationOfToken(request);
      if (request.headers.authorization !== 'token test-github-token' && installation === undefined) return badCredentials;
      if (installation !== undefined && app?.installations[`${owner}/${repo}`] !== installation) return { status: 403, body: { message: 'Resource not accessible by integration' } };
      const role = roles[`${owner}/${repo}:${login}`];
      if (!role) return notFound;
      return { status: 200, body: { permission: role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role, role_name: role, user: { login, id: 1, type: 'User' } } };
    }
    if (!app) return undefined;
    const repoInstallation = /^\/repos\/([^/]+)\/([^/]+)\/installation$/.exec(request.path);
    if (request.method === 'GET' && repoInstallation) {
      if (!appJwtValid(app, request.headers.authorization)) return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
      const id = app.installations[`${repoInstallation[1]}/${repoInstallation[2]}`];
      return id ? { status: 200, body: { id, app_id: Number(app.appId), app_slug: app.slug, account: { login: repoInstallation[1], type: 'Organization' }, repository_selection: 'selected' } } : notFound;
    }
    const accessTokens = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(request.path);
    if (request.method === 'POST' && accessTokens) {
      if (!appJwtValid(app, request.headers.authorization)) return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
      const id = Number(accessTokens[1]);
      if (!Object.values(app.installations).includes(id)) return notFound;
      const token = `ghs_${randomBytes(18).toString('base64url')}`;
      tokens.set(token, id);
      return { status: 201, body: { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { issues: 'write', metadata: 'read' }, repository_selection: 'selected' } };
    }
    const comment = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(request.path);
    if (request.method === 'POST' && comment) {
      const installation = installationOfToken(request);
      if (installation === undefined) return badCredentials;
      const repo = `${comment[1]}/${comment[2]}`;
      if (app.installations[repo] !== installation) return { status: 403, body: { message: 'Resource not accessible by integration' } };
      const { body } = JSON.parse(request.body) as { body: string };
      comments.push({ installationId: installation, repo, issue: Number(comment[3]), body });
      const id = ++commentId;
      return {
        status: 201,
        body: { id, body, html_url: `https://github.com/${repo}/issues/${comment[3]}#issuecomment-${id}`, user: { login: `${app.slug}[bot]`, id: 9000, type: 'Bot' }, performed_via_github_app: { id: Number(app.appId), slug: app.slug } },
      };
    }
    return undefined;
  });
  return { ...server, comments, tokensIssued: () => tokens.size };
}
