import type { Updateable } from 'kysely';
import { compileOnce } from '../../db/compile-once.ts';
import type { Queryable, Tx } from '../../db/database.ts';
import type { TicketsTable, TicketTrack } from '../../db/types.ts';
import type { Deps } from '../../deps.ts';
import { conflict, forbidden, invalidField, notFound } from '../../errors.ts';
import { GroupCommit } from '../../lib/group-commit.ts';
import { newId, UUID_PATTERN } from '../../lib/ids.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { HelpersService } from '../helpers/helpers.service.ts';
import { queueEmail } from '../mail/mail.service.ts';
import { emailRepliesOn } from '../mail/reply-address.ts';
import type { OfferingsService } from '../offerings/offerings.service.ts';
import type { OrgsService } from '../orgs/orgs.service.ts';
import type { RepoRow } from '../repos/repos.repository.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { UsersService } from '../users/users.service.ts';
import { majorOf } from '../releases/releases.ticket-view.ts';
import { notifyHelpersJob } from './tickets.jobs.ts';
import { ticketEmails } from './tickets.notifications.ts';
import { ticketObservers } from './tickets.observers.ts';
import { authorize, relationOf, type Relation } from './tickets.policy.ts';
import { presentEvent, presentMessage, presentTicket } from './tickets.presenter.ts';
import * as repo from './tickets.repository.ts';
import type { CreateTicketInput, ListTicketsInput, MessageInput, PageInput, QueueInput, RatingInput } from './tickets.schemas.ts';
import { canMove, EVENT_TYPES, INTERNAL_EVENT_TYPES, invalidTransition, nextStatus, type TicketAction } from './tickets.state.ts';

type Loaded = { viewer: repo.Viewer; ticket: repo.TicketView & repo.Standing; relation: Relation };
/** Who moves the ticket: a person, or the platform itself (userId null), as when a ticket auto-confirms. */
type Mover = { viewer: { userId: string | null }; ticket: repo.TicketView };
/**
 * What other domains do in the same transaction as a move (payments: schedule or release the escrow).
 * They run inside the move's transaction, so they must use `trx` and never the database handle.
 */
export type TicketLifecycleHooks = {
  resolved?: (trx: Tx, ticket: repo.TicketView) => Promise<void>;
  confirmed?: (trx: Tx, ticket: repo.TicketView) => Promise<void>;
  reopened?: (trx: Tx, ticket: repo.TicketView) => Promise<void>;
};
type MoveOptions = {
  changes?: Updateable<TicketsTable>;
  data?: Record<string, unknown>;
  /** More writes in the same transaction, such as the email the move sends; gets the ticket as moved. */
  also?: (trx: Tx, eventId: string, moved: repo.TicketView) => Promise<void>;
};

const OFFERED: Record<TicketTrack, (row: RepoRow) => boolean> = {
  ai: (row) => row.offers_ai,
  community: (row) => row.offers_community,
  expert: (row) => row.offers_expert,
};

/** A name a ticket must have: its foreign key guarantees the row it comes from. */
function found(names: Map<string, string>, id: string, what: string): string {
  const name = names.get(id);
  if (name === undefined) throw new Error(`the ${what} ${id} of a ticket has no row`);
  return name;
}

const isUuid = (value: unknown) => typeof value === 'string' && UUID_PATTERN.test(value);
const idCursor = (cursor: string | undefined) => decodeCursor(cursor, 1, ([id]) => isUuid(id))?.[0] as string | undefined;
const queueCursor = (cursor: string | undefined) => {
  const key = decodeCursor(cursor, 2, ([rank, id]) => Number.isInteger(rank) && isUuid(id));
  return key ? { rank: key[0] as number, id: key[1] as string } : undefined;
};

export function createTicketsService(deps: Deps, services: { repos: ReposService; helpers: HelpersService; orgs: OrgsService; offerings: OfferingsService; users: UsersService }) {
  const { db, clock } = deps;
  const { repos, helpers, orgs, offerings, users } = services;
  const emails = ticketEmails(deps.config);
  let hooks: TicketLifecycleHooks = {};
  const observers = ticketObservers();
  /**
   * Group commit (see GroupCommit): tickets opened while another opening's statement runs go together in
   * the next one, so under load many tickets share one statement and one commit. One statement at a time:
   * the batches are larger than with two, and in runs alternating the two (16 clients, PostgreSQL) the
   * server's and PostgreSQL's CPU per ticket was 0.50-0.62 ms against 0.69-0.75, with more tickets a
   * second. The second statement in flight had paid off only while the load driver took an eighth of the
   * machine, which left the CPU idle during a commit's flush. What overlaps instead is the server's part
   * and the database's: the next statement is sent before the tickets just stored are answered.
   */
  const openings = new GroupCommit((items: repo.Opening[]) => repo.openTickets(db, items));
  const confirmed = async (trx: Tx, moved: repo.TicketView) => hooks.confirmed?.(trx, moved);

  /**
   * With replies by email on, a public message is mailed to the other side of the ticket (the customer,
   * or the assignee), with the reply address that brings their answer back: the email thread is then the
   * conversation. Without it, people read messages on the site.
   */
  async function queueMessageEmails(trx: Tx, ticket: repo.TicketView, message: repo.MessageView) {
    const recipients = [
      { userId: ticket.requester_id, email: ticket.requester_email },
      ticket.assignee_id && ticket.assignee_email ? { userId: ticket.assignee_id, email: ticket.assignee_email } : null,
    ];
    for (const recipient of recipients) {
      if (recipient && recipient.userId !== message.author_id) await queueEmail(trx, clock, emails.message(ticket, message, recipient));
    }
  }

  function viewerOf(actor: Actor): repo.Viewer {
    const user = requireUser(actor);
    return viewerFor(user.userId, user.isOperator);
  }

  function viewerFor(userId: string, isOperator: boolean): repo.Viewer {
    return {
      userId,
      isOperator,
      maintainerOf: repos.maintainedRepoIdsQuery(userId),
      helperOf: helpers.approvedRepoIdsQuery(userId),
      adminOf: orgs.adminOrgIdsQuery(userId),
    };
  }

  /** Every request on a ticket reads it with its access check: built and compiled once (an operator's is another shape). */
  const visibleTicket = compileOnce((values: { id: string; userId: string }, shape) => repo.visibleTicketQuery(db, values.id, viewerFor(values.userId, shape === 'operator')));

  /** The helper queue's statement, built and compiled once for all the caller's repositories and once for one. */
  const queuePage = compileOnce((values: Omit<repo.QueuePage, 'helperOf'>, _shape, scope) =>
    repo.queueQuery(scope, { ...values, helperOf: helpers.approvedRepoIdsQuery(values.userId, values.onlyRepoId) }),
  );

  /**
   * The names shown beside a list's rows, from the processes' caches of the repositories, users and
   * organizations services: per row in the statement they cost a quarter of PostgreSQL's time per queue page.
   */
  async function listNames(rows: repo.TicketRowView[]): Promise<(row: repo.TicketRowView) => repo.ListNames> {
    const [repoNames, userNames, orgSlugs] = await Promise.all([
      repos.fullNames(rows.map((row) => row.repo_id)),
      users.displayNames(rows.flatMap((row) => (row.assignee_id ? [row.requester_id, row.assignee_id] : [row.requester_id]))),
      orgs.slugs(rows.flatMap((row) => (row.org_id ? [row.org_id] : []))),
    ]);
    return (row) => ({
      repo_full_name: found(repoNames, row.repo_id, 'repository'),
      requester_name: found(userNames, row.requester_id, 'user'),
      assignee_name: row.assignee_id ? found(userNames, row.assignee_id, 'user') : null,
      org_slug: row.org_id ? found(orgSlugs, row.org_id, 'organization') : null,
    });
  }

  /** The ticket if the actor may see it; otherwise a 404, so that its existence does not leak. */
  async function load(actor: Actor, id: string): Promise<Loaded> {
    const viewer = viewerOf(actor);
    const [ticket] = await visibleTicket(db, viewer.isOperator ? 'operator' : 'user', { id, userId: viewer.userId });
    if (!ticket) throw notFound('The ticket');
    return { viewer, ticket, relation: relationOf(viewer, ticket) };
  }

  async function present(id: string) {
    const ticket = await repo.findTicket(db, id);
    if (!ticket) throw notFound('The ticket');
    return presentTicket(ticket, ticket);
  }

  /**
   * Moves the ticket by the state table, with its event, inside `trx`. Returns false when someone else
   * moved it first (the compare-and-set matched no row).
   */
  async function applyMove(trx: Tx, { viewer, ticket }: Mover, action: TicketAction, options: MoveOptions = {}): Promise<boolean> {
    const to = nextStatus(ticket, action);
    const now = clock.now();
    const updated = await repo.updateIfStatus(trx, ticket.id, ticket.status, { ...options.changes, status: to, updated_at: now });
    if (!updated) return false;
    const eventId = await repo.addEvent(trx, { ticketId: ticket.id, actorId: viewer.userId, type: EVENT_TYPES[action], data: { from: ticket.status, to, ...options.data }, at: now });
    const moved = (await repo.findTicket(trx, ticket.id))!;
    if (options.also) await options.also(trx, eventId, moved);
    await observers.notify(trx, { type: 'moved', action, from: ticket.status, ticket: moved });
    return true;
  }

  async function move(loaded: Loaded, action: TicketAction, options: MoveOptions = {}) {
    await db.transaction().execute(async (trx) => {
      if (await applyMove(trx, loaded, action, options)) return;
      const status = await repo.currentStatus(trx, loaded.ticket.id);
      throw canMove(status, action)
        ? conflict('The ticket changed while you were acting on it; reload it and try again.', 'ticket_changed')
        : invalidTransition(status, action);
    });
    return present(loaded.ticket.id);
  }

  function requireExpert(ticket: repo.TicketView) {
    if (ticket.track !== 'expert') {
      throw conflict(`This is a ${ticket.track} ticket; only expert tickets are claimed and assigned, the others are answered in the conversation.`, 'not_claimable');
    }
  }

  /** The offering must be one the customer can buy on this repository now. */
  async function offeringIdFor(actor: Actor, fullName: string, offeringId: string | undefined): Promise<string | null> {
    if (!offeringId) return null;
    const listed = await offerings.list(actor, fullName);
    if (!listed.some((offering) => offering.id === offeringId && offering.active)) {
      throw invalidField('body.offeringId', `is not an active offering of ${fullName}; see GET /api/v1/repos/${fullName}/offerings`);
    }
    return offeringId;
  }

  /** The organization a member opens a ticket for (a 404 for anyone else). */
  async function orgFor(actor: Actor, slug: string): Promise<{ id: string; slug: string }> {
    const { org, role } = await orgs.requireMember(actor, slug);
    if (!role) throw notFound(`The organization ${slug}`);
    return org;
  }

  return {
    async create(actor: Actor, input: CreateTicketInput) {
      const user = requireUser(actor);
      const { repo: repository } = await repos.access(actor, input.repo);
      if (repository.status !== 'verified') throw notFound(`The repository ${input.repo}`);
      if (!OFFERED[input.track](repository)) {
        const offered = (Object.keys(OFFERED) as TicketTrack[]).filter((track) => OFFERED[track](repository));
        throw conflict(
          `${repository.full_name} does not offer ${input.track} support; ${offered.length ? `choose one of: ${offered.join(', ')}` : 'it offers no support track at the moment'}.`,
          'track_not_offered',
        );
      }
      const org = input.org ? await orgFor(actor, input.org) : null;
      const offeringId = await offeringIdFor(actor, repository.full_name, input.offeringId);
      const now = clock.now();
      const id = newId(now.getTime());
      const draft = { id, repo_id: repository.id, requester_id: user.userId, org_id: org?.id ?? null, track: input.track, priority: input.priority, created_at: now };
      // Other domains' rows (SLA clock, plan link) are prepared first, so that the ticket, its event, its
      // jobs and theirs are one statement: one round trip, atomic without a transaction around it.
      const parts = await observers.prepareCreation(db, draft);
      const created = { ticketId: id, actorId: user.userId, type: 'created', data: { track: input.track, priority: input.priority, channel: input.channel }, at: now };
      const opening: repo.Opening = {
        values: {
          ...draft,
          title: input.title,
          body: input.body,
          body_html: renderMarkdown(input.body),
          channel: input.channel,
          status: 'open',
          offering_id: offeringId,
          version: input.version ?? null,
          version_major: input.version ? majorOf(input.version) : null,
          updated_at: now,
        },
        event: created,
        jobs: [...(input.track === 'expert' ? [notifyHelpersJob(clock, id)] : []), ...parts.flatMap((part) => part.jobs ?? [])],
        also: parts.flatMap((part) => part.inserts),
        shows: Object.assign({}, ...parts.map((part) => part.shows)),
      };
      const [ticket, requesterNames] = await Promise.all([openings.add(opening), users.displayNames([user.userId])]);
      // The names are known here (the requester's kept by the users service), not read back with the ticket.
      const names = { repo_full_name: repository.full_name, requester_name: found(requesterNames, user.userId, 'user'), assignee_name: null, org_slug: org?.slug ?? null };
      return presentTicket(ticket, names);
    },

    async get(actor: Actor, id: string) {
      const { ticket } = await load(actor, id);
      return presentTicket(ticket, ticket);
    },

    /** For other domains (payments): the ticket and how the actor stands to it; 404 when they may not see it. */
    async access(actor: Actor, id: string): Promise<{ ticket: repo.TicketView; relation: Relation }> {
      const { ticket, relation } = await load(actor, id);
      return { ticket, relation };
    },

    /** For jobs and hooks acting without a person; pass the transaction you are in. */
    findById: (scope: Queryable, id: string) => repo.findTicket(scope, id),

    /** Set once when wiring the services (the payments domain), since it is created after this one. */
    setLifecycleHooks(next: TicketLifecycleHooks) {
      hooks = next;
    },

    /** Other domains following every change in its transaction (SLA clocks); see tickets.observers.ts. */
    observe: observers.add,

    /** Other domains adding their rows to the statement that opens a ticket; see tickets.observers.ts. */
    contributeToCreation: observers.addContributor,

    async list(actor: Actor, input: ListTicketsInput) {
      const rows = await repo.listTickets(db, viewerOf(actor), input, idCursor(input.cursor));
      const names = await listNames(rows);
      return toPage(rows, input.limit, (row) => [row.id], (row) => presentTicket(row, names(row)));
    },

    /**
     * One queue across every repository the caller helps (or only `input.repo`): soonest SLA due first,
     * then urgent first, then oldest first. An unknown repository is a 404, like everywhere else.
     */
    async queue(actor: Actor, input: QueueInput) {
      const user = requireUser(actor);
      const onlyRepoId = input.repo ? (await repos.access(actor, input.repo)).repo.id : undefined;
      const page = { userId: user.userId, ...repo.queueStart(queueCursor(input.cursor)), fetch: input.limit + 1 };
      const rows = onlyRepoId ? await queuePage(db, 'one repository', { ...page, onlyRepoId }) : await queuePage(db, 'all', page);
      const names = await listNames(rows);
      return toPage(rows, input.limit, (row) => [row.rank, row.id], (row) => presentTicket(row, names(row)));
    },

    async postMessage(actor: Actor, id: string, input: MessageInput) {
      const loaded = await load(actor, id);
      const { ticket, relation, viewer } = loaded;
      authorize(input.internal ? 'note' : 'reply', relation, ticket);
      if (!input.internal && (ticket.status === 'closed' || ticket.status === 'cancelled')) {
        throw conflict(`This ticket is ${ticket.status}; ${ticket.status === 'closed' ? 'reopen it' : 'open a new ticket'} to continue the conversation.`, 'ticket_closed');
      }
      const now = clock.now();
      const messageId = newId(now.getTime());
      const message = await db.transaction().execute(async (trx) => {
        const posted = await repo.postMessage(
          trx,
          { id: messageId, ticket_id: ticket.id, author_id: viewer.userId, body: input.body, body_html: renderMarkdown(input.body), internal: input.internal, channel: input.channel, created_at: now },
          { ticketId: ticket.id, actorId: viewer.userId, type: input.internal ? 'note_added' : 'message_added', at: now },
          // The first public answer from someone other than the customer stops the first-response clock (SLAs).
          !input.internal && !relation.customer && ticket.first_response_at === null,
        );
        await observers.notify(trx, { type: 'message', ticket, internal: input.internal, byCustomer: relation.customer, message: posted });
        if (!input.internal && emailRepliesOn(deps.config)) await queueMessageEmails(trx, ticket, posted);
        if (!input.internal && relation.customer && canMove(ticket.status, 'customer_reply')) {
          await applyMove(trx, loaded, 'customer_reply', { data: { messageId } });
        }
        return posted;
      });
      return presentMessage(message);
    },

    async messages(actor: Actor, id: string, input: PageInput) {
      const { ticket, relation } = await load(actor, id);
      const rows = await repo.listMessages(db, ticket.id, relation.staff, idCursor(input.cursor), input.limit);
      return toPage(rows, input.limit, (row) => [row.id], presentMessage);
    },

    async events(actor: Actor, id: string, input: PageInput) {
      const { ticket, relation } = await load(actor, id);
      const rows = await repo.listEvents(db, ticket.id, relation.staff ? [] : INTERNAL_EVENT_TYPES, idCursor(input.cursor), input.limit);
      return toPage(rows, input.limit, (row) => [row.id], presentEvent);
    },

    async claim(actor: Actor, id: string) {
      const loaded = await load(actor, id);
      const { ticket, relation, viewer } = loaded;
      requireExpert(ticket);
      authorize('claim', relation, ticket);
      if (ticket.requester_id === viewer.userId) throw forbidden('You opened this ticket; another helper has to take it.');
      const now = clock.now();
      return move(loaded, 'claim', {
        changes: { assignee_id: viewer.userId, claimed_at: now },
        also: (trx, eventId, moved) => queueEmail(trx, clock, emails.claimed(moved, eventId)),
      });
    },

    async assign(actor: Actor, id: string, userId: string) {
      const loaded = await load(actor, id);
      const { ticket, relation } = loaded;
      authorize('assign', relation, ticket);
      requireExpert(ticket);
      if (ticket.assignee_id === userId) return presentTicket(ticket, ticket);
      if (userId === ticket.requester_id || !(await helpers.isApproved(ticket.repo_id, userId))) {
        throw invalidField('body.userId', `must be an approved helper of ${ticket.repo_full_name} other than the requester`);
      }
      return move(loaded, 'assign', {
        changes: { assignee_id: userId, claimed_at: clock.now() },
        data: { assigneeId: userId, previousAssigneeId: ticket.assignee_id },
        also: (trx, eventId, moved) => queueEmail(trx, clock, emails.assigned(moved, eventId)),
      });
    },

    async release(actor: Actor, id: string) {
      const loaded = await load(actor, id);
      authorize('release', loaded.relation, loaded.ticket);
      return move(loaded, 'release', { changes: { assignee_id: null, claimed_at: null }, data: { previousAssigneeId: loaded.ticket.assignee_id } });
    },

    async setStatus(actor: Actor, id: string, status: 'in_progress' | 'waiting_on_customer') {
      const loaded = await load(actor, id);
      authorize('setStatus', loaded.relation, loaded.ticket);
      return move(loaded, status === 'in_progress' ? 'start' : 'wait');
    },

    async resolve(actor: Actor, id: string, summary: string) {
      const loaded = await load(actor, id);
      authorize('resolve', loaded.relation, loaded.ticket);
      return move(loaded, 'resolve', {
        changes: { resolved_at: clock.now(), resolution_summary: summary },
        data: { summary },
        also: async (trx, eventId, moved) => {
          await queueEmail(trx, clock, emails.resolved(moved, eventId));
          await hooks.resolved?.(trx, moved);
        },
      });
    },

    async confirm(actor: Actor, id: string) {
      const loaded = await load(actor, id);
      authorize('customer', loaded.relation, loaded.ticket);
      const now = clock.now();
      return move(loaded, 'confirm', { changes: { confirmed_at: now, closed_at: now }, also: (trx, _eventId, moved) => confirmed(trx, moved) });
    },

    /**
     * Closes a resolved ticket nobody confirmed within the grace period (payments' auto-release job),
     * in the caller's transaction; false when it is no longer resolved (reopened, confirmed meanwhile).
     */
    async autoConfirm(trx: Tx, id: string): Promise<boolean> {
      const ticket = await repo.findTicket(trx, id);
      if (!ticket || ticket.status !== 'resolved') return false;
      const now = clock.now();
      return applyMove(trx, { viewer: { userId: null }, ticket }, 'confirm', {
        changes: { confirmed_at: now, closed_at: now },
        data: { automatic: true },
        also: (inner, _eventId, moved) => confirmed(inner, moved),
      });
    },

    async reopen(actor: Actor, id: string, reason?: string) {
      const loaded = await load(actor, id);
      authorize('customer', loaded.relation, loaded.ticket);
      return move(loaded, 'reopen', {
        changes: { resolved_at: null, resolution_summary: null, confirmed_at: null, closed_at: null },
        data: reason ? { reason } : {},
        also: async (trx, _eventId, moved) => hooks.reopened?.(trx, moved),
      });
    },

    async cancel(actor: Actor, id: string, reason?: string) {
      const loaded = await load(actor, id);
      authorize('customer', loaded.relation, loaded.ticket);
      return move(loaded, 'cancel', { changes: { cancelled_at: clock.now() }, data: reason ? { reason } : {} });
    },

    /** Once, and only for help that was given: the conditional update settles both rules and any race. */
    async rate(actor: Actor, id: string, input: RatingInput) {
      const { ticket, relation, viewer } = await load(actor, id);
      authorize('customer', relation, ticket);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        if (!(await repo.rateTicket(trx, ticket.id, input.score, input.comment, now))) {
          const status = await repo.currentStatus(trx, ticket.id);
          if (status !== 'resolved' && status !== 'closed') {
            throw conflict(`This ticket is ${status.replaceAll('_', ' ')}; rate it once it is resolved.`, 'not_resolved');
          }
          throw conflict('This ticket is already rated; a rating is given once.', 'already_rated');
        }
        await repo.addEvent(trx, { ticketId: ticket.id, actorId: viewer.userId, type: 'rated', data: { score: input.score }, at: now });
      });
      return present(ticket.id);
    },
  };
}

export type TicketsService = ReturnType<typeof createTicketsService>;
export type { Relation } from './tickets.policy.ts';
export type { TicketView } from './tickets.repository.ts';
