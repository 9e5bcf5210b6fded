import { expressionBuilder, sql, type Expression, type ExpressionBuilder, type InsertQueryBuilder, type InsertResult, type Insertable, type NotNull, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { IdSubquery, Queryable } from '../../db/database.ts';
import type { DB, TicketStatus, TicketsTable } from '../../db/types.ts';
import { compileOnce } from '../../db/compile-once.ts';
import { columnsOf, insertManyQuery, type ColumnTypes, type ColumnValues } from '../../db/insert-many.ts';
import { enqueueColumnsQuery, type JobRow } from '../../jobs/queue.ts';
import { newId } from '../../lib/ids.ts';
import type { WindowView } from '../releases/releases.ticket-view.ts';
import { PRIORITIES, type ListTicketsInput } from './tickets.schemas.ts';

export type TicketRow = Selectable<TicketsTable>;

/**
 * Who is looking, with subqueries of the ids of everything that grants them sight of a ticket. The
 * service gets these from the repos, helpers and orgs services, so this module names no other module's
 * tables, and a read with its access check is one statement.
 */
export type Viewer = {
  userId: string;
  isOperator: boolean;
  maintainerOf: IdSubquery;
  helperOf: IdSubquery;
  adminOf: IdSubquery;
};

/** How the viewer stands to the ticket's repository and organization, read with the ticket. */
export type Standing = { viewer_maintains: boolean; viewer_helps: boolean; viewer_org_admin: boolean };

/**
 * The one rule of who sees a ticket, used by every read: the requester, the assignee, admins of the
 * ticket's organization (members see only their own), maintainers of the repository, approved helpers
 * of the repository (expert tickets; community ones are public anyway), anyone signed in for community
 * tickets, and operators.
 * Lists leave out other people's community tickets unless they are about one repository: they are
 * public, but a customer's "my tickets" should not fill up with the whole platform's questions.
 */
export function visibleTo(viewer: Viewer, options: { publicCommunity: boolean } = { publicCommunity: true }): Expression<SqlBool> {
  const eb = expressionBuilder<DB, 'tickets'>();
  if (viewer.isOperator) return sql<SqlBool>`true`;
  const clauses = [eb('tickets.requester_id', '=', viewer.userId), eb('tickets.assignee_id', '=', viewer.userId)];
  if (options.publicCommunity) clauses.push(eb('tickets.track', '=', 'community'));
  clauses.push(eb('tickets.org_id', 'in', viewer.adminOf));
  clauses.push(eb('tickets.repo_id', 'in', viewer.maintainerOf));
  clauses.push(eb.and([eb('tickets.track', '=', 'expert'), eb('tickets.repo_id', 'in', viewer.helperOf)]));
  return eb.or(clauses);
}

/**
 * A ticket with the names the API shows beside it, its SLA clock (owned by the sla module, read here so
 * that every ticket read carries it) and, when it names a version, the repository's release windows.
 * The names are scalar subqueries rather than joins: each is one primary-key probe either way, but five
 * joined tables cost PostgreSQL three times as long to plan as to run (0.45 ms against 0.15 ms per read).
 */
function selectTickets(db: Queryable) {
  return selectTicketRows(db).select(ticketNames).$narrowType<GuaranteedContacts>();
}

function selectTicketRows(db: Queryable) {
  return db
    .selectFrom('tickets')
    .leftJoin('ticket_sla', 'ticket_sla.ticket_id', 'tickets.id')
    .selectAll('tickets')
    .select(releaseWindows)
    .select([
      'ticket_sla.policy_id as sla_policy_id',
      'ticket_sla.source as sla_source',
      'ticket_sla.first_response_due_at as sla_first_response_due_at',
      'ticket_sla.next_response_due_at as sla_next_response_due_at',
      'ticket_sla.resolution_due_at as sla_resolution_due_at',
      'ticket_sla.paused_at as sla_paused_at',
      'ticket_sla.first_response_breached_at as sla_first_response_breached_at',
      'ticket_sla.next_response_breached_at as sla_next_response_breached_at',
      'ticket_sla.resolution_breached_at as sla_resolution_breached_at',
    ]);
}

/**
 * The names shown beside a ticket, with the emails its notifications go to: for a single ticket's read.
 * A list's rows (the helper queue, "my tickets") are read without them and named from the processes'
 * caches (the service's `listNames`): looked up per row they were a quarter of PostgreSQL's time per queue page.
 */
function ticketNames(eb: ExpressionBuilder<DB, 'tickets'>) {
  return [
    eb.selectFrom('repos').select('repos.full_name').whereRef('repos.id', '=', 'tickets.repo_id').as('repo_full_name'),
    eb.selectFrom('users').select('users.display_name').whereRef('users.id', '=', 'tickets.requester_id').as('requester_name'),
    eb.selectFrom('users').select('users.display_name').whereRef('users.id', '=', 'tickets.assignee_id').as('assignee_name'),
    eb.selectFrom('orgs').select('orgs.slug').whereRef('orgs.id', '=', 'tickets.org_id').as('org_slug'),
    eb.selectFrom('users').select('users.email').whereRef('users.id', '=', 'tickets.requester_id').as('requester_email'),
    eb.selectFrom('users').select('users.email').whereRef('users.id', '=', 'tickets.assignee_id').as('assignee_email'),
  ];
}

/** Foreign keys guarantee the repository and the requester, so their names and the requester's email. */
type GuaranteedContacts = { repo_full_name: NotNull; requester_name: NotNull; requester_email: NotNull };

const releaseWindows = sql<WindowView[] | null>`(
  SELECT json_agg(json_build_object('major', w.major, 'general_from', w.general_from, 'general_until', w.general_until,
    'guidance_from', w.guidance_from, 'guidance_until', w.guidance_until, 'upgrade_path', w.upgrade_path))
  FROM release_windows w WHERE w.repo_id = tickets.repo_id AND tickets.version_major IS NOT NULL
)`.as('release_windows');

/** What a ticket shows of its SLA clock before the sla module has attached one. */
const NO_CLOCK = {
  sla_policy_id: null,
  sla_source: null,
  sla_first_response_due_at: null,
  sla_next_response_due_at: null,
  sla_resolution_due_at: null,
  sla_paused_at: null,
  sla_first_response_breached_at: null,
  sla_next_response_breached_at: null,
  sla_resolution_breached_at: null,
} as const;

export type TicketView = Awaited<ReturnType<ReturnType<typeof selectTickets>['executeTakeFirstOrThrow']>>;
/** A ticket as a list reads it: without names. */
export type TicketRowView = Awaited<ReturnType<ReturnType<typeof selectTicketRows>['executeTakeFirstOrThrow']>>;
/** The names shown beside a ticket: a single ticket's read has them (ticketNames), a list's rows get them from the service's `listNames`. */
export type ListNames = { repo_full_name: string; requester_name: string; assignee_name: string | null; org_slug: string | null };

export async function findTicket(db: Queryable, id: string): Promise<TicketView | undefined> {
  return selectTickets(db).where('tickets.id', '=', id).executeTakeFirst();
}

/** The ticket if the viewer may see it, with their standing to it, in one statement (the service compiles it once, see compileOnce). */
export function visibleTicketQuery(db: Queryable, id: string, viewer: Viewer) {
  return selectTickets(db)
    .where('tickets.id', '=', id)
    .where(visibleTo(viewer))
    .select((eb) => [
      eb('tickets.repo_id', 'in', viewer.maintainerOf).as('viewer_maintains'),
      eb('tickets.repo_id', 'in', viewer.helperOf).as('viewer_helps'),
      // No organization is no admin of it (IN over NULL would be NULL).
      eb.and([eb('tickets.org_id', 'is not', null), eb('tickets.org_id', 'in', viewer.adminOf)]).as('viewer_org_admin'),
    ])
    .$narrowType<Standing>();
}

/** Newest first; the id is time-ordered, so it is the whole sort key. */
export async function listTickets(db: Queryable, viewer: Viewer, filters: ListTicketsInput, afterId: string | undefined) {
  let query = selectTicketRows(db).where(visibleTo(viewer, { publicCommunity: Boolean(filters.repo) }));
  if (filters.repo) {
    const repoName = filters.repo.toLowerCase();
    query = query.where('tickets.repo_id', '=', (eb) => eb.selectFrom('repos').select('repos.id').where((inner) => inner(inner.fn('lower', ['repos.full_name']), '=', repoName)));
  }
  if (filters.status) query = query.where('tickets.status', '=', filters.status);
  if (filters.track) query = query.where('tickets.track', '=', filters.track);
  if (afterId) query = query.where('tickets.id', '<', afterId);
  return query.orderBy('tickets.id', 'desc').limit(filters.limit + 1).execute();
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/** The queue's groups in rank order: running SLA clocks (-1), then each priority, ranked by its place (0-3). */
const QUEUE_GROUPS = sql.join([sql`(-1, NULL::text)`, ...PRIORITIES.map((priority, rank) => sql`(${sql.lit(rank)}, ${sql.lit(priority)})`)]);
/**
 * Tickets with a running SLA clock rank by their next due time: epoch milliseconds minus 10^13, which is
 * below every priority rank (0-3) for any date before the year 2286, so they come first, soonest due first.
 */
const SLA_RANK_OFFSET = 10_000_000_000_000;
const slaRank = sql<number>`(floor(extract(epoch FROM ticket_sla.next_due_at) * 1000)::bigint - ${sql.lit(SLA_RANK_OFFSET)})`;

export type QueueKey = { rank: number; id: string };

/**
 * A page of a helper's queue: whose (`helperOf`, from the helpers module), after which key, and how many
 * rows to fetch. Every field is a value of the statement, none changes its form but `onlyRepoId`'s
 * presence, so the service compiles it once (compileOnce).
 */
export type QueuePage = QueueKey & { userId: string; helperOf: IdSubquery; fetch: number; onlyRepoId?: string };

/** Where a queue starts: after `after`, or without one below every rank (SLA ranks are negative). */
export function queueStart(after: QueueKey | undefined): QueueKey {
  return after ?? { rank: -SLA_RANK_OFFSET - 1, id: NIL_UUID };
}

/**
 * A helper's queue: open expert tickets of the repositories they are approved for (`helperOf`, from the
 * helpers module), plus what is assigned to them and not finished. Tickets whose SLA clock runs come
 * first, soonest due first; then the rest, most urgent first, then oldest first.
 *
 * The queue is read group by group, in rank order: the tickets with a running clock, then each priority.
 * A group's open tickets walk tickets_queue_idx (repo_id, priority, id) once per repository, or
 * ticket_sla_queue_idx (repo_id, next_due_at) for the clocks, each walk already in order and cut at the
 * page size, so a page costs the same however long the queues are; its assigned tickets walk
 * tickets_assigned_queue_idx (assignee_id, priority, id) the same way (those with a running clock,
 * usually few, are read whole and sorted by due time). The groups come in rank order, so PostgreSQL
 * sorts the page one group at a time (an incremental sort) and stops reading once the page is full: a
 * helper with plenty of urgent tickets has the other priorities left unread (walking every priority was
 * about 40% of the statement's time; PostgreSQL's CPU per page went from 0.95 to 0.79 ms in the bench).
 * The page is cut before the ticket rows are read, so only the tickets shown are. With
 * `onlyRepoId` (and `helperOf` cut to it), the assigned tickets are that repository's only.
 */
export function queueQuery(db: Queryable, page: QueuePage) {
  const { userId, helperOf, id, fetch, onlyRepoId } = page;
  // bigint: SLA ranks do not fit in the integer PostgreSQL would otherwise infer from a group's rank.
  const rankParam = sql`${page.rank}::bigint`;
  const assignedRepo = onlyRepoId ? sql`AND tickets.repo_id = ${onlyRepoId}` : sql``;
  const queue = sql<{ id: string; rank: number }>`(
    SELECT candidate.id, candidate.rank FROM (
      SELECT g.grp, part.id, part.rank
      FROM (SELECT * FROM (VALUES ${QUEUE_GROUPS}) AS v(grp, priority) ORDER BY grp) AS g
      CROSS JOIN LATERAL (
        SELECT clocked.id, clocked.rank FROM (
          SELECT sla_ticket.id, sla_ticket.rank
          FROM (${helperOf}) AS r(repo_id)
          CROSS JOIN LATERAL (
            SELECT ticket_sla.ticket_id AS id, ${slaRank} AS rank FROM ticket_sla
            JOIN tickets ON tickets.id = ticket_sla.ticket_id
            WHERE ticket_sla.repo_id = r.repo_id AND ticket_sla.next_due_at IS NOT NULL
              AND ticket_sla.next_due_at >= to_timestamp((${rankParam} + ${sql.lit(SLA_RANK_OFFSET)}) / 1000.0)
              AND tickets.track = 'expert' AND tickets.status = 'open'
              AND (${slaRank}, ticket_sla.ticket_id) > (${rankParam}, ${id}::uuid)
            ORDER BY ticket_sla.next_due_at, ticket_sla.ticket_id
            LIMIT ${fetch}
          ) AS sla_ticket
          UNION ALL
          SELECT tickets.id, ${slaRank}
          FROM tickets JOIN ticket_sla ON ticket_sla.ticket_id = tickets.id AND ticket_sla.next_due_at IS NOT NULL
          WHERE tickets.assignee_id = ${userId} AND tickets.status NOT IN ('closed', 'cancelled')
            ${assignedRepo}
            AND (${slaRank}, tickets.id) > (${rankParam}, ${id}::uuid)
        ) AS clocked
        WHERE g.grp < 0 AND ${rankParam} < 0
        UNION ALL
        SELECT by_priority.id, g.grp::bigint FROM (
          SELECT open_ticket.id
          FROM (${helperOf}) AS r(repo_id)
          CROSS JOIN LATERAL (
            SELECT tickets.id FROM tickets
            WHERE tickets.repo_id = r.repo_id AND tickets.priority = g.priority
              AND tickets.track = 'expert' AND tickets.status = 'open'
              AND tickets.id > CASE WHEN g.grp = ${rankParam} THEN ${id}::uuid ELSE ${NIL_UUID}::uuid END
              AND NOT EXISTS (SELECT 1 FROM ticket_sla WHERE ticket_sla.ticket_id = tickets.id AND ticket_sla.next_due_at IS NOT NULL)
            ORDER BY tickets.id
            LIMIT ${fetch}
          ) AS open_ticket
          UNION ALL
          SELECT assigned.id FROM (
            SELECT tickets.id FROM tickets
            WHERE tickets.assignee_id = ${userId} AND tickets.priority = g.priority AND tickets.status NOT IN ('closed', 'cancelled')
              ${assignedRepo}
              AND tickets.id > CASE WHEN g.grp = ${rankParam} THEN ${id}::uuid ELSE ${NIL_UUID}::uuid END
              AND NOT EXISTS (SELECT 1 FROM ticket_sla WHERE ticket_sla.ticket_id = tickets.id AND ticket_sla.next_due_at IS NOT NULL)
            ORDER BY tickets.id
            LIMIT ${fetch}
          ) AS assigned
        ) AS by_priority
        WHERE g.grp >= 0 AND g.grp >= ${rankParam}
      ) AS part
    ) AS candidate
    ORDER BY candidate.grp, candidate.rank, candidate.id
    LIMIT ${fetch}
  )`;
  return selectTicketRows(db)
    .innerJoin(queue.as('queue'), 'queue.id', 'tickets.id')
    .select('queue.rank')
    .orderBy('queue.rank')
    .orderBy('tickets.id');
}

/** A ticket to open: its row, its first event, its jobs, the inserts that ride along (see openTickets) and what they show on it. */
export type Opening = { values: Insertable<TicketsTable> & { id: string; repo_id: string }; event: NewEvent; jobs: JobRow[]; also: CteInsert[]; shows: Partial<TicketRowView> };

/**
 * Opens tickets in one statement, which needs no transaction around it: the tickets, their first events
 * and their jobs (the helpers' notification, SLA checks) go in as one insert each, `also` (other domains'
 * rows: an SLA clock, a plan link) as data-modifying CTEs of their own, and each ticket comes back as
 * a list reads it, `shows` (its SLA clock, from the domain that inserts it) laid over it, so nothing is
 * read back after the commit. Its names are the caller's to add: it knows them all already (the
 * repository, the requester), and per row in this statement they ran inside the one write at a time. Several tickets at once are what group commit batches (see the
 * service). Each table's rows travel as one array per column (insertManyQuery), so the statement is the
 * same however many tickets it opens and, without `also`, is built and compiled once per set of columns.
 * They go in by repository, so that two batches (two server processes) take the rows the statistics
 * triggers lock per repository and day in the same order and never deadlock.
 * Returns the tickets in the order of `openings`.
 */
export async function openTickets(db: Queryable, openings: Opening[]): Promise<TicketRowView[]> {
  const ordered = [...openings].sort((a, b) => (a.values.repo_id < b.values.repo_id ? -1 : a.values.repo_id > b.values.repo_id ? 1 : 0));
  const jobs = ordered.flatMap((opening) => opening.jobs);
  const values: ColumnValues = {
    ...prefixed('tickets', columnsOf('tickets', ordered.map((opening) => opening.values))),
    ...prefixed('events', columnsOf('ticket_events', ordered.map((opening) => eventRow(opening.event)))),
    ...(jobs.length ? prefixed('jobs', columnsOf('jobs', jobs)) : {}),
  };
  const also = ordered.flatMap((opening) => opening.also);
  const rows = also.length ? await openingQuery(db, values, also).execute() : await openingStatement(db, Object.keys(values).join(','), values);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return openings.map((opening) => ({ ...byId.get(opening.values.id)!, ...NO_CLOCK, ...opening.shows }));
}

/** The statement of openTickets, from its tables' columns (keys `table.column`) and the other domains' inserts. */
function openingQuery(db: Queryable, values: ColumnValues, also: CteInsert[]) {
  const of = (table: string) => Object.fromEntries(Object.entries(values).flatMap(([key, value]) => (key.startsWith(`${table}.`) ? [[key.slice(table.length + 1), value]] : [])));
  const jobs = of('jobs');
  const inserts: { name: string; insert: CteInsert }[] = [
    { name: 'opened_events', insert: insertManyQuery(db, 'ticket_events', EVENT_COLUMNS, of('events')) as CteInsert },
    ...(Object.keys(jobs).length ? [{ name: 'opened_jobs', insert: enqueueColumnsQuery(db, jobs) as CteInsert }] : []),
    ...also.map((insert, index) => ({ name: `opened_${index}`, insert })),
  ];
  // Each CTE's name widens the query's type; the tickets' insert refers to none of them, so it stays the database's.
  let query = db as Queryable;
  for (const { name, insert } of inserts) query = query.with(name, () => insert) as unknown as Queryable;
  return insertManyQuery(query, 'tickets', TICKET_COLUMNS, of('tickets')).returningAll().returning(releaseWindows);
}

/** Without other domains' rows the statement depends only on which columns are set: compiled once for each. */
const openingStatement = compileOnce((values: ColumnValues, _shape, db) => openingQuery(db, values, []));

const prefixed = (table: string, columns: ColumnValues) => Object.fromEntries(Object.entries(columns).map(([column, value]) => [`${table}.${column}`, value]));

const TICKET_COLUMNS: ColumnTypes<'tickets'> = {
  id: 'uuid',
  repo_id: 'uuid',
  requester_id: 'uuid',
  org_id: 'uuid',
  title: 'text',
  body: 'text',
  body_html: 'text',
  track: 'text',
  priority: 'text',
  channel: 'text',
  status: 'text',
  assignee_id: 'uuid',
  claimed_at: 'timestamptz',
  first_response_at: 'timestamptz',
  resolved_at: 'timestamptz',
  resolution_summary: 'text',
  confirmed_at: 'timestamptz',
  closed_at: 'timestamptz',
  cancelled_at: 'timestamptz',
  rating_score: 'int2',
  rating_comment: 'text',
  rated_at: 'timestamptz',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
  offering_id: 'uuid',
  version: 'text',
  version_major: 'int4',
};

const EVENT_COLUMNS: ColumnTypes<'ticket_events'> = { id: 'uuid', ticket_id: 'uuid', actor_id: 'uuid', type: 'text', data: 'jsonb', created_at: 'timestamptz' };

/** An insert into any table (the caller's: `any`, as in Kysely's own CTE type) that rides along in another statement. */
export type CteInsert = InsertQueryBuilder<DB, any, InsertResult>;

/**
 * Compare-and-set: changes the ticket only if it is still in the status the caller saw, in one
 * statement, so two people acting at once cannot both win (the loser's update matches no row).
 */
export async function updateIfStatus(db: Queryable, id: string, expected: TicketStatus, changes: Updateable<TicketsTable>) {
  return db.updateTable('tickets').set(changes).where('id', '=', id).where('status', '=', expected).returningAll().executeTakeFirst();
}

export async function currentStatus(db: Queryable, id: string): Promise<TicketStatus> {
  const row = await db.selectFrom('tickets').select('status').where('id', '=', id).executeTakeFirstOrThrow();
  return row.status;
}

/** Only a resolved or closed ticket that has no rating yet takes one; anything else matches no row. */
export async function rateTicket(db: Queryable, id: string, score: number, comment: string, at: Date) {
  return db
    .updateTable('tickets')
    .set({ rating_score: score, rating_comment: comment, rated_at: at, updated_at: at })
    .where('id', '=', id)
    .where('status', 'in', ['resolved', 'closed'])
    .where('rated_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export type NewEvent = { ticketId: string; actorId: string | null; type: string; data?: Record<string, unknown>; at: Date };

export async function addEvent(db: Queryable, event: NewEvent): Promise<string> {
  const id = newId(event.at.getTime());
  await eventInsert(db, event, { id }).execute();
  return id;
}

/** The event's insert, unexecuted; `data` in SQL when part of it is only known inside the statement. */
function eventInsert(db: Queryable, event: NewEvent, options: { id?: string; data?: Expression<string> } = {}) {
  const row = eventRow(event, options.id);
  return db.insertInto('ticket_events').values(options.data ? { ...row, data: options.data } : row);
}

function eventRow(event: NewEvent, id = newId(event.at.getTime())) {
  return { id, ticket_id: event.ticketId, actor_id: event.actorId, type: event.type, data: JSON.stringify(event.data ?? {}), created_at: event.at };
}

/**
 * Posts a message in one statement with its event and, when `firstResponse` asks for it, the ticket's
 * first-response time: set only if still unset, so of two answers at once one is the first and the
 * event says which. Returns the message as reads show it.
 */
export async function postMessage(trx: Queryable, values: Insertable<DB['ticket_messages']> & { id: string }, event: NewEvent, firstResponse: boolean): Promise<MessageView> {
  const data = sql<string>`jsonb_build_object('messageId', ${values.id}::text, 'firstResponse', EXISTS (SELECT 1 FROM first_response))`;
  return trx
    .with('first_response', (db) =>
      db.updateTable('tickets').set({ first_response_at: event.at }).where('id', '=', values.ticket_id).where('first_response_at', 'is', null).where(sql<boolean>`${firstResponse}::boolean`).returning('id'),
    )
    .with('message_event', () => eventInsert(trx, event, { data }))
    .insertInto('ticket_messages')
    .values(values)
    .returningAll()
    .returning(authorName)
    .$narrowType<{ author_name: NotNull }>()
    .executeTakeFirstOrThrow();
}

function selectMessages(db: Queryable) {
  return db.selectFrom('ticket_messages').selectAll('ticket_messages').select(authorName).$narrowType<{ author_name: NotNull }>();
}

function authorName(eb: ExpressionBuilder<DB, 'ticket_messages'>) {
  return eb.selectFrom('users').select('users.display_name').whereRef('users.id', '=', 'ticket_messages.author_id').as('author_name');
}

export type MessageView = Awaited<ReturnType<ReturnType<typeof selectMessages>['executeTakeFirstOrThrow']>>;

/** Oldest first, like a conversation. */
export async function listMessages(db: Queryable, ticketId: string, withInternal: boolean, afterId: string | undefined, limit: number) {
  let query = selectMessages(db).where('ticket_messages.ticket_id', '=', ticketId);
  if (!withInternal) query = query.where('ticket_messages.internal', '=', false);
  if (afterId) query = query.where('ticket_messages.id', '>', afterId);
  return query.orderBy('ticket_messages.id').limit(limit + 1).execute();
}

export async function listEvents(db: Queryable, ticketId: string, hiddenTypes: string[], afterId: string | undefined, limit: number) {
  let query = db
    .selectFrom('ticket_events')
    .leftJoin('users', 'users.id', 'ticket_events.actor_id')
    .selectAll('ticket_events')
    .select('users.display_name as actor_name')
    .where('ticket_events.ticket_id', '=', ticketId);
  if (hiddenTypes.length) query = query.where('ticket_events.type', 'not in', hiddenTypes);
  if (afterId) query = query.where('ticket_events.id', '>', afterId);
  return query.orderBy('ticket_events.id').limit(limit + 1).execute();
}

export type EventView = Awaited<ReturnType<typeof listEvents>>[number];
