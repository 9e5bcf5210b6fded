import { sql } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type { Deps } from '../../deps.ts';
import { CACHE_KEYS } from '../../db/notify.ts';
import type { MaintainerRole } from '../../db/types.ts';
import { badRequest, conflict, forbidden, invalidField, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { keptNames, notifiedCache, PER_REPOSITORY } from '../../lib/notified-cache.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { requireOperator, requireUser, type Actor } from '../auth/actor.ts';
import { findUserById } from '../users/users.repository.ts';
import { presentRepo } from './repos.presenter.ts';
import * as repo from './repos.repository.ts';
import type { RegisterRepoInput, SearchInput, UpdateRepoInput } from './repos.schemas.ts';

/** The operator's demand list shows this many of each repository's latest notes. */
const DEMAND_NOTES_SHOWN = 10;

export type RepoAccess = { repo: repo.RepoRow; role: MaintainerRole | null; isOperator: boolean };

export function createReposService(deps: Deps) {
  const { db, clock, config, github, logger, notifications } = deps;
  // Every request on a repository reads it and the caller's role in it: kept until a repository or a
  // maintainer changes (src/db/cache-writes.ts, migration 0024). Repositories by name and roles by user,
  // so that each is read once whatever the pairs of caller and repository.
  const kept = { ...PER_REPOSITORY, clock };
  const reposByName = notifiedCache<repo.RepoRow>(notifications, CACHE_KEYS.repos, kept);
  const rolesByUser = notifiedCache<Map<string, MaintainerRole>>(notifications, CACHE_KEYS.repos, kept);
  const fullNames = keptNames(notifications, CACHE_KEYS.repos, clock, (ids) => repo.fullNamesOf(db, ids));
  const rolesOf = async (userId: string) =>
    (await rolesByUser.get(userId, async () => new Map((await repo.reposMaintainedBy(db, userId)).map((row) => [row.id, row.role] as const)))) ?? new Map<string, MaintainerRole>();

  /**
   * The repository as this actor may see it: verified ones are public; a pending or rejected claim
   * only to its maintainers and operators (404 for everyone else, so claims do not leak).
   */
  async function access(actor: Actor, fullName: string): Promise<RepoAccess> {
    const [row, roles] = await Promise.all([
      reposByName.get(fullName.toLowerCase(), () => repo.findRepoByFullName(db, fullName)),
      actor.kind === 'user' ? rolesOf(actor.userId) : undefined,
    ]);
    if (!row) throw notFound(`The repository ${fullName}`);
    const role = roles?.get(row.id) ?? null;
    const isOperator = actor.kind === 'user' && actor.isOperator;
    if (row.status !== 'verified' && !role && !isOperator) throw notFound(`The repository ${fullName}`);
    return { repo: row, role, isOperator };
  }

  async function requireMaintainer(actor: Actor, fullName: string, roles: MaintainerRole[] = ['owner', 'maintainer']): Promise<RepoAccess> {
    requireUser(actor);
    const found = await access(actor, fullName);
    if (!found.isOperator && (!found.role || !roles.includes(found.role))) {
      throw forbidden(`Only ${roles.join(' or ')}s of ${found.repo.full_name} may do this.`);
    }
    return found;
  }

  async function present(access: RepoAccess) {
    const canSeeDemand = access.role !== null || access.isOperator;
    return presentRepo(access.repo, access.role, canSeeDemand ? await repo.demandFor(db, access.repo.full_name) : null);
  }

  /** When GitHub is configured and the claimant has a GitHub login, ask GitHub who they are on the repository. */
  async function verifiedByGitHub(userId: string, owner: string, name: string): Promise<boolean> {
    if (!github) return false;
    const user = await findUserById(db, userId);
    if (!user?.github_login) return false;
    try {
      const role = await github.roleOf(owner, name, user.github_login);
      return role === 'admin' || role === 'maintain';
    } catch (error) {
      logger.warn({ err: error, owner, name }, 'GitHub permission check failed; the claim waits for an operator');
      return false;
    }
  }

  return {
    /** Repositories' full names by id, kept per process (lists show them beside every row). */
    fullNames,
    access,
    requireMaintainer,

    async register(actor: Actor, input: RegisterRepoInput) {
      const user = requireUser(actor);
      const [owner, name] = input.fullName.split('/');
      if (await repo.findRepoByFullName(db, input.fullName)) {
        throw conflict(`${input.fullName} is already registered. Ask its maintainers to add you.`, 'repo_exists');
      }
      const now = clock.now();
      const viaGitHub = await verifiedByGitHub(user.userId, owner, name);
      const id = newId(now.getTime());
      await db.transaction().execute(async (trx) => {
        // The unique index settles a race between two claimants: the second insert does nothing.
        const inserted = await trx
          .insertInto('repos')
          .values({
            id,
            owner,
            name,
            full_name: input.fullName,
            description: input.description,
            topics: input.topics,
            language: input.language,
            homepage_url: input.homepageUrl ?? null,
            docs_url: input.docsUrl ?? null,
            status: viaGitHub ? 'verified' : 'pending',
            verification_method: viaGitHub ? 'github' : null,
            verified_at: viaGitHub ? now : null,
            verified_by: null,
            commission_bps: config.COMMISSION_BPS_DEFAULT,
            created_by: user.userId,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.expression(sql`lower(full_name)`).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) throw conflict(`${input.fullName} is already registered. Ask its maintainers to add you.`, 'repo_exists');
        await trx.insertInto('repo_maintainers').values({ repo_id: id, user_id: user.userId, role: 'owner', created_at: now }).execute();
      });
      return present(await access(actor, input.fullName));
    },

    async get(actor: Actor, fullName: string) {
      return present(await access(actor, fullName));
    },

    async update(actor: Actor, fullName: string, patch: UpdateRepoInput) {
      const found = await requireMaintainer(actor, fullName);
      if (patch.commissionBps !== undefined && (patch.commissionBps < config.COMMISSION_BPS_MIN || patch.commissionBps > config.COMMISSION_BPS_MAX)) {
        throw invalidField('body.commissionBps', `must be between ${config.COMMISSION_BPS_MIN} and ${config.COMMISSION_BPS_MAX} basis points`);
      }
      const current = found.repo;
      await db
        .updateTable('repos')
        .set({
          description: patch.description,
          topics: patch.topics,
          language: patch.language,
          homepage_url: patch.homepageUrl,
          docs_url: patch.docsUrl,
          offers_ai: patch.offerings?.ai ?? current.offers_ai,
          offers_community: patch.offerings?.community ?? current.offers_community,
          offers_expert: patch.offerings?.expert ?? current.offers_expert,
          currency: patch.currency,
          commission_bps: patch.commissionBps,
          show_helpers: patch.showHelpers,
          updated_at: clock.now(),
        })
        .where('id', '=', current.id)
        .execute();
      return present(await access(actor, fullName));
    },

    async search(input: SearchInput) {
      const cursor = decodeCursor(input.cursor, 2);
      const { rows, keyOf } = await repo.searchDirectory(db, input, cursor, input.limit);
      return toPage(rows, input.limit, keyOf as (row: repo.RepoRow) => unknown[], (row) => presentRepo(row));
    },

    async verify(actor: Actor, fullName: string, decision: 'verified' | 'rejected') {
      const operator = requireOperator(actor);
      const found = await access(actor, fullName);
      if (found.repo.status === decision) return present(found);
      await db
        .updateTable('repos')
        .set({
          status: decision,
          verification_method: decision === 'verified' ? 'operator' : null,
          verified_at: decision === 'verified' ? clock.now() : null,
          verified_by: operator.userId,
          updated_at: clock.now(),
        })
        .where('id', '=', found.repo.id)
        .execute();
      return present(await access(actor, fullName));
    },

    async listClaims(actor: Actor) {
      requireOperator(actor);
      const rows = await db.selectFrom('repos').select(repo.REPO_COLUMNS).where('status', '=', 'pending').orderBy('created_at').limit(200).execute();
      return Promise.all(rows.map(async (row) => presentRepo(row, null, await repo.demandFor(db, row.full_name))));
    },

    async addMaintainer(actor: Actor, fullName: string, email: string, role: MaintainerRole) {
      const found = await requireMaintainer(actor, fullName, ['owner']);
      const user = await db.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
      if (!user) throw badRequest(`No Backline user has the email ${email}; ask them to sign in once first.`, [{ path: 'body.email', message: 'unknown user' }]);
      await db
        .insertInto('repo_maintainers')
        .values({ repo_id: found.repo.id, user_id: user.id, role, created_at: clock.now() })
        .onConflict((oc) => oc.columns(['repo_id', 'user_id']).doUpdateSet({ role }))
        .execute();
      return listMaintainers(found.repo.id);
    },

    /** Ids of the repositories this user maintains, for the access rules of other modules. */
    async maintainedRepoIds(userId: string): Promise<string[]> {
      return [...(await rolesOf(userId)).keys()];
    },

    /** The same ids as a subquery, for another module's statement (see IdSubquery). */
    maintainedRepoIdsQuery: (userId: string) => repo.maintainedRepoIdsQuery(db, userId),

    /** For notices without a person acting (SLA warnings); pass the transaction you are in. */
    maintainerContacts: (scope: Queryable, repoId: string) => repo.maintainerContacts(scope, repoId),

    async maintainers(actor: Actor, fullName: string) {
      const found = await requireMaintainer(actor, fullName);
      return listMaintainers(found.repo.id);
    },

    /** A business asks for a repository that is not on the platform yet; each asker counts once. */
    async requestOnboarding(actor: Actor, input: { fullName: string; note: string; orgId: string | null }) {
      const user = requireUser(actor);
      const listed = await repo.findRepoByFullName(db, input.fullName);
      if (listed?.status === 'verified') {
        throw conflict(`${listed.full_name} is already listed; open a ticket there instead.`, 'repo_listed');
      }
      const now = clock.now();
      const id = newId(now.getTime());
      const already = await db
        .selectFrom('onboarding_requests')
        .select('id')
        .where((eb) => eb(eb.fn('lower', ['full_name']), '=', input.fullName.toLowerCase()))
        .where('requested_by', '=', user.userId)
        .executeTakeFirst();
      if (!already) {
        await db
          .insertInto('onboarding_requests')
          .values({ id, full_name: input.fullName, requested_by: user.userId, org_id: input.orgId, email: user.email, note: input.note, created_at: now })
          .execute()
          .catch((error) => {
            if ((error as { code?: string }).code !== '23505') throw error; // the same person asking twice at once counts once
          });
      }
      return { id: already?.id ?? id, fullName: input.fullName, demand: await repo.demandFor(db, input.fullName) };
    },

    async demandList(actor: Actor) {
      requireOperator(actor);
      const rows = await db
        .selectFrom('onboarding_requests')
        .select((eb) => [
          eb.fn.max('full_name').as('full_name'),
          eb.fn.count<number>('id').distinct().as('requests'),
          eb.fn.count<number>('org_id').distinct().as('organizations'),
          eb.fn.max('created_at').as('last_requested_at'),
          // What the people asking wrote, newest first: why they need it is what an operator weighs.
          sql<string[]>`coalesce(array_agg(note order by created_at desc) filter (where note <> ''), '{}')`.as('notes'),
        ])
        .groupBy((eb) => eb.fn('lower', ['full_name']))
        .orderBy('requests', 'desc')
        .limit(500)
        .execute();
      return rows.map((row) => ({
        fullName: row.full_name,
        requests: Number(row.requests),
        organizations: Number(row.organizations),
        lastRequestedAt: new Date(row.last_requested_at).toISOString(),
        notes: row.notes.slice(0, DEMAND_NOTES_SHOWN),
      }));
    },
  };

  async function listMaintainers(repoId: string) {
    return db
      .selectFrom('repo_maintainers')
      .innerJoin('users', 'users.id', 'repo_maintainers.user_id')
      .select(['users.id', 'users.display_name', 'users.github_login', 'repo_maintainers.role'])
      .where('repo_id', '=', repoId)
      .orderBy('repo_maintainers.created_at')
      .execute();
  }
}

export type ReposService = ReturnType<typeof createReposService>;
