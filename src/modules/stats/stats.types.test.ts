import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { TestContext } from '../../../test/helpers/app.ts';
import { createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { startInvoicingApp } from '../../../test/helpers/invoices.ts';
import { addMember, advance, paySandbox, planSetup, subscribed, type Org, type Repo } from '../../../test/helpers/plans.ts';
import { newId } from '../../lib/ids.ts';
import { sandboxFee } from '../payments/providers/sandbox.ts';
import { linkNewTicket } from '../plans/plans.tickets.ts';
import { openTickets } from '../tickets/tickets.repository.ts';
import { approvedHelper } from '../payments/test-support.ts';

/**
 * Ticket types as the plans and consulting modules make them: a plan member's ticket is a plan ticket, a
 * consulting request's ticket a consulting one (even when its requester's plan linked it first), anything
 * else a ticket; a plan period's revenue, shared out at its close, is plan value.
 */
describe('stats: plan and consulting tickets and plan revenue', () => {
  let ctx: TestContext;
  let repo: Repo;
  let org: Org;
  let member: TestUser;
  let periodStart: string;
  let together: { plan: string[]; ticket: string[] };

  before(async () => {
    ({ ctx } = await startInvoicingApp());
    const setup = await planSetup(ctx);
    ({ repo, org } = setup);
    await approvedHelper(ctx, repo);
    member = await addMember(ctx, org.id, await createUser(ctx));
    const { subscription, payment } = await subscribed(org.admin, org.slug, { planId: setup.plan.id, paymentMethod: 'card' });
    await paySandbox(org.admin, payment.id);
    const period = (await org.admin.api.get(`/api/v1/orgs/${org.slug}/subscriptions/${subscription.id}`)).body.currentPeriod;
    periodStart = period.startsAt.slice(0, 10);

    const opened = await member.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Projections lag', body: 'Under load.', track: 'expert', priority: 'normal' });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    const outsider = await createUser(ctx);
    assert.equal((await outsider.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'A question', body: 'Hi', track: 'expert' })).status, 201);
    // Opened at once, tickets go in together (group commit), in one statement with what rides along (a
    // plan's link): the statistics triggers then see several tickets, of several types, per statement.
    const now = ctx.clock.now();
    const link = linkNewTicket(ctx.deps);
    const openings = await Promise.all(
      [member, member, member, outsider, outsider, outsider].map(async (user, index) => {
        const draft = { id: newId(now.getTime()), repo_id: repo.id, requester_id: user.id, org_id: null, track: 'expert' as const, priority: 'normal' as const, created_at: now };
        const values = { ...draft, title: `Question ${index}`, body: 'At once.', body_html: '<p>At once.</p>', channel: 'api' as const, status: 'open' as const, updated_at: now };
        return { values, event: { ticketId: draft.id, actorId: user.id, type: 'created', at: now }, jobs: [], also: (await link(ctx.db, draft))?.inserts ?? [], shows: {} };
      }),
    );
    await openTickets(ctx.db, openings);
    const ids = openings.map((opening) => opening.values.id);
    together = { plan: ids.slice(0, 3), ticket: ids.slice(3) };
    const service = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/consulting-services`, { name: 'Architecture review', description: 'Review.', rates: [{ currency: 'EUR', hourlyRate: 15_000 }], typicalHours: 8 });
    assert.equal(service.status, 201, JSON.stringify(service.body));
    const asked = await org.admin.api.post('/api/v1/consulting-requests', { repo: repo.fullName, serviceId: service.body.id, context: 'Moving to Kafka.', org: org.slug });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));

    // The period closes: nobody logged time, so the helpers' part goes to the repository with its commission.
    await advance(ctx, Date.parse(period.endsAt) - ctx.clock.now().getTime());
  });
  after(() => ctx.close());

  test('tickets by type and plan value', async () => {
    const to = new Date(ctx.clock.now().getTime() + 86_400_000).toISOString().slice(0, 10);
    const report = await repo.maintainer.api.get(`/api/v1/repos/${repo.fullName}/stats?from=${periodStart}&to=${to}&currency=EUR`);
    assert.equal(report.status, 200, JSON.stringify(report.body));
    const { tickets, money } = report.body.current;
    assert.deepEqual(tickets.byType, { ticket: 4, session: 0, plan: 4, consulting: 1 });
    assert.deepEqual(tickets.bySource, { ai: 0, community: 0, expert: 9 });
    // 100000 by card includes 19% VAT: 15966 is owed to the tax authority and the value shared is the rest,
    // 84034. Of it: platform 5% 4201, the processor's fee on the charge 2930, and the repository (with the
    // helpers' part, as nobody logged time) the other 76903.
    const net = 100_000 - 15_966;
    const platformFee = Math.floor((net * 500) / 10_000);
    assert.deepEqual(money, {
      releases: 1,
      reversals: 0,
      value: net,
      commission: net - platformFee - sandboxFee(100_000),
      platformFee,
      processorFee: sandboxFee(100_000),
      helperEarnings: 0,
      valueByType: { ticket: 0, session: 0, plan: net, consulting: 0 },
    });
  });

  test('tickets opened in one statement each get their own type', async () => {
    const ids = [...together.plan, ...together.ticket];
    const { rows: types } = await sql<{ ticket_id: string; type: string }>`SELECT ticket_id, type FROM ticket_stats WHERE ticket_id IN (${sql.join(ids)})`.execute(ctx.db);
    assert.deepEqual(
      Object.fromEntries(types.map((row) => [row.ticket_id, row.type])),
      Object.fromEntries([...together.plan.map((id) => [id, 'plan']), ...together.ticket.map((id) => [id, 'ticket'])]),
    );
  });

  test('a rebuild of the repository finds the same types and money', async () => {
    const read = async () =>
      (await sql<{ row: string }>`
        SELECT row(day, source, type, opened)::text AS row FROM stats_daily WHERE repo_id = ${repo.id} AND opened <> 0
        UNION ALL SELECT row(day, type, releases, gross, commission)::text FROM stats_money_daily WHERE repo_id = ${repo.id}
        ORDER BY 1`.execute(ctx.db)).rows;
    const kept = await read();
    assert.equal(kept.length >= 2, true);
    await ctx.db.transaction().execute((trx) => sql`SELECT stats_rebuild(${repo.id}::uuid)`.execute(trx));
    assert.deepEqual(await read(), kept);
  });
});
