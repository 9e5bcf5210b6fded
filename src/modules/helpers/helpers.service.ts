import { publicUrl } from '../../config.ts';
import type { Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import type { HelperStatus } from '../../db/types.ts';
import { conflict, notFound } from '../../errors.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import { queueEmail } from '../mail/mail.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import { findOrCreateUser } from '../users/users.repository.ts';
import * as repo from './helpers.repository.ts';

/**
 * The helper roster of a repository. A helper row moves:
 * applied -> approved | rejected; invited -> approved (the invitee accepts) | rejected;
 * approved -> removed; rejected | removed -> applied (apply again) or approved (maintainer changes their mind).
 */
export function createHelpersService(deps: Deps, repos: ReposService) {
  const { db, clock, config } = deps;

  async function setStatus(q: Queryable, repoId: string, userId: string, status: HelperStatus, decidedBy: string | null, note?: string) {
    const now = clock.now();
    await q
      .updateTable('repo_helpers')
      .set({ status, decided_by: decidedBy, decided_at: decidedBy ? now : null, decision_note: note ?? null, updated_at: now })
      .where('repo_id', '=', repoId)
      .where('user_id', '=', userId)
      .execute();
  }

  async function emailMaintainers(q: Queryable, repoId: string, subject: string, text: string, dedupeKey: string) {
    const maintainers = await q
      .selectFrom('repo_maintainers')
      .innerJoin('users', 'users.id', 'repo_maintainers.user_id')
      .select(['users.id', 'users.email'])
      .where('repo_id', '=', repoId)
      .execute();
    for (const maintainer of maintainers) {
      await queueEmail(q, clock, { to: maintainer.email, subject, text, dedupeKey: `${dedupeKey}:${maintainer.id}` });
    }
  }

  async function decide(actor: Actor, fullName: string, userId: string, to: 'approved' | 'rejected' | 'removed', note?: string) {
    const { repo: repository } = await repos.requireMaintainer(actor, fullName);
    const maintainer = requireUser(actor);
    const helper = await repo.findHelper(db, repository.id, userId);
    if (!helper) throw notFound('The helper application');
    const allowed: Record<typeof to, HelperStatus[]> = {
      approved: ['applied', 'invited', 'rejected', 'removed', 'approved'],
      rejected: ['applied', 'invited', 'rejected'],
      removed: ['approved', 'removed'],
    };
    if (!allowed[to].includes(helper.status)) {
      throw conflict(`This helper is ${helper.status}; they cannot be ${to} from there.`, 'invalid_helper_transition');
    }
    if (helper.status !== to) {
      // The change and the email telling the helper commit together (the email is a job).
      await db.transaction().execute(async (trx) => {
        await setStatus(trx, repository.id, userId, to, maintainer.userId, note);
        const user = await trx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow();
        const words = { approved: 'approved you as a helper', rejected: 'declined your helper application', removed: 'removed you from the helpers' }[to];
        await queueEmail(trx, clock, {
          to: user.email,
          subject: `${repository.full_name}: ${words}`,
          text: `The maintainers of ${repository.full_name} ${words}.${note ? `\n\nTheir note: ${note}` : ''}${to === 'approved' ? `\n\nYour queue: ${publicUrl(config)}/helper` : ''}`,
          dedupeKey: `helper-${to}:${repository.id}:${userId}:${clock.now().getTime()}`,
        });
      });
    }
    return present(repository.id, userId, true);
  }

  async function present(repoId: string, userId: string, forMaintainer: boolean) {
    const rows = await repo.listHelpers(db, repoId, ['applied', 'invited', 'approved', 'rejected', 'removed']);
    const row = rows.find((candidate) => candidate.user_id === userId);
    if (!row) throw notFound('The helper');
    return presentHelper(row, forMaintainer);
  }

  return {
    async apply(actor: Actor, fullName: string, input: { pitch: string; links: string[] }) {
      const user = requireUser(actor);
      const { repo: repository } = await repos.access(actor, fullName);
      if (repository.status !== 'verified') throw notFound(`The repository ${fullName}`);
      const existing = await repo.findHelper(db, repository.id, user.userId);
      if (existing?.status === 'approved') throw conflict(`You are already an approved helper of ${repository.full_name}.`, 'already_helper');
      if (existing?.status === 'applied') throw conflict(`Your application to ${repository.full_name} is waiting for the maintainers.`, 'already_applied');
      const now = clock.now();
      // An invited user who applies takes the invitation up: the maintainers already said yes.
      const status: HelperStatus = existing?.status === 'invited' ? 'approved' : 'applied';
      // The application and the emails to the maintainers commit together.
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('repo_helpers')
          .values({ repo_id: repository.id, user_id: user.userId, status, pitch: input.pitch, links: input.links, invited_by: null, decided_by: null, decided_at: null, decision_note: null, created_at: now, updated_at: now })
          // Applying again after a rejection or removal is a new application: the old decision goes.
          .onConflict((oc) =>
            oc.columns(['repo_id', 'user_id']).doUpdateSet(
              status === 'applied'
                ? { status, pitch: input.pitch, links: input.links, decided_by: null, decided_at: null, decision_note: null, updated_at: now }
                : { status, pitch: input.pitch, links: input.links, updated_at: now },
            ),
          )
          .execute();
        if (status === 'applied') {
          await emailMaintainers(
            trx,
            repository.id,
            `${repository.full_name}: ${user.email} applied to help`,
            `${user.email} applied to help with ${repository.full_name}:\n\n${input.pitch}\n\n${input.links.join('\n')}\n\nReview: ${publicUrl(config)}/maintain/${repository.full_name}/helpers`,
            `helper-applied:${repository.id}:${user.userId}:${now.getTime()}`,
          );
        }
      });
      return present(repository.id, user.userId, false);
    },

    async invite(actor: Actor, fullName: string, email: string, note: string) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const maintainer = requireUser(actor);
      const now = clock.now();
      const invitee = await findOrCreateUser(db, now, { email });
      const existing = await repo.findHelper(db, repository.id, invitee.id);
      if (existing?.status === 'approved') throw conflict(`${email} is already an approved helper.`, 'already_helper');
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('repo_helpers')
          .values({ repo_id: repository.id, user_id: invitee.id, status: 'invited', pitch: '', links: [], invited_by: maintainer.userId, decided_by: null, decided_at: null, decision_note: null, created_at: now, updated_at: now })
          .onConflict((oc) => oc.columns(['repo_id', 'user_id']).doUpdateSet({ status: 'invited', invited_by: maintainer.userId, updated_at: now }))
          .execute();
        await queueEmail(trx, clock, {
          to: email,
          subject: `Help support ${repository.full_name} on Backline`,
          text: `The maintainers of ${repository.full_name} invite you to help their users, paid per ticket or session.${note ? `\n\n${note}` : ''}\n\nAccept: ${publicUrl(config)}/s/${repository.full_name}/help`,
          dedupeKey: `helper-invited:${repository.id}:${invitee.id}:${now.getTime()}`,
        });
      });
      return present(repository.id, invitee.id, true);
    },

    async acceptInvitation(actor: Actor, fullName: string) {
      const user = requireUser(actor);
      const { repo: repository } = await repos.access(actor, fullName);
      const existing = await repo.findHelper(db, repository.id, user.userId);
      if (!existing || existing.status !== 'invited') throw notFound('An open helper invitation for you');
      await setStatus(db, repository.id, user.userId, 'approved', existing.invited_by);
      return present(repository.id, user.userId, false);
    },

    approve: (actor: Actor, fullName: string, userId: string, note?: string) => decide(actor, fullName, userId, 'approved', note),
    reject: (actor: Actor, fullName: string, userId: string, note?: string) => decide(actor, fullName, userId, 'rejected', note),
    remove: (actor: Actor, fullName: string, userId: string, note?: string) => decide(actor, fullName, userId, 'removed', note),

    /** Maintainers see every application with its pitch; everyone else sees approved helpers, if the repository shows them. */
    async list(actor: Actor, fullName: string, status?: HelperStatus) {
      const access = await repos.access(actor, fullName);
      const isMaintainer = access.role !== null || access.isOperator;
      if (!isMaintainer) {
        if (!access.repo.show_helpers) return [];
        const rows = await repo.listHelpers(db, access.repo.id, ['approved']);
        return rows.map((row) => presentHelper(row, false));
      }
      const rows = await repo.listHelpers(db, access.repo.id, status ? [status] : ['applied', 'invited', 'approved', 'rejected', 'removed']);
      return rows.map((row) => presentHelper(row, true));
    },

    async isApproved(repoId: string, userId: string): Promise<boolean> {
      return (await repo.findHelper(db, repoId, userId))?.status === 'approved';
    },

    async approvedHelpers(repoId: string) {
      return repo.listHelpers(db, repoId, ['approved']);
    },

    approvedRepoIds: (userId: string) => repo.approvedRepoIds(db, userId),
    /** The same ids as a subquery, for another module's statement (see IdSubquery). */
    approvedRepoIdsQuery: (userId: string, onlyRepoId?: string) => repo.approvedRepoIdsQuery(db, userId, onlyRepoId),
  };
}

function presentHelper(row: Awaited<ReturnType<typeof repo.listHelpers>>[number], forMaintainer: boolean) {
  return {
    userId: row.user_id,
    displayName: row.display_name,
    githubLogin: row.github_login,
    status: row.status,
    pitch: forMaintainer ? row.pitch : null,
    links: row.links,
    decidedAt: row.decided_at ? row.decided_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
  };
}

export type HelpersService = ReturnType<typeof createHelpersService>;
