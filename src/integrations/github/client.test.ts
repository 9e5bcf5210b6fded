import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createUser } from '../../../test/helpers/factories.ts';
import { startFakeGitHub } from '../../../test/fakes/github.ts';
import { githubPermissions } from './client.ts';

describe('GitHub permission checks (Octokit against a fake GitHub)', () => {
  let github: Awaited<ReturnType<typeof startFakeGitHub>>;
  let ctx: TestContext;
  before(async () => {
    github = await startFakeGitHub({ 'octo/lib:maintainer-login': 'maintain', 'octo/lib:writer-login': 'write', 'octo/app:admin-login': 'admin' });
    ctx = await startTestApp({ github: githubPermissions('test-github-token', github.url) });
  });
  after(async () => {
    await ctx.close();
    await github.close();
  });

  test('reads role_name, and a non-collaborator (404) has no role', async () => {
    const client = githubPermissions('test-github-token', github.url);
    assert.equal(await client.roleOf('octo', 'lib', 'maintainer-login'), 'maintain');
    assert.equal(await client.roleOf('octo', 'lib', 'writer-login'), 'write');
    assert.equal(await client.roleOf('octo', 'lib', 'stranger'), 'none');
    const last = github.requests.at(-1)!;
    assert.equal(last.path, '/repos/octo/lib/collaborators/stranger/permission');
    assert.equal(last.headers.authorization, 'token test-github-token');
  });

  test('admins and maintainers verify their claim at once; writers wait for an operator', async () => {
    const maintainer = await createUser(ctx, { githubLogin: 'maintainer-login' });
    const writer = await createUser(ctx, { githubLogin: 'writer-login' });
    const admin = await createUser(ctx, { githubLogin: 'admin-login' });
    assert.equal((await maintainer.api.post('/api/v1/repos', { fullName: 'octo/lib' })).body.status, 'verified');
    assert.equal((await admin.api.post('/api/v1/repos', { fullName: 'octo/app' })).body.verificationMethod, 'github');
    assert.equal((await writer.api.post('/api/v1/repos', { fullName: 'octo/other' })).body.status, 'pending');
  });

  test('a GitHub failure leaves the claim pending instead of failing the request', async () => {
    const broken = githubPermissions('wrong-token', github.url);
    await assert.rejects(broken.roleOf('octo', 'lib', 'maintainer-login'), /Bad credentials/);
    const withBrokenGitHub = await startTestApp({ github: broken });
    try {
      const user = await createUser(withBrokenGitHub, { githubLogin: 'maintainer-login' });
      const created = await user.api.post('/api/v1/repos', { fullName: 'octo/lib' });
      assert.equal(created.status, 201);
      assert.equal(created.body.status, 'pending');
    } finally {
      await withBrokenGitHub.close();
    }
  });
});
