import type { Selectable } from 'kysely';
import type { Database, Queryable } from '../../db/database.ts';
import type { PayoutAccountStatus, PayoutAccountsTable } from '../../db/types.ts';
import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { Stripe } from './client.ts';
import type { StripeConnect } from './provider.ts';

/**
 * Connected accounts (Connect Express) that helpers and repositories are paid into. The row is written
 * when the account is created; its status follows Stripe's account.updated events.
 */
export type PayoutAccount = Selectable<PayoutAccountsTable>;
export type PayoutOwner = { type: 'helper' | 'repo'; id: string };

export function findPayoutAccount(db: Queryable, owner: PayoutOwner): Promise<PayoutAccount | undefined> {
  return db
    .selectFrom('payout_accounts')
    .selectAll()
    .where('owner_type', '=', owner.type)
    .where('owner_id', '=', owner.id)
    .where('provider', '=', 'stripe')
    .executeTakeFirst();
}

export async function setPayoutAccountStatus(db: Queryable, providerAccountId: string, status: PayoutAccountStatus): Promise<void> {
  await db.updateTable('payout_accounts').set({ status }).where('provider', '=', 'stripe').where('provider_account_id', '=', providerAccountId).execute();
}

/** Active once Stripe lets it receive transfers and pay out; restricted when onboarding was done but Stripe needs more. */
export function payoutAccountStatus(account: Stripe.Account): PayoutAccountStatus {
  if (account.capabilities?.transfers === 'active' && account.payouts_enabled) return 'active';
  return account.details_submitted ? 'restricted' : 'pending';
}

/**
 * The owner's connected account (created on first use) and a fresh onboarding link into it. The
 * idempotency key is the owner, so two clicks at once still make one account at Stripe, and the
 * unique (owner, provider) row keeps one here.
 */
export async function startOnboarding(
  deps: { db: Database; clock: Clock; connect: StripeConnect },
  request: { owner: PayoutOwner; email: string; country?: string; refreshUrl: string; returnUrl: string },
): Promise<{ account: PayoutAccount; url: string }> {
  const { db, clock, connect } = deps;
  let account = await findPayoutAccount(db, request.owner);
  if (!account) {
    const { providerAccountId } = await connect.createConnectedAccount(request.email, request.country, `payout-account:${request.owner.type}:${request.owner.id}`);
    const now = clock.now();
    await db
      .insertInto('payout_accounts')
      .values({ id: newId(now.getTime()), owner_type: request.owner.type, owner_id: request.owner.id, provider: 'stripe', provider_account_id: providerAccountId, status: 'pending', created_at: now })
      // No conflict target: two starts at once insert the same Stripe account for the same owner, and the
      // second may collide on (provider, provider_account_id) before (owner, provider) tells it to stand
      // aside; PostgreSQL only forgives a conflict on the target's index.
      .onConflict((oc) => oc.doNothing())
      .execute();
    account = await findPayoutAccount(db, request.owner);
    if (!account) throw new Error(`The Stripe account ${providerAccountId} is already linked to another owner than ${request.owner.type} ${request.owner.id}`);
  }
  const url = await connect.onboardingLink(account.provider_account_id, request.refreshUrl, request.returnUrl);
  return { account, url };
}
