import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { client } from '../../../test/helpers/http.ts';
import { DELIVER_EMAIL_JOB, queueEmail } from './mail.service.ts';

describe('mail', () => {
  let ctx: TestContext;
  before(async () => (ctx = await startTestApp()));
  after(() => ctx.close());

  const emailRow = (to: string) => ctx.db.selectFrom('emails').selectAll().where('to_address', '=', to).executeTakeFirstOrThrow();

  test('an email is queued with its delivery job, delivered once, and shown in the dev outbox', async () => {
    const to = 'outbox-reader@example.com';
    await ctx.db.transaction().execute((trx) => queueEmail(trx, ctx.clock, { to, subject: 'Hello', text: 'Body text', dedupeKey: 'hello:1' }));
    await queueEmail(ctx.db, ctx.clock, { to, subject: 'Hello again', text: 'Duplicate', dedupeKey: 'hello:1' });
    assert.equal((await emailRow(to)).status, 'queued');
    const jobs = await ctx.db.selectFrom('jobs').select('id').where('queue', '=', DELIVER_EMAIL_JOB).execute();
    assert.equal(jobs.length, 1, 'the dedupe key queued one email and one job');

    await ctx.jobs.drain();
    assert.deepEqual(ctx.sent.filter((email) => email.to === to).map((email) => email.subject), ['Hello']);
    const row = await emailRow(to);
    assert.equal(row.status, 'sent');
    assert.equal(row.transport, 'dev-outbox');
    assert.equal(row.sent_at?.toISOString(), ctx.clock.now().toISOString());

    const outbox = await client(ctx).get('/dev/mail?limit=1');
    assert.equal(outbox.status, 200);
    assert.deepEqual(outbox.body.items.map((item: { to: string; subject: string; text: string; status: string }) => [item.to, item.subject, item.text, item.status]), [[to, 'Hello', 'Body text', 'sent']]);
    assert.equal((await client(ctx).get('/dev/mail?to=nobody@example.com')).body.items.length, 0);
  });

  test('an email the transport refuses is retried, keeps the error, and is marked failed after the last attempt', async () => {
    const failing = await startTestApp();
    try {
      const original = failing.deps.mail.send;
      let refuse = true;
      failing.deps.mail.send = async (email) => {
        if (refuse) throw new Error('550 mailbox unavailable');
        return original(email);
      };
      await queueEmail(failing.db, failing.clock, { to: 'flaky@example.com', subject: 'Retry me', text: 'x' });
      await queueEmail(failing.db, failing.clock, { to: 'dead@example.com', subject: 'Never arrives', text: 'x' });
      await failing.jobs.drain();
      const first = await failing.db.selectFrom('emails').selectAll().where('to_address', '=', 'flaky@example.com').executeTakeFirstOrThrow();
      assert.equal(first.status, 'queued');
      assert.equal(first.error, '550 mailbox unavailable', 'the outbox says why it is still queued');

      // Let the first one through on its next attempt; the other keeps failing until its attempts are used up.
      failing.deps.mail.send = async (email) => {
        if (email.to === 'dead@example.com') throw new Error('550 mailbox unavailable');
        return original(email);
      };
      refuse = false;
      for (let round = 0; round < 10; round++) {
        failing.clock.advance(3_600_000);
        await failing.jobs.drain();
      }
      const delivered = await failing.db.selectFrom('emails').selectAll().where('to_address', '=', 'flaky@example.com').executeTakeFirstOrThrow();
      assert.equal(delivered.status, 'sent');
      assert.equal(delivered.error, null);
      const dead = await failing.db.selectFrom('emails').selectAll().where('to_address', '=', 'dead@example.com').executeTakeFirstOrThrow();
      assert.equal(dead.status, 'failed');
      assert.equal(dead.error, '550 mailbox unavailable');
      const outbox = await client(failing).get('/dev/mail?to=dead@example.com');
      assert.equal(outbox.body.items[0].status, 'failed');
    } finally {
      await failing.close();
    }
  });

  test('with SMTP configured there is no dev outbox', async () => {
    const withSmtp = await startTestApp({ env: { SMTP_URL: 'smtp://mail.example.org:587' } });
    try {
      const response = await client(withSmtp).get('/dev/mail');
      assert.equal(response.status, 404, 'sign-in links must not be readable on a server that sends real mail');
    } finally {
      await withSmtp.close();
    }
  });

  test('a public https deployment without SMTP does not show the outbox unless DEV_MAIL_PAGE asks for it', async () => {
    for (const [env, status] of [
      [{ PUBLIC_URL: 'https://support.example.org' }, 404],
      [{ PUBLIC_URL: 'https://support.example.org', DEV_MAIL_PAGE: '1' }, 200],
    ] as const) {
      const app = await startTestApp({ env });
      try {
        assert.equal((await client(app).get('/dev/mail')).status, status, JSON.stringify(env));
      } finally {
        await app.close();
      }
    }
  });
});
