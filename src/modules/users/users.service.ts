import type { Deps } from '../../deps.ts';
import { CACHE_KEYS } from '../../db/notify.ts';
import { notFound } from '../../errors.ts';
import { keptNames } from '../../lib/notified-cache.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import { displayNamesOf, findMe } from './users.repository.ts';

export type ProfilePatch = { displayName?: string; timeZone?: string };

export function createUsersService(deps: Deps) {
  const { db, clock, notifications } = deps;
  const displayNames = keptNames(notifications, CACHE_KEYS.userNames, clock, (ids) => displayNamesOf(db, ids));

  async function me(actor: Actor) {
    const { userId } = requireUser(actor);
    const found = await findMe(db, userId);
    if (!found) throw notFound('Your account');
    const { orgs, maintains, helps, ...user } = found;
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
