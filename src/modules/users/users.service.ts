import type { Deps } from '../../deps.ts';
import { notFound } from '../../errors.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import { findUserById } from './users.repository.ts';

export type ProfilePatch = { displayName?: string; timeZone?: string };

export function createUsersService(deps: Deps) {
  const { db, clock } = deps;

  async function me(actor: Actor) {
    const { userId } = requireUser(actor);
    const user = await findUserById(db, userId);
    if (!user) throw notFound('Your account');
    const [orgs, maintains, helps] = await Promise.all([
      db.selectFrom('org_members').innerJoin('orgs', 'orgs.id', 'org_members.org_id').select(['orgs.slug', 'orgs.name', 'org_members.role']).where('user_id', '=', userId).orderBy('orgs.name').execute(),
      db.selectFrom('repo_maintainers').innerJoin('repos', 'repos.id', 'repo_maintainers.repo_id').select(['repos.full_name', 'repo_maintainers.role']).where('user_id', '=', userId).orderBy('repos.full_name').execute(),
      db.selectFrom('repo_helpers').innerJoin('repos', 'repos.id', 'repo_helpers.repo_id').select(['repos.full_name', 'repo_helpers.status']).where('user_id', '=', userId).orderBy('repos.full_name').execute(),
    ]);
    return { user, orgs, maintains, helps };
  }

  return {
    me,
    async updateProfile(actor: Actor, patch: ProfilePatch) {
      const { userId } = requireUser(actor);
      await db
        .updateTable('users')
        .set({ display_name: patch.displayName, time_zone: patch.timeZone, updated_at: clock.now() })
        .where('id', '=', userId)
        .execute();
      return me(actor);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
