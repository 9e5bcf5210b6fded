import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { client } from '../../../test/helpers/http.ts';
import { openTicket } from '../../../test/helpers/support.ts';
import { versionSupportOf, type WindowView } from './releases.ticket-view.ts';

/** Like MassTransit: 8 in General Support, 7 in Technical Guidance, 6 over. */
const WINDOWS = [
  { major: 8, generalSupport: { from: '2022-04-01' } },
  { major: 7, generalSupport: { from: '2020-09-01', until: '2025-12-31' }, technicalGuidance: { from: '2026-01-01', until: '2026-12-31' }, upgradePath: 'Follow the v8 upgrade guide.' },
  { major: 6, generalSupport: { from: '2019-01-01', until: '2021-12-31' }, technicalGuidance: { from: '2022-01-01', until: '2022-12-31' } },
];

describe('release support windows', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  test('maintainers replace the windows; anyone reads them, newest major first', async () => {
    const repo = await createRepo(ctx);
    const url = `/api/v1/repos/${repo.fullName}/release-windows`;
    const put = await repo.maintainer.api.put(url, { windows: WINDOWS });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.items.map((item: { major: number }) => item.major), [8, 7, 6]);
    assert.deepEqual(put.body.items[1], { major: 7, generalSupport: { from: '2020-09-01', until: '2025-12-31' }, technicalGuidance: { from: '2026-01-01', until: '2026-12-31' }, upgradePath: 'Follow the v8 upgrade guide.' });
    assert.deepEqual(put.body.items[0].technicalGuidance, null);
    const read = await client(ctx).get(url);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, put.body);
    assert.equal((await repo.maintainer.api.put(url, { windows: [WINDOWS[0]] })).body.items.length, 1, 'the list replaces the one before');
    const racing = await Promise.all([WINDOWS, WINDOWS.slice(1), WINDOWS].map((windows) => repo.maintainer.api.put(url, { windows })));
    assert.deepEqual(racing.map((response) => response.status), [200, 200, 200], 'replacements at once take turns');
    const stranger = await createUser(ctx);
    assert.equal((await stranger.api.put(url, { windows: [] })).status, 403);
    assert.equal((await client(ctx).put(url, { windows: [] })).status, 401);
  });

  test('bad windows are 400s that say where: until before from, guidance before general support ends, duplicate majors', async () => {
    const repo = await createRepo(ctx);
    const url = `/api/v1/repos/${repo.fullName}/release-windows`;
    const refused = async (windows: unknown[], path: string) => {
      const response = await repo.maintainer.api.put(url, { windows });
      assert.equal(response.status, 400, JSON.stringify(windows));
      assert.ok(response.body.error.details.some((detail: { path: string }) => detail.path === path), `${path} in ${JSON.stringify(response.body.error.details)}`);
    };
    await refused([{ major: 1, generalSupport: { from: '2024-01-01', until: '2023-01-01' } }], 'body.windows.0.generalSupport.until');
    await refused([{ major: 1, generalSupport: { from: '2024-01-01', until: '2024-01-01' } }], 'body.windows.0.generalSupport.until');
    await refused([{ major: 1, generalSupport: { from: '2024-01-01', until: '2025-01-01' }, technicalGuidance: { from: '2024-06-01' } }], 'body.windows.0.technicalGuidance.from');
    await refused([{ major: 1, generalSupport: { from: '2024-01-01' }, technicalGuidance: { from: '2025-06-01' } }], 'body.windows.0.technicalGuidance');
    await refused([{ major: 1, generalSupport: { from: '2024-01-01', until: '2025-01-01' }, technicalGuidance: { from: '2025-01-02', until: '2025-01-01' } }], 'body.windows.0.technicalGuidance.until');
    await refused([{ major: 2, generalSupport: { from: '2024-01-01' } }, { major: 2, generalSupport: { from: '2025-01-01' } }], 'body.windows.1.major');
    await refused([{ major: 1, generalSupport: { from: '2024-13-01' } }], 'body.windows.0.generalSupport.from');
    await refused([{ major: -1, generalSupport: { from: '2024-01-01' } }], 'body.windows.0.major');
    assert.deepEqual((await client(ctx).get(url)).body.items, [], 'nothing was stored');
  });

  test('a ticket records its version and is flagged when the version is outside every window', async () => {
    const repo = await createRepo(ctx);
    await repo.maintainer.api.put(`/api/v1/repos/${repo.fullName}/release-windows`, { windows: WINDOWS });
    const customer = await createUser(ctx);
    ctx.clock.set('2026-03-02T10:00:00Z');
    const support = async (version?: string) => (await openTicket(customer, repo, version ? { version } : {})).versionSupport;
    assert.deepEqual(await support('8.1.0'), { major: 8, status: 'general', upgradePath: null });
    assert.deepEqual(await support('v7.2.1'), { major: 7, status: 'guidance', upgradePath: 'Follow the v8 upgrade guide.' });
    assert.deepEqual(await support('6.0.0-rc.1'), { major: 6, status: 'unsupported', upgradePath: 'Upgrade to version 8, which is in General Support.' });
    assert.deepEqual(await support('5'), { major: 5, status: 'unsupported', upgradePath: 'Upgrade to version 8, which is in General Support.' });
    assert.deepEqual(await support('9.0.0-preview'), { major: 9, status: 'unknown', upgradePath: null });
    assert.equal(await support(), null);
    const recorded = await openTicket(customer, repo, { version: ' 7.2.1 ' });
    assert.equal((await customer.api.get(`/api/v1/tickets/${recorded.id}`)).body.version, '7.2.1');
    for (const version of ['seven', '7.x', '', '1.2.3.4.5']) {
      const bad = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Hm', body: 'Hm', track: 'expert', version });
      assert.equal(bad.status, 400, version);
      assert.equal(bad.body.error.details[0].path, 'body.version');
    }
    const elsewhere = await createRepo(ctx);
    assert.deepEqual((await openTicket(customer, elsewhere, { version: '1.0.0' })).versionSupport, { major: 1, status: 'unknown', upgradePath: null }, 'a repository without windows says nothing');
  });

  test('the status is the one on the day the ticket was opened', () => {
    const windows: WindowView[] = [
      { major: 2, general_from: '2024-01-01', general_until: '2024-12-31', guidance_from: '2025-03-01', guidance_until: null, upgrade_path: '' },
    ];
    assert.equal(versionSupportOf(2, windows, '2023-12-31')?.status, 'unknown', 'before its General Support starts');
    assert.equal(versionSupportOf(2, windows, '2024-12-31')?.status, 'general', 'the last day is included');
    assert.deepEqual(versionSupportOf(2, windows, '2025-02-01'), { major: 2, status: 'unsupported', upgradePath: null }, 'in the gap, and no newer major to go to');
    assert.equal(versionSupportOf(2, windows, '2030-01-01')?.status, 'guidance', 'open-ended guidance');
    assert.equal(versionSupportOf(null, windows, '2030-01-01'), null);
  });
});
