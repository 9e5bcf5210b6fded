import { createHmac, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { startFakeServer, type FakeAnswer, type FakeRequest } from './server.ts';

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

/** A GitHub account the fake knows, with its email addresses as GET /user/emails lists them. */
export type FakeGitHubUser = { id: number; login: string; name: string | null; emails: Array<{ email: string; primary: boolean; verified: boolean }> };

/**
 * The GitHub App's user OAuth web flow. `signedIn` is who is signed in to GitHub in "the browser": the
 * authorize page approves at once for them (GitHub skips its consent page once a user has authorized
 * the app), or answers with `error=access_denied` when `deny` is set.
 */
export type FakeOAuth = { clientId: string; clientSecret: string; users: FakeGitHubUser[]; signedIn: string; deny?: boolean };

const OAUTH_ERROR_URI = 'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors';

/** The web-host and API routes of the OAuth web flow, in GitHub's wire format; undefined for any other request. */
function oauthRoutes(oauth: FakeOAuth, request: FakeRequest, codes: Map<string, { login: string; redirectUri: string }>, userTokens: Map<string, string>): FakeAnswer {
  const url = new URL(request.path, 'http://github.invalid');
  if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') {
    const redirectUri = url.searchParams.get('redirect_uri') ?? '';
    if (url.searchParams.get('client_id') !== oauth.clientId) return { status: 404, body: { message: 'Not Found' } };
    const back = new URL(redirectUri);
    if (oauth.deny) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user has denied your application access.');
    } else {
      const code = randomBytes(10).toString('hex');
      codes.set(code, { login: oauth.signedIn, redirectUri });
      back.searchParams.set('code', code);
    }
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    return { status: 302, headers: { location: back.toString() } };
  }
  if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
    const form = (request.headers['content-type'] ?? '').includes('json') ? JSON.parse(request.body || '{}') : Object.fromEntries(new URLSearchParams(request.body));
    if (form.client_id !== oauth.clientId || form.client_secret !== oauth.clientSecret) {
      return { status: 200, body: { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.', error_uri: `${OAUTH_ERROR_URI}/#incorrect-client-credentials` } };
    }
    const granted = codes.get(form.code);
    codes.delete(form.code); // a code works once
    if (!granted) return { status: 200, body: { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: `${OAUTH_ERROR_URI}/#bad-verification-code` } };
    if (form.redirect_uri && form.redirect_uri !== granted.redirectUri) {
      return { status: 200, body: { error: 'redirect_uri_mismatch', error_description: 'The redirect_uri MUST match the registered callback URL for this application.', error_uri: `${OAUTH_ERROR_URI}/#redirect-uri-mismatch` } };
    }
    const token = `ghu_${randomBytes(18).toString('base64url')}`;
    userTokens.set(token, granted.login);
    return { status: 200, body: { access_token: token, expires_in: 28800, refresh_token: `ghr_${randomBytes(30).toString('base64url')}`, refresh_token_expires_in: 15897600, scope: '', token_type: 'bearer' } };
  }
  if (request.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/emails')) {
    const login = userTokens.get(/^(?:bearer|token) (\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '');
    const user = oauth.users.find((candidate) => candidate.login === login);
    if (!user) return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } };
    if (url.pathname === '/user/emails') return { status: 200, body: user.emails.map((entry) => ({ ...entry, visibility: entry.primary ? 'private' : null })) };
    const publicEmail = user.emails.find((entry) => entry.primary)?.email ?? null;
    return {
      status: 200,
      body: { login: user.login, id: user.id, node_id: `U_${user.id}`, avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`, type: 'User', site_admin: false, name: user.name, email: publicEmail, created_at: '2015-01-01T00:00:00Z' },
    };
  }
  return undefined;
}

/**
 * GitHub's REST API for the calls Backline makes, in its wire format:
 * - GET /repos/{owner}/{repo}/collaborators/{username}/permission answers `{ permission, role_name, user }`
 *   for a collaborator and 404 `{ message: "Not Found" }` otherwise (personal token or installation token);
 * - as the app (JWT): GET /repos/{owner}/{repo}/installation and POST /app/installations/{id}/access_tokens;
 * - as an installation: POST /repos/{owner}/{repo}/issues/{number}/comments, recorded in `comments`;
 * - with `oauth`, the user sign-in web flow (GitHub's web host and API on one fake): the authorize page,
 *   POST /login/oauth/access_token, GET /user and GET /user/emails.
 */
export async function startFakeGitHub(roles: Record<string, Role>, app?: FakeApp, oauth?: FakeOAuth) {
  const oauthCodes = new Map<string, { login: string; redirectUri: string }>();
  const userTokens = new Map<string, string>();
  const tokens = new Map<string, number>(); // installation token -> installation id
  const comments: { installationId: number; repo: string; issue: number; body: string }[] = [];
  let commentId = 1000;
  const notFound = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
  const badCredentials = { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } };
  const installationOfToken = (request: FakeRequest) => tokens.get(/^token (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '');

  const server = await startFakeServer((request) => {
    const signIn = oauth && oauthRoutes(oauth, request, oauthCodes, userTokens);
    if (signIn) return signIn;
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
