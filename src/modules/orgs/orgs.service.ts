import type { Selectable } from 'kysely';
import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { anyId, type IdSubquery, type Tx } from '../../db/database.ts';
import { CACHE_KEYS } from '../../db/notify.ts';
import type { OrgRole, OrgsTable } from '../../db/types.ts';
import { AppError, conflict, forbidden, notFound } from '../../errors.ts';
import { DAY } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { keptNames } from '../../lib/notified-cache.ts';
import { hashSecret, newSecret } from '../../lib/secrets.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import { queueEmail } from '../mail/mail.service.ts';
import type { CreateOrgInput, UpdateOrgInput } from './orgs.schemas.ts';

const INVITATION_TTL_DAYS = 14;

type Membership = { org: Selectable<OrgsTable>; role: OrgRole | null };

function billingColumns(input: Partial<CreateOrgInput>) {
  return {
    legal_name: input.legalName,
    address_line1: input.addressLine1,
    address_line2: input.addressLine2,
    postal_code: input.postalCode,
    city: input.city,
    region: input.region,
    country: input.country,
    vat_id: input.vatId,
    po_number_default: input.poNumberDefault,
    billing_email: input.billingEmail,
  };
}

export function createOrgsService(deps: Deps) {
  const { db, clock, config, notifications } = deps;
  const slugs = keptNames(
    notifications,
    CACHE_KEYS.orgs,
    clock,
    (ids) => db.selectFrom('orgs').select(['id', 'slug as name']).where('id', '=', anyId(ids)).execute(),
  );

  /** The organization as a member sees it; anyone else (operators aside) gets a 404. */
  async function requireMember(actor: Actor, slug: string): Promise<Membership> {
    const user = requireUser(actor);
    const org = await db.selectFrom('orgs').selectAll().where('slug', '=', slug.toLowerCase()).executeTakeFirst();
    if (!org) throw notFound(`The organization ${slug}`);
    const member = await db
      .selectFrom('org_members')
      .select('role')
      .where('org_id', '=', org.id)
      .where('user_id', '=', user.userId)
      .executeTakeFirst();
    if (!member && !user.isOperator) throw notFound(`The organization ${slug}`);
    return { org, role: member?.role ?? null };
  }

  async function requireAdmin(actor: Actor, slug: string): Promise<Membership> {
    const membership = await requireMember(actor, slug);
    if (membership.role !== 'admin' && !(actor.kind === 'user' && actor.isOperator)) {
      throw forbidden(`Only admins of ${membership.org.name} may do this.`);
    }
    return membership;
  }

  async function adminCount(trx: Tx, orgId: string): Promise<number> {
    const row = await trx
      .selectFrom('org_members')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('org_id', '=', orgId)
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * Runs a change to the organization's members with the organization row locked, so that changes
   * are serialized: checked one after the other, two admins stepping down at once cannot both pass
   * the last-admin check, and an admin demoted meanwhile can no longer act as one.
   */
  async function changeMembers<T>(actor: Actor, org: Selectable<OrgsTable>, asAdmin: boolean, change: (trx: Tx) => Promise<T>): Promise<T> {
    const user = requireUser(actor);
    return db.transaction().execute(async (trx) => {
      await trx.selectFrom('orgs').select('id').where('id', '=', org.id).forUpdate().executeTakeFirstOrThrow();
      if (asAdmin && !user.isOperator) {
        const own = await trx.selectFrom('org_members').select('role').where('org_id', '=', org.id).where('user_id', '=', user.userId).executeTakeFirst();
        if (own?.role !== 'admin') throw forbidden(`Only admins of ${org.name} may do this.`);
      }
      return change(trx);
    });
  }

  const lastAdmin = () => conflict('An organization keeps at least one admin; make someone else admin first.', 'last_admin');

  return {
    /** Organizations' slugs by id, kept per process (lists show them beside every row). */
    slugs,
    requireMember,
    requireAdmin,

    async create(actor: Actor, input: CreateOrgInput) {
      const user = requireUser(actor);
      const now = clock.now();
      const id = newId(now.getTime());
      await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('orgs')
          .values({ id, slug: input.slug, name: input.name, ...billingColumns(input), created_at: now, updated_at: now } as never)
          .onConflict((oc) => oc.column('slug').doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) throw conflict(`The slug ${input.slug} is taken; choose another.`, 'slug_taken');
        await trx.insertInto('org_members').values({ org_id: id, user_id: user.userId, role: 'admin', created_at: now }).execute();
      });
      return requireMember(actor, input.slug);
    },

    async update(actor: Actor, slug: string, input: UpdateOrgInput) {
      const { org } = await requireAdmin(actor, slug);
      await db
        .updateTable('orgs')
        .set({ name: input.name, ...billingColumns(input), updated_at: clock.now() })
        .where('id', '=', org.id)
        .execute();
      return requireMember(actor, slug);
    },

    async mine(actor: Actor) {
      const user = requireUser(actor);
      return db
        .selectFrom('org_members')
        .innerJoin('orgs', 'orgs.id', 'org_members.org_id')
        .selectAll('orgs')
        .select('org_members.role')
        .where('org_members.user_id', '=', user.userId)
        .orderBy('orgs.name')
        .execute();
    },

    /** The organizations a user is an admin of, as a subquery for another module's statement (see IdSubquery). */
    adminOrgIdsQuery(userId: string): IdSubquery {
      return db.selectFrom('org_members').select('org_id as id').where('user_id', '=', userId).where('role', '=', 'admin');
    },

    async members(actor: Actor, slug: string) {
      const { org } = await requireMember(actor, slug);
      return db
        .selectFrom('org_members')
        .innerJoin('users', 'users.id', 'org_members.user_id')
        .select(['users.id', 'users.email', 'users.display_name', 'org_members.role', 'org_members.created_at'])
        .where('org_members.org_id', '=', org.id)
        .orderBy('org_members.created_at')
        .execute();
    },

    async setMemberRole(actor: Actor, slug: string, userId: string, role: OrgRole) {
      const { org } = await requireAdmin(actor, slug);
      await changeMembers(actor, org, true, async (trx) => {
        const current = await trx.selectFrom('org_members').select('role').where('org_id', '=', org.id).where('user_id', '=', userId).executeTakeFirst();
        if (!current) throw notFound('The member');
        if (current.role === 'admin' && role !== 'admin' && (await adminCount(trx, org.id)) === 1) throw lastAdmin();
        await trx.updateTable('org_members').set({ role }).where('org_id', '=', org.id).where('user_id', '=', userId).execute();
      });
    },

    async removeMember(actor: Actor, slug: string, userId: string) {
      const user = requireUser(actor);
      // Members may leave on their own; removing someone else takes an admin.
      const leaving = userId === user.userId;
      const { org } = leaving ? await requireMember(actor, slug) : await requireAdmin(actor, slug);
      await changeMembers(actor, org, !leaving, async (trx) => {
        const current = await trx.selectFrom('org_members').select('role').where('org_id', '=', org.id).where('user_id', '=', userId).executeTakeFirst();
        if (!current) throw notFound('The member');
        if (current.role === 'admin' && (await adminCount(trx, org.id)) === 1) throw lastAdmin();
        await trx.deleteFrom('org_members').where('org_id', '=', org.id).where('user_id', '=', userId).execute();
      });
    },

    async invite(actor: Actor, slug: string, email: string, role: OrgRole) {
      const { org } = await requireAdmin(actor, slug);
      const inviter = requireUser(actor);
      const now = clock.now();
      const token = newSecret('bli');
      const id = newId(now.getTime());
      const expiresAt = new Date(now.getTime() + INVITATION_TTL_DAYS * DAY);
      await db.transaction().execute(async (trx) => {
        // A new invitation to the same address replaces the open one.
        await trx
          .updateTable('org_invitations')
          .set({ revoked_at: now })
          .where('org_id', '=', org.id)
          .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
          .where('accepted_at', 'is', null)
          .where('revoked_at', 'is', null)
          .execute();
        await trx
          .insertInto('org_invitations')
          .values({ id, org_id: org.id, email, role, token_hash: hashSecret(token), invited_by: inviter.userId, expires_at: expiresAt, accepted_at: null, revoked_at: null, created_at: now })
          .execute();
        await queueEmail(trx, clock, {
          to: email,
          subject: `You are invited to ${org.name} on Backline`,
          text: `${inviter.email} invited you to join ${org.name} on Backline as ${role}.\n\nAccept: ${publicUrl(config)}/invitations/accept?token=${token}\n\nThe invitation works for ${INVITATION_TTL_DAYS} days.`,
        });
      });
      return { id, email, role, expiresAt: expiresAt.toISOString(), token };
    },

    /** The invitation is bound to its email: the signed-in user must own that address. */
    async acceptInvitation(actor: Actor, token: string) {
      const user = requireUser(actor);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const invitation = await trx
          .selectFrom('org_invitations')
          .innerJoin('orgs', 'orgs.id', 'org_invitations.org_id')
          .select(['org_invitations.id', 'org_invitations.email', 'org_invitations.role', 'org_invitations.org_id', 'orgs.slug'])
          .where('token_hash', '=', hashSecret(token))
          .where('accepted_at', 'is', null)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .forUpdate()
          .executeTakeFirst();
        if (!invitation) throw new AppError(400, 'invitation_invalid', 'This invitation is unknown, used, revoked or expired; ask for a new one.');
        if (invitation.email.toLowerCase() !== user.email.toLowerCase()) {
          throw forbidden(`This invitation is for ${invitation.email}; sign in with that address to accept it.`);
        }
        await trx.updateTable('org_invitations').set({ accepted_at: now }).where('id', '=', invitation.id).execute();
        await trx
          .insertInto('org_members')
          .values({ org_id: invitation.org_id, user_id: user.userId, role: invitation.role, created_at: now })
          .onConflict((oc) => oc.columns(['org_id', 'user_id']).doNothing())
          .execute();
        return invitation.slug;
      });
    },
  };
}

export type OrgsService = ReturnType<typeof createOrgsService>;
