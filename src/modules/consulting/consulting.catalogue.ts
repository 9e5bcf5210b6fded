import type { Deps } from '../../deps.ts';
import { conflict, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { ReposService } from '../repos/repos.service.ts';
import { presentService } from './consulting.presenter.ts';
import * as repo from './consulting.repository.ts';
import type { CreateServiceInput, UpdateServiceInput } from './consulting.schemas.ts';

/** A repository's consulting services (architecture review, code review, …): maintainers manage them. */
export function consultingCatalogue(deps: Deps, repos: ReposService) {
  const { db, clock } = deps;

  return {
    async create(actor: Actor, fullName: string, input: CreateServiceInput) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const user = requireUser(actor);
      const now = clock.now();
      const id = newId(now.getTime());
      try {
        await db.transaction().execute((trx) =>
          repo.insertService(
            trx,
            { id, repo_id: repository.id, name: input.name, description: input.description, typical_hours: input.typicalHours, active: input.active, created_by: user.userId, created_at: now, updated_at: now },
            input.rates.map((rate) => ({ service_id: id, currency: rate.currency, hourly_rate: rate.hourlyRate })),
          ),
        );
      } catch (error) {
        if (repo.isUniqueViolation(error, 'consulting_services_name_key')) throw conflict(`${repository.full_name} already offers a service named "${input.name}".`, 'service_exists');
        throw error;
      }
      return presentService((await repo.findService(db, id))!, repository.full_name);
    },

    async update(actor: Actor, fullName: string, id: string, input: UpdateServiceInput) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const existing = await repo.findService(db, id);
      // Another repository's service is as unknown here as one that does not exist.
      if (!existing || existing.repo_id !== repository.id) throw notFound('The consulting service');
      try {
        await db.transaction().execute((trx) =>
          repo.updateService(
            trx,
            id,
            { name: input.name, description: input.description, typical_hours: input.typicalHours, active: input.active, updated_at: clock.now() },
            input.rates?.map((rate) => ({ service_id: id, currency: rate.currency, hourly_rate: rate.hourlyRate })),
          ),
        );
      } catch (error) {
        if (repo.isUniqueViolation(error, 'consulting_services_name_key')) throw conflict(`${repository.full_name} already offers a service named "${input.name}".`, 'service_exists');
        throw error;
      }
      return presentService((await repo.findService(db, id))!, repository.full_name);
    },

    /** Active services for everyone; maintainers (and operators) see inactive ones too. */
    async list(actor: Actor, fullName: string) {
      const { repo: repository, role, isOperator } = await repos.access(actor, fullName);
      return (await repo.listServices(db, repository.id, role !== null || isOperator)).map((row) => presentService(row, repository.full_name));
    },
  };
}
