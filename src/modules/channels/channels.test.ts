import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { assertErrorShape } from '../../../test/helpers/errors.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { approvedHelper } from '../../../test/helpers/support.ts';
import { signDelivery } from '../../../test/fakes/github.ts';

const SECRET = 'github-webhook-secret-for-channels';

/** GitHub's installation event: the app was installed on an account, for the listed repositories. */
async function installGitHubApp(ctx: TestContext, id: number, fullNames: string[], action = 'created') {
  const raw = JSON.stringify({
    action,
    installation: { id, account: { login: fullNames[0].split('/')[0], id: 9001, type: 'Organization' }, repository_selection: 'selected' },
    repositories: fullNames.map((fullName, index) => ({ id: id * 100 + index, full_name: fullName, name: fullName.split('/')[1], private: false })),
    sender: { login: 'installer', id: 9002, type: 'User' },
  });
  const response = await ctx.app.inject({
    method: 'POST',
    url: '/webhooks/github',
    headers: { 'content-type': 'application/json', 'x-github-event': 'installation', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signDelivery(SECRET, raw) },
    payload: raw,
  });
  assert.deepEqual(response.json(), { received: true, duplicate: false });
  await ctx.jobs.drain();
}

type Channel = { channel: string; configured: boolean; status: string; account: string | null; conversations: number; lastActivityAt: string | null };
const byChannel = (items: Channel[]) => Object.fromEntries(items.map((item) => [item.channel, item]));

describe('GET /api/v1/repos/{owner}/{name}/channels', () => {
  let ctx: TestContext;
  before(async () => {
    // Only GitHub is configured: Discord, Slack and email stay off.
    ctx = await startTestApp({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
  });
  after(() => ctx.close());

  test("a maintainer sees each channel's configuration, the GitHub installation and conversation counts; never a secret", async () => {
    const repo = await createRepo(ctx, { fullName: 'octo-ch/lib' });
    const url = `/api/v1/repos/${repo.fullName}/channels`;
    const before = await repo.maintainer.api.get(url);
    assert.equal(before.status, 200, JSON.stringify(before.body));
    const first = byChannel(before.body.items);
    assert.deepEqual(Object.keys(first), ['discord', 'slack', 'github', 'email', 'web']);
    assert.deepEqual(first.discord, { channel: 'discord', configured: false, status: 'off', account: null, conversations: 0, lastActivityAt: null });
    assert.equal(first.slack.status, 'off');
    assert.equal(first.email.status, 'off');
    assert.deepEqual({ configured: first.github.configured, status: first.github.status }, { configured: true, status: 'not_installed' });
    assert.equal(first.web.status, 'ready');

    // The app installed on the repository (GitHub spells it in another case), and a visitor chats on the support page.
    await installGitHubApp(ctx, 5151, ['Octo-CH/Lib']);
    assert.equal((await client(ctx).post('/api/v1/chat/conversations', { repo: repo.fullName })).status, 201);
    const now = byChannel((await repo.maintainer.api.get(url)).body.items);
    assert.deepEqual({ status: now.github.status, account: now.github.account }, { status: 'connected', account: 'Octo-CH' });
    assert.equal(now.web.conversations, 1);
    assert.equal(now.web.lastActivityAt, ctx.clock.now().toISOString());
    assert.doesNotMatch(JSON.stringify(now), new RegExp(SECRET));

    await installGitHubApp(ctx, 5151, ['Octo-CH/Lib'], 'suspend');
    assert.equal(byChannel((await repo.maintainer.api.get(url)).body.items).github.status, 'suspended');
    await installGitHubApp(ctx, 5151, ['Octo-CH/Lib'], 'deleted');
    assert.equal(byChannel((await repo.maintainer.api.get(url)).body.items).github.status, 'not_installed');
  });

  test('anonymous: 401; another maintainer, a helper and a customer: 404; an operator may look', async () => {
    const repo = await createRepo(ctx);
    const url = `/api/v1/repos/${repo.fullName}/channels`;
    assertErrorShape((await client(ctx).get(url)).body, 401);
    assert.equal((await client(ctx).get(url)).status, 401);
    const other = await createRepo(ctx);
    const helper = await approvedHelper(ctx, repo);
    for (const stranger of [other.maintainer, helper, await createUser(ctx)]) {
      const response = await stranger.api.get(url);
      assert.equal(response.status, 404);
      assertErrorShape(response.body, 404, 'not_found');
    }
    assert.equal((await (await createUser(ctx, { operator: true })).api.get(url)).status, 200);
    assert.equal((await repo.maintainer.api.get('/api/v1/repos/nobody/nothing/channels')).status, 404);
  });
});
