import type { Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { conflict, invalidField } from '../../errors.ts';
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
import type { CreateCalendarInput, CreatePolicyInput } from './sla.schemas.ts';
import { sweep, type TimeLeft } from './sla.sweep.ts';
import { slaCreationContributor, slaTicketObserver, type PolicySource } from './sla.tickets.ts';
import { fullWeek } from './working-time.schemas.ts';

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

/**
 * Business-hours calendars, SLA policies, and the SLA clocks of tickets. Calendars and policies are
 * public for a listed repository (customers see what they are promised); maintainers create them.
 */
export function createSlaService(deps: Deps, services: { repos: ReposService; helpers: HelpersService; findTicket: SlaJobServices['findTicket'] }) {
  const { db, clock } = deps;
  const { repos, helpers } = services;
  const clocks = calendarClocks();
  const policySources: PolicySource[] = [];

  const jobHandlers: JobHandlers = createSlaJobHandlers(deps, {
    findTicket: services.findTicket,
    maintainers: async (scope, repoId) => (await repos.maintainerContacts(scope, repoId)).map((row) => ({ userId: row.user_id, email: row.email })),
    approvedHelpers: async (repoId) => (await helpers.approvedHelpers(repoId)).map((row) => ({ userId: row.user_id, email: row.email })),
  });

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
      if (input.calendarId) {
        const [calendar] = await repo.findCalendars(db, [input.calendarId]);
        if (!calendar || calendar.repo_id !== repository.id) {
          throw invalidField('body.calendarId', `is not a calendar of ${repository.full_name}; see GET /api/v1/repos/${repository.full_name}/calendars`);
        }
        // A calendar with an hour a week cannot reach a long target in any useful time: refuse it now.
        const longest = Math.max(...Object.values(input.targets).flatMap((set) => Object.values(set ?? {})));
        try {
          clockOfCalendar(calendar).add(now.getTime(), longest * MINUTE_MS);
        } catch {
          throw invalidField('body.targets', `${longest} minutes of this calendar's working hours take more than 50 years; shorten the target or add hours`);
        }
      }
      const id = newId(now.getTime());
      try {
        await repo.insertPolicy(db, { id, repo_id: repository.id, name: input.name, calendar_id: input.calendarId, targets: JSON.stringify(input.targets), created_by: user.userId, created_at: now });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`${repository.full_name} already has an SLA policy named "${input.name}".`, 'policy_exists');
        throw error;
      }
      return presentPolicy((await repo.findPolicy(db, repository.id, id))!, repository.full_name);
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
        await clocks.load(scope, rows.map((row) => row.calendar_id));
        for (const row of sweep(rows, now, clocks.cached)) result.push(row);
        if (rows.length < pageSize) return result;
        after = rows[rows.length - 1].ticket_id;
      }
    },
  };
}

export type SlaService = ReturnType<typeof createSlaService>;
