import type { Queryable } from '../../db/database.ts';
import { notFound } from '../../errors.ts';
import { findRepoById } from '../repos/repos.repository.ts';
import { findUserById } from '../users/users.repository.ts';
import { accounts } from '../ledger/accounts.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { Payee } from './payouts.schedule.ts';

/** A payee as its money pages show it: whose account, under which name, in which currency by default. */
export type PayeeView = { payee: Payee; name: string; accountCode: string; defaultCurrency: string | null };

export const payableCode = (payee: Payee) => (payee.type === 'helper' ? accounts.helperPayable(payee.id) : accounts.repoPayable(payee.id));

/**
 * Who may see and manage a payee's money: a helper only their own (it comes from the caller, never from
 * the URL, so another helper's earnings cannot even be named); a repository its maintainers and operators
 * (403 for other users of a listed repository, 404 for an unlisted one, as everywhere for repositories).
 */
export function payeeAccess(repos: ReposService, db: Queryable) {
  /** The view of a payee the caller was already allowed to see. */
  async function view(payee: Payee): Promise<PayeeView> {
    if (payee.type === 'helper') {
      const user = await findUserById(db, payee.id);
      return { payee, name: user ? `${user.display_name} <${user.email}>` : payee.id, accountCode: payableCode(payee), defaultCurrency: null };
    }
    const repo = await findRepoById(db, payee.id);
    return { payee, name: repo?.full_name ?? payee.id, accountCode: payableCode(payee), defaultCurrency: repo?.currency ?? null };
  }

  return {
    view,

    async me(actor: Actor): Promise<PayeeView> {
      return view({ type: 'helper', id: requireUser(actor).userId });
    },

    async repo(actor: Actor, fullName: string): Promise<PayeeView> {
      const { repo } = await repos.requireMaintainer(actor, fullName);
      const payee: Payee = { type: 'repo', id: repo.id };
      return { payee, name: repo.full_name, accountCode: payableCode(payee), defaultCurrency: repo.currency };
    },

    /** A payout's payee, when the caller may see it; 404 otherwise so that payout ids do not leak. */
    async ofPayout(actor: Actor, payee: Payee, payoutId: string): Promise<void> {
      const user = requireUser(actor);
      if (user.isOperator) return;
      if (payee.type === 'helper' && payee.id === user.userId) return;
      if (payee.type === 'repo' && (await repos.maintainedRepoIds(user.userId)).includes(payee.id)) return;
      throw notFound(`The payout ${payoutId}`);
    },
  };
}

export type PayeeAccess = ReturnType<typeof payeeAccess>;
