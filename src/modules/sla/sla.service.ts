import type { Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { conflict, invalidField, notFound } from '../../errors.ts';
import type { JobHandlers } from '../../jobs/queue.ts';
import { newId } from '../../lib/ids.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { HelpersService } from '../helpers/helpers.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import { MINUTE_MS } from './business-time.ts';
import { calendarClocks, clockOfCalendar } from './sla.calendars.ts';
import { createSlaJobHandlers, type SlaJobServices } from './sla.jobs.ts';
import { presentCalendar, presentPolicy } from './sla.presenter.ts';
import * as repo from './sla.repository.ts';
import type { CreateCalendarInput, CreatePolicyInput, PolicyTargets, UpdateCalendarInput, UpdatePolicyInput } from './sla.schemas.ts';
import { sweep, type TimeLeft } from './sla.sweep.ts';
import { slaCreationContributor, slaTicketObserver, type PolicySource } from './sla.tickets.ts';
import { fullWeek } from './working-time.schemas.ts';

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';
const isForeignKeyViolation = (error: unknown) => (error as { code?: string }).code === '23503';
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const quoted = (names: string[]) => names.map((name) => `"${name}"`).join(', ');

/**
 * Business-hours calendars, SLA policies, and the SLA clocks of tickets. Calendars and policies are
 * public for a listed repository (customers see what they are promised); maintainers create them.
 */
export function createSlaService(deps: Deps, services: { repos: ReposService; helpers: HelpersService; findTicket: SlaJobServices['findTicket'] }) {
  const { db, clock } = deps;
  const { repos, helpers } = services;
  const clocks = calendarClocks(clock, deps.notifications);
  const policySources: PolicySource[] = [];

  const jobHandlers: JobHandlers = createSlaJobHandlers(deps, {
    findTicket: services.findTicket,
    maintainers: async (scope, repoId) => (await repos.maintainerContacts(scope, repoId)).map((row) => ({ userId: row.user_id, email: row.email })),
    approvedHelpers: async (repoId) => (await helpers.approvedHelpers(repoId)).map((row) => ({ userId: row.user_id, email: row.email })),
  });

  /** A policy's calendar must be the repository's, and able to reach the longest target in useful time. */
  async function checkCalendar(repository: { id: string; full_name: string }, calendarId: string | null, targets: PolicyTargets, now: Date) {
    if (!calendarId) return;
    const [calendar] = await repo.findCalendars(db, [calendarId]);
    if (!calendar || calendar.repo_id !== repository.id) {
      throw invalidField('body.calendarId', `is not a calendar of ${repository.full_name}; see GET /api/v1/repos/${repository.full_name}/calendars`);
    }
    checkReachable(calendar, targets, now, 'body.targets');
  }

  /** A calendar with an hour a week cannot reach a long target in any useful time: refuse it now. */
  function checkReachable(calendar: repo.CalendarRow, targets: PolicyTargets, now: Date, path: string) {
    const longest = Math.max(0, ...Object.values(targets).flatMap((set) => Object.values(set ?? {})));
    try {
      clockOfCalendar(calendar).add(now.getTime(), longest * MINUTE_MS);
    } catch {
      throw invalidField(path, `${longest} minutes of this calendar's working hours take more than 50 years; shorten the target or add hours`);
    }
  }

  async function requireCalendar(actor: Actor, fullName: string, calendarId: string) {
    const { repo: repository } = await repos.requireMaintainer(actor, fullName);
    const [calendar] = await repo.findCalendars(db, [calendarId]);
    if (!calendar || calendar.repo_id !== repository.id) throw notFound('Calendar');
    return { repository, calendar };
  }

  async function requirePolicy(actor: Actor, fullName: string, policyId: string) {
    const { repo: repository } = await repos.requireMaintainer(actor, fullName);
    const policy = await repo.findPolicy(db, repository.id, policyId);
    if (!policy) throw notFound('SLA policy');
    return { repository, policy };
  }

  return {
    jobHandlers,
    /** Register with tickets.observe(): moves SLA clocks inside each ticket change's transaction. */
    ticketObserver: slaTicketObserver(deps, clocks),
    /** Register with tickets.contributeToCreation(): starts a new expert ticket's clock in the statement that opens it. */
    creationContributor: slaCreationContributor(deps, clocks, policySources),
    /** Support plans register here: a new expert ticket they cover gets their policy instead of the default. */
    addPolicySource(source: PolicySource): void {
      policySources.push(source);
    },
    /** A policy of the repository, or undefined (plans check the one they are given). */
    findPolicy: (scope: Queryable, repoId: string, policyId: string) => repo.findPolicy(scope, repoId, policyId),
    /** Targets met and breached on these tickets' clocks (plan usage). */
    performance: (scope: Queryable, ticketIds: string[]) => repo.performance(scope, ticketIds),

    async createCalendar(actor: Actor, fullName: string, input: CreateCalendarInput) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const user = requireUser(actor);
      const now = clock.now();
      const id = newId(now.getTime());
      const holidays = [...new Set(input.holidays)].sort();
      try {
        await repo.insertCalendar(db, {
          id,
          repo_id: repository.id,
          name: input.name,
          time_zone: input.timeZone,
          weekly_hours: JSON.stringify(fullWeek(input.weeklyHours)),
          holidays,
          created_by: user.userId,
          created_at: now,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`${repository.full_name} already has a calendar named "${input.name}".`, 'calendar_exists');
        throw error;
      }
      const [row] = await repo.findCalendars(db, [id]);
      return presentCalendar(row, repository.full_name);
    },

    async listCalendars(actor: Actor, fullName: string) {
      const { repo: repository } = await repos.access(actor, fullName);
      return (await repo.listCalendars(db, repository.id)).map((row) => presentCalendar(row, repository.full_name));
    },

    async createPolicy(actor: Actor, fullName: string, input: CreatePolicyInput) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const user = requireUser(actor);
      const now = clock.now();
      await checkCalendar(repository, input.calendarId, input.targets, now);
      const id = newId(now.getTime());
      try {
        await repo.insertPolicy(db, { id, repo_id: repository.id, name: input.name, calendar_id: input.calendarId, targets: JSON.stringify(input.targets), created_by: user.userId, created_at: now });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`${repository.full_name} already has an SLA policy named "${input.name}".`, 'policy_exists');
        throw error;
      }
      return presentPolicy((await repo.findPolicy(db, repository.id, id))!, repository.full_name);
    },

    /**
     * New hours count for tickets opened from now on and for what running clocks compute next (a pause, a
     * next-response target); due times already set stay. Hours that leave a policy's target out of reach are a 400.
     */
    async updateCalendar(actor: Actor, fullName: string, calendarId: string, input: UpdateCalendarInput) {
      const { repository, calendar } = await requireCalendar(actor, fullName, calendarId);
      const next: repo.CalendarRow = {
        ...calendar,
        name: input.name ?? calendar.name,
        time_zone: input.timeZone ?? calendar.time_zone,
        weekly_hours: input.weeklyHours ? fullWeek(input.weeklyHours) : calendar.weekly_hours,
        holidays: input.holidays ? [...new Set(input.holidays)].sort() : calendar.holidays,
      };
      const now = clock.now();
      for (const policy of await repo.listPolicies(db, repository.id)) {
        if (policy.calendar_id === calendarId) checkReachable(next, policy.targets, now, 'body.weeklyHours');
      }
      try {
        await repo.updateCalendar(db, calendarId, { name: next.name, time_zone: next.time_zone, weekly_hours: JSON.stringify(next.weekly_hours), holidays: next.holidays });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`${repository.full_name} already has a calendar named "${next.name}".`, 'calendar_exists');
        throw error;
      }
      const [row] = await repo.findCalendars(db, [calendarId]);
      return presentCalendar(row, repository.full_name);
    },

    /** Only a calendar nothing counts in: a policy measured in it or a ticket clock started in it makes it a 409. */
    async deleteCalendar(actor: Actor, fullName: string, calendarId: string) {
      const { repository, calendar } = await requireCalendar(actor, fullName, calendarId);
      const users = await repo.calendarUsers(db, calendarId);
      const uses = [
        ...(users.policies.length ? [`SLA ${users.policies.length === 1 ? 'policy' : 'policies'} ${quoted(users.policies)}`] : []),
        ...(users.ticketClocks ? [`the SLA clocks of ${plural(users.ticketClocks, 'ticket')}`] : []),
      ];
      const refuse = () => conflict(`Calendar "${calendar.name}" of ${repository.full_name} is in use by ${uses.join(' and ') || 'a ticket opened just now'}; it cannot be deleted.`, 'calendar_in_use');
      if (uses.length) throw refuse();
      try {
        await repo.deleteCalendar(db, calendarId);
      } catch (error) {
        if (isForeignKeyViolation(error)) throw refuse();
        throw error;
      }
    },

    /** Applies to tickets opened from now on: a ticket's clock keeps the targets it was given. */
    async updatePolicy(actor: Actor, fullName: string, policyId: string, input: UpdatePolicyInput) {
      const { repository, policy } = await requirePolicy(actor, fullName, policyId);
      const calendarId = input.calendarId === undefined ? policy.calendar_id : input.calendarId;
      const targets = input.targets ?? policy.targets;
      if (input.calendarId !== undefined || input.targets !== undefined) await checkCalendar(repository, calendarId, targets, clock.now());
      const name = input.name ?? policy.name;
      try {
        await repo.updatePolicy(db, policyId, { name, calendar_id: calendarId, targets: JSON.stringify(targets) });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`${repository.full_name} already has an SLA policy named "${name}".`, 'policy_exists');
        throw error;
      }
      return presentPolicy((await repo.findPolicy(db, repository.id, policyId))!, repository.full_name);
    },

    /** Only a policy nothing refers to: the repository's default, a plan, or a ticket's clock makes it a 409. */
    async deletePolicy(actor: Actor, fullName: string, policyId: string) {
      const { repository, policy } = await requirePolicy(actor, fullName, policyId);
      const users = await repo.policyUsers(db, policyId);
      const uses = [
        ...(policy.is_default ? ['the default for expert tickets (choose another default first)'] : []),
        ...(users.plans.length ? [`support plan${users.plans.length === 1 ? '' : 's'} ${quoted(users.plans)}`] : []),
        ...(users.ticketClocks ? [`the SLA clocks of ${plural(users.ticketClocks, 'ticket')}`] : []),
      ];
      const refuse = () => conflict(`SLA policy "${policy.name}" of ${repository.full_name} is in use by ${uses.join(' and ') || 'something created just now'}; it cannot be deleted.`, 'policy_in_use');
      if (uses.length) throw refuse();
      try {
        await repo.deletePolicy(db, policyId);
      } catch (error) {
        if (isForeignKeyViolation(error)) throw refuse();
        throw error;
      }
    },

    async listPolicies(actor: Actor, fullName: string) {
      const { repo: repository } = await repos.access(actor, fullName);
      return (await repo.listPolicies(db, repository.id)).map((row) => presentPolicy(row, repository.full_name));
    },

    /** Applies to expert tickets opened from now on; tickets already open keep the clock they have. */
    async setDefaultPolicy(actor: Actor, fullName: string, policyId: string | null) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const user = requireUser(actor);
      if (policyId && !(await repo.findPolicy(db, repository.id, policyId))) {
        throw invalidField('body.policyId', `is not an SLA policy of ${repository.full_name}; see GET /api/v1/repos/${repository.full_name}/sla-policies`);
      }
      await repo.setDefault(db, repository.id, policyId, user.userId, clock.now());
      return { policyId };
    },

    /**
     * Time left on the most urgent target of every running clock, read in pages of `pageSize` by the
     * running-clock index. For dashboards and the benchmark; `scope` lets a caller pass its transaction.
     */
    async timeLeft(scope: Queryable = db, pageSize = 20_000) {
      const now = clock.now().getTime();
      const result: TimeLeft[] = [];
      let after: string | undefined;
      for (;;) {
        const rows = await repo.runningClocks(scope, after, pageSize);
        const clockOf = await clocks.load(scope, rows.map((row) => row.calendar_id));
        for (const row of sweep(rows, now, clockOf)) result.push(row);
        if (rows.length < pageSize) return result;
        after = rows[rows.length - 1].ticket_id;
      }
    },
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
