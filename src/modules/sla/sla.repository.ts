import { sql, type Expression, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type { BusinessCalendarsTable, SlaPoliciesTable, TicketSlaTable } from '../../db/types.ts';
import type { SlaState } from './sla.clock.ts';
import type { SweepRow } from './sla.sweep.ts';
import type { TargetKind } from './sla.ticket-view.ts';

export type CalendarRow = Omit<Selectable<BusinessCalendarsTable>, 'weekly_hours'> & { weekly_hours: Record<string, Array<{ start: string; end: string }>> };
export type PolicyRow = Omit<Selectable<SlaPoliciesTable>, 'targets'> & { targets: Record<string, Record<string, number>>; is_default: boolean };
export type TicketSlaRow = Selectable<TicketSlaTable>;

function selectCalendars(db: Queryable) {
  return db
    .selectFrom('business_calendars')
    .select(['id', 'repo_id', 'name', 'time_zone', 'weekly_hours', 'created_by', 'created_at'])
    // date[] would come back as Date objects at local midnight; as text they stay the dates they are.
    .select(sql<string[]>`holidays::text[]`.as('holidays'));
}

export async function insertCalendar(db: Queryable, values: Insertable<BusinessCalendarsTable>): Promise<void> {
  await db.insertInto('business_calendars').values(values).execute();
}

export async function listCalendars(db: Queryable, repoId: string): Promise<CalendarRow[]> {
  return (await selectCalendars(db).where('repo_id', '=', repoId).orderBy('created_at').orderBy('id').execute()) as CalendarRow[];
}

export async function findCalendars(db: Queryable, ids: string[]): Promise<CalendarRow[]> {
  if (ids.length === 0) return [];
  return (await selectCalendars(db).where('id', 'in', ids).execute()) as CalendarRow[];
}

export async function updateCalendar(db: Queryable, id: string, values: Updateable<BusinessCalendarsTable>): Promise<void> {
  await db.updateTable('business_calendars').set(values).where('id', '=', id).execute();
}

export async function deleteCalendar(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('business_calendars').where('id', '=', id).execute();
}

/** What still counts in a calendar: the policies measured in it, and the tickets whose clocks were started in it. */
export async function calendarUsers(db: Queryable, id: string): Promise<{ policies: string[]; ticketClocks: number }> {
  const policies = await db.selectFrom('sla_policies').select('name').where('calendar_id', '=', id).orderBy('name').execute();
  const clocks = await db.selectFrom('ticket_sla').select(sql<string>`count(*)`.as('count')).where('calendar_id', '=', id).executeTakeFirstOrThrow();
  return { policies: policies.map((row) => row.name), ticketClocks: Number(clocks.count) };
}

function selectPolicies(db: Queryable) {
  return db
    .selectFrom('sla_policies')
    .leftJoin('repo_sla_defaults', (join) => join.onRef('repo_sla_defaults.repo_id', '=', 'sla_policies.repo_id').onRef('repo_sla_defaults.policy_id', '=', 'sla_policies.id'))
    .selectAll('sla_policies')
    .select(sql<boolean>`repo_sla_defaults.policy_id IS NOT NULL`.as('is_default'));
}

export async function insertPolicy(db: Queryable, values: Insertable<SlaPoliciesTable>): Promise<void> {
  await db.insertInto('sla_policies').values(values).execute();
}

export async function updatePolicy(db: Queryable, id: string, values: Updateable<SlaPoliciesTable>): Promise<void> {
  await db.updateTable('sla_policies').set(values).where('id', '=', id).execute();
}

export async function deletePolicy(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('sla_policies').where('id', '=', id).execute();
}

/** What still refers to a policy: plans (archived ones too) and tickets' clocks (the default is on the row). */
export async function policyUsers(db: Queryable, id: string): Promise<{ plans: string[]; ticketClocks: number }> {
  const plans = await db.selectFrom('plans').select('name').where('sla_policy_id', '=', id).orderBy('name').execute();
  const clocks = await db.selectFrom('ticket_sla').select(sql<string>`count(*)`.as('count')).where('policy_id', '=', id).executeTakeFirstOrThrow();
  return { plans: plans.map((row) => row.name), ticketClocks: Number(clocks.count) };
}

/** Whether the repository has any SLA policy: without one, its new tickets start no clock. */
export async function hasPolicies(db: Queryable, repoId: string): Promise<boolean> {
  const row = await db.selectFrom('sla_policies').select('id').where('repo_id', '=', repoId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function listPolicies(db: Queryable, repoId: string): Promise<PolicyRow[]> {
  return (await selectPolicies(db).where('sla_policies.repo_id', '=', repoId).orderBy('sla_policies.created_at').orderBy('sla_policies.id').execute()) as PolicyRow[];
}

export async function findPolicy(db: Queryable, repoId: string, id: string): Promise<PolicyRow | undefined> {
  return (await selectPolicies(db).where('sla_policies.repo_id', '=', repoId).where('sla_policies.id', '=', id).executeTakeFirst()) as PolicyRow | undefined;
}

export async function setDefault(db: Queryable, repoId: string, policyId: string | null, userId: string, at: Date): Promise<void> {
  if (policyId === null) {
    await db.deleteFrom('repo_sla_defaults').where('repo_id', '=', repoId).execute();
    return;
  }
  await db
    .insertInto('repo_sla_defaults')
    .values({ repo_id: repoId, policy_id: policyId, updated_by: userId, updated_at: at })
    .onConflict((conflict) => conflict.column('repo_id').doUpdateSet({ policy_id: policyId, updated_by: userId, updated_at: at }))
    .execute();
}

/** A ticket's clock, unexecuted: it rides in the statement that opens the ticket. */
export function ticketSlaInsert(db: Queryable, values: Insertable<TicketSlaTable>) {
  return db.insertInto('ticket_sla').values(values).onConflict((conflict) => conflict.column('ticket_id').doNothing());
}

/**
 * The policy a new ticket of the repository gets, in one read: the first of `preferred` (scalar
 * subqueries of a policy id, such as a plan's) that is one of the repository's policies, source 'plan';
 * else the repository's default, source 'repo_default'; else none.
 */
export async function policyForNewTicket(db: Queryable, repoId: string, preferred: Expression<string | null>[]): Promise<{ policy: PolicyRow; source: 'plan' | 'repo_default' } | undefined> {
  // The rank of a policy: its place among the preferred ones, or after them all for the default.
  const rank = preferred.length
    ? sql<number>`CASE ${sql.join(preferred.map((id, index) => sql`WHEN sla_policies.id = ${id} THEN ${sql.lit(index)}`), sql` `)} ELSE ${sql.lit(preferred.length)} END`
    : sql<number>`0`;
  const row = await selectPolicies(db)
    .select(rank.as('preference'))
    .where('sla_policies.repo_id', '=', repoId)
    .where((eb) => eb.or([eb('repo_sla_defaults.policy_id', 'is not', null), ...preferred.map((id) => eb('sla_policies.id', '=', id))]))
    .orderBy('preference')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  const { preference, ...policy } = row;
  return { policy: policy as PolicyRow, source: preference < preferred.length ? 'plan' : 'repo_default' };
}

/** The clock of a ticket, locked until the transaction ends, so that two changes at once apply in turn. */
export async function lockTicketSla(trx: Queryable, ticketId: string): Promise<TicketSlaRow | undefined> {
  return trx.selectFrom('ticket_sla').selectAll().where('ticket_id', '=', ticketId).forUpdate().executeTakeFirst();
}

export async function findTicketSla(db: Queryable, ticketId: string): Promise<TicketSlaRow | undefined> {
  return db.selectFrom('ticket_sla').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
}

const STATE_COLUMNS = [
  'first_response_due_at',
  'first_response_met_at',
  'first_response_breached_at',
  'next_response_due_at',
  'next_response_breached_at',
  'resolution_due_at',
  'resolution_met_at',
  'resolution_breached_at',
  'paused_at',
  'stopped_at',
  'next_due_at',
] as const satisfies ReadonlyArray<keyof SlaState>;

/** Only the clock's columns of a row (or of a state that carries more). */
export const stateOf = (row: SlaState): SlaState => Object.fromEntries(STATE_COLUMNS.map((column) => [column, row[column]])) as SlaState;

export async function saveState(db: Queryable, ticketId: string, state: SlaState, at: Date): Promise<void> {
  await db.updateTable('ticket_sla').set({ ...stateOf(state), updated_at: at }).where('ticket_id', '=', ticketId).execute();
}

/**
 * Every running clock, in pages by ticket id (ticket_sla_running_idx): what the sweep reads. A page comes
 * as one JSON array of [ticket id, calendar id, target, due time in epoch ms] rather than as rows:
 * decoding 100,000 rows (and parsing their timestamps) is most of the sweep's cost on both drivers.
 */
export async function runningClocks(db: Queryable, afterTicketId: string | undefined, limit: number): Promise<SweepRow[]> {
  const { rows } = await sql<{ page: Array<[string, string | null, TargetKind, number]> }>`
    SELECT coalesce(json_agg(json_build_array(ticket_id, calendar_id, target, due_ms) ORDER BY ticket_id), '[]') AS page
    FROM (
      SELECT ticket_id, calendar_id,
        -- next_due_at is the earliest pending due time; say which target it belongs to.
        CASE WHEN first_response_met_at IS NULL AND next_due_at = first_response_due_at THEN 'firstResponse'
             WHEN next_due_at = next_response_due_at THEN 'nextResponse'
             ELSE 'resolution' END AS target,
        floor(extract(epoch FROM next_due_at) * 1000)::float8 AS due_ms
      FROM ticket_sla
      WHERE next_due_at IS NOT NULL AND ticket_id > ${afterTicketId ?? '00000000-0000-0000-0000-000000000000'}::uuid
      ORDER BY ticket_id
      LIMIT ${limit}
    ) AS running`.execute(db);
  return rows[0].page.map(([ticket_id, calendar_id, target, due_ms]) => ({ ticket_id, calendar_id, target, due_ms }));
}

export type SlaPerformance = {
  firstResponse: { met: number; breached: number };
  nextResponse: { breached: number };
  resolution: { met: number; breached: number };
};

/**
 * Per target, how many of these tickets' clocks met it in time and how many breached it. A target met
 * late counts as breached only; a next response is asked for again with each customer message, so only
 * its breaches are kept.
 */
export async function performance(db: Queryable, ticketIds: string[]): Promise<SlaPerformance> {
  const none = { firstResponse: { met: 0, breached: 0 }, nextResponse: { breached: 0 }, resolution: { met: 0, breached: 0 } };
  if (ticketIds.length === 0) return none;
  const row = await db
    .selectFrom('ticket_sla')
    .select([
      sql<string>`count(*) FILTER (WHERE first_response_met_at IS NOT NULL AND first_response_breached_at IS NULL)`.as('first_met'),
      sql<string>`count(first_response_breached_at)`.as('first_breached'),
      sql<string>`count(next_response_breached_at)`.as('next_breached'),
      sql<string>`count(*) FILTER (WHERE resolution_met_at IS NOT NULL AND resolution_breached_at IS NULL)`.as('resolution_met'),
      sql<string>`count(resolution_breached_at)`.as('resolution_breached'),
    ])
    .where('ticket_id', 'in', ticketIds)
    .executeTakeFirstOrThrow();
  return {
    firstResponse: { met: Number(row.first_met), breached: Number(row.first_breached) },
    nextResponse: { breached: Number(row.next_breached) },
    resolution: { met: Number(row.resolution_met), breached: Number(row.resolution_breached) },
  };
}
