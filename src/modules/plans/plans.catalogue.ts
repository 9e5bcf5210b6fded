import type { Deps } from '../../deps.ts';
import { AppError, conflict, invalidField, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { SlaService } from '../sla/sla.service.ts';
import { presentPlan } from './plans.presenter.ts';
import * as repo from './plans.repository.ts';
import { INCLUDES_SOMETHING, type CreatePlanInput, type UpdatePlanInput } from './plans.schemas.ts';

/** A repository's plan tiers: maintainers create them; anyone who can see the repository reads the active ones. */
export function planCatalogue(deps: Deps, services: { repos: ReposService; sla: Pick<SlaService, 'findPolicy'> }) {
  const { db, clock } = deps;
  const { repos, sla } = services;

  return {
    async create(actor: Actor, fullName: string, input: CreatePlanInput) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const user = requireUser(actor);
      // The plan's promise is its SLA: a policy of this repository, whose targets plan tickets get.
      if (!(await sla.findPolicy(db, repository.id, input.slaPolicyId))) {
        throw invalidField('body.slaPolicyId', `is not an SLA policy of ${repository.full_name}: a plan needs SLA targets; create them with POST /api/v1/repos/${repository.full_name}/sla-policies`);
      }
      const now = clock.now();
      const id = newId(now.getTime());
      try {
        await db.transaction().execute((trx) =>
          repo.insertPlan(
            trx,
            {
              id,
              repo_id: repository.id,
              name: input.name,
              description: input.description,
              period: input.period,
              included_hours: input.includedHours,
              included_tickets: input.includedTickets,
              channels: input.channels,
              private_slack: input.privateSlack,
              private_discord: input.privateDiscord,
              sla_policy_id: input.slaPolicyId,
              active: input.active,
              created_by: user.userId,
              created_at: now,
              updated_at: now,
            },
            input.prices.map((price) => ({ plan_id: id, currency: price.currency, amount: price.amount })),
          ),
        );
      } catch (error) {
        if (repo.isUniqueViolation(error, 'plans_name_key')) throw conflict(`${repository.full_name} already has a plan named "${input.name}".`, 'plan_exists');
        throw error;
      }
      return presentPlan((await repo.findPlan(db, id))!, repository.full_name);
    },

    /**
     * Edits a plan (maintainers). Subscribers keep what they paid for: a running period keeps its price,
     * and a new price is charged from the next renewal; included hours and tickets count for usage from
     * now; a new SLA policy applies to plan tickets opened from now. The period cannot change, and a
     * currency in which subscriptions still run cannot be dropped (they would renew at no price).
     */
    async update(actor: Actor, fullName: string, id: string, input: UpdatePlanInput) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const plan = await repo.findPlan(db, id);
      if (!plan || plan.repo_id !== repository.id) throw notFound('The plan');
      if (input.slaPolicyId && !(await sla.findPolicy(db, repository.id, input.slaPolicyId))) {
        throw invalidField('body.slaPolicyId', `is not an SLA policy of ${repository.full_name}`);
      }
      const includedHours = input.includedHours === undefined ? plan.included_hours : input.includedHours;
      const includedTickets = input.includedTickets === undefined ? plan.included_tickets : input.includedTickets;
      if (includedHours === null && includedTickets === null) throw invalidField('body.includedHours', INCLUDES_SOMETHING);
      if (input.prices) {
        const dropped = (await repo.liveCurrencies(db, plan.id)).filter((currency) => !input.prices!.some((price) => price.currency === currency));
        if (dropped.length > 0) {
          throw new AppError(409, 'currency_in_use', `Subscriptions to this plan renew in ${dropped.join(', ')}: keep a price in ${dropped.length > 1 ? 'those currencies' : 'that currency'}.`, [
            { path: 'body.prices', message: `must keep a price in ${dropped.join(', ')}` },
          ]);
        }
      }
      try {
        await db.transaction().execute((trx) =>
          repo.updatePlan(
            trx,
            plan.id,
            {
              name: input.name,
              description: input.description,
              included_hours: includedHours,
              included_tickets: includedTickets,
              channels: input.channels,
              private_slack: input.privateSlack,
              private_discord: input.privateDiscord,
              sla_policy_id: input.slaPolicyId,
              active: input.active,
              updated_at: clock.now(),
            },
            input.prices,
          ),
        );
      } catch (error) {
        if (repo.isUniqueViolation(error, 'plans_name_key')) throw conflict(`${repository.full_name} already has a plan named "${input.name}".`, 'plan_exists');
        throw error;
      }
      return presentPlan((await repo.findPlan(db, id))!, repository.full_name);
    },

    /** Active plans for everyone; maintainers (and operators) also see the inactive ones. */
    async list(actor: Actor, fullName: string) {
      const { repo: repository, role, isOperator } = await repos.access(actor, fullName);
      const rows = await repo.listPlans(db, repository.id, role !== null || isOperator);
      return rows.map((row) => presentPlan(row, repository.full_name));
    },
  };
}
