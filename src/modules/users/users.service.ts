import type { Deps } from '../../deps.ts';
import { CACHE_KEYS } from '../../db/notify.ts';
import { notFound } from '../../errors.ts';
import { keptNames } from '../../lib/notified-cache.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import { displayNamesOf, findUserById } from './users.repository.ts';

export type ProfilePatch = { displayName?: string; timeZone?: string };

export function createUsersService(deps: Deps) {
  const { db, clock, notifications } = deps;
  const displayNames = keptNames(notifications, CACHE_KEYS.userNames, (ids) => displayNamesOf(db, ids), () => clock.now().getTime());

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
    /** Users' display names by id, kept per process (lists show them beside every row). */
    displayNames,
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
