import type { Deps } from '../../deps.ts';
import type { Actor } from '../auth/actor.ts';
import type { ReposService } from '../repos/repos.service.ts';
import * as repo from './releases.repository.ts';
import type { PutWindowsInput } from './releases.schemas.ts';
import type { WindowView } from './releases.ticket-view.ts';

function present(fullName: string, rows: WindowView[]) {
  return {
    repo: fullName,
    items: rows.map((row) => ({
      major: row.major,
      generalSupport: { from: row.general_from, until: row.general_until },
      technicalGuidance: row.guidance_from ? { from: row.guidance_from, until: row.guidance_until } : null,
      upgradePath: row.upgrade_path,
    })),
  };
}

/** Release support windows per major version: public for a listed repository, set by its maintainers. */
export function createReleasesService(deps: Deps, repos: ReposService) {
  const { db, clock } = deps;
  return {
    async get(actor: Actor, fullName: string) {
      const { repo: repository } = await repos.access(actor, fullName);
      return present(repository.full_name, await repo.listWindows(db, repository.id));
    },

    async replace(actor: Actor, fullName: string, input: PutWindowsInput) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      await db.transaction().execute((trx) => repo.replaceWindows(trx, repository.id, input.windows, clock.now()));
      return present(repository.full_name, await repo.listWindows(db, repository.id));
    },
  };
}

export type ReleasesService = ReturnType<typeof createReleasesService>;
