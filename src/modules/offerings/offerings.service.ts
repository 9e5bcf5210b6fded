import type { Queryable } from '../../db/database.ts';
import type { OfferingKind } from '../../db/types.ts';
import type { Deps } from '../../deps.ts';
import { AppError, conflict, forbidden, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { HelpersService } from '../helpers/helpers.service.ts';
import type { RepoAccess, ReposService } from '../repos/repos.service.ts';
import type { SessionPrice } from './offerings.pricing.ts';
import { presentOffering, presentRate } from './offerings.presenter.ts';
import * as repo from './offerings.repository.ts';
import type { CreateOfferingInput, MyRateInput, PriceInput, UpdateOfferingInput } from './offerings.schemas.ts';
import { checkedHelperRate, priceIssues, validationFailed } from './offerings.validation.ts';

/** What a customer pays for an offering in one currency; `source` says whether a helper's own rate applied. */
export type EffectivePrice =
  | { kind: 'fixed'; currency: string; price: number; source: 'helper' | 'offering' }
  | ({ kind: 'session'; currency: string; source: 'helper' | 'offering' } & SessionPrice);

type Viewer = { access: RepoAccess; isMaintainer: boolean; helperId: string | null };

function priceRows(offeringId: string, kind: OfferingKind, prices: PriceInput[]): repo.PriceRow[] {
  if (kind === 'quote') return []; // priceIssues refuses prices on a quote before this is reached
  return prices.map((price) => ({
    offering_id: offeringId,
    kind,
    currency: price.currency,
    price: price.price ?? null,
    initial_fee: price.initialFee ?? null,
    per_minute_rate: price.perMinuteRate ?? null,
    minimum_minutes: price.minimumMinutes ?? null,
    rate_min: price.bounds?.min ?? null,
    rate_max: price.bounds?.max ?? null,
  }));
}

function priceInput(row: repo.PriceRow): PriceInput {
  return {
    currency: row.currency,
    price: row.price ?? undefined,
    initialFee: row.initial_fee ?? undefined,
    perMinuteRate: row.per_minute_rate ?? undefined,
    minimumMinutes: row.minimum_minutes ?? undefined,
    bounds: row.rate_min === null || row.rate_max === null ? null : { min: row.rate_min, max: row.rate_max },
  };
}

export function createOfferingsService(deps: Deps, repos: ReposService, helpers: HelpersService) {
  const { db, clock } = deps;

  async function viewer(actor: Actor, fullName: string): Promise<Viewer> {
    const access = await repos.access(actor, fullName);
    const isMaintainer = access.role !== null || access.isOperator;
    const helperId = actor.kind === 'user' && (await helpers.isApproved(access.repo.id, actor.userId)) ? actor.userId : null;
    return { access, isMaintainer, helperId };
  }

  /** An offering under this repository's path; an inactive one exists for maintainers only. */
  async function visibleOffering(who: Viewer, id: string): Promise<repo.OfferingRow> {
    const row = await repo.findOffering(db, who.access.repo.id, id);
    if (!row || (!row.active && !who.isMaintainer)) throw notFound('The offering');
    return row;
  }

  async function requireHelper(actor: Actor, fullName: string, id: string) {
    const user = requireUser(actor);
    const who = await viewer(actor, fullName);
    const offering = await visibleOffering(who, id);
    if (!who.helperId) throw forbidden(`Only approved helpers of ${who.access.repo.full_name} have rates of their own.`);
    return { user, offering };
  }

  async function present(rows: repo.OfferingRow[], showBounds: boolean) {
    const prices = await repo.pricesOf(db, rows.map((row) => row.id));
    return rows.map((row) => presentOffering(row, prices.filter((price) => price.offering_id === row.id), showBounds));
  }

  async function presentById(repoId: string, id: string) {
    const row = await repo.findOffering(db, repoId, id);
    if (!row) throw notFound('The offering');
    return (await present([row], true))[0];
  }

  return {
    /** Customers see active offerings; maintainers every one; maintainers and approved helpers the bounds. */
    async list(actor: Actor, fullName: string) {
      const who = await viewer(actor, fullName);
      const rows = await repo.listOfferings(db, who.access.repo.id, who.isMaintainer);
      return present(rows, who.isMaintainer || who.helperId !== null);
    },

    async create(actor: Actor, fullName: string, input: CreateOfferingInput) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const user = requireUser(actor);
      const currency = input.currency ?? repository.currency;
      const prices = input.prices ?? [];
      const issues = priceIssues(input.kind, prices, currency);
      if (issues.length) throw validationFailed(issues);
      const now = clock.now();
      const id = newId(now.getTime());
      await db.transaction().execute(async (trx) => {
        await repo.insertOffering(trx, {
          id,
          repo_id: repository.id,
          kind: input.kind,
          name: input.name,
          description: input.description,
          currency,
          active: input.active,
          sort_order: input.sortOrder,
          created_by: user.userId,
          created_at: now,
          updated_at: now,
        });
        await repo.replacePrices(trx, id, priceRows(id, input.kind, prices));
      });
      return presentById(repository.id, id);
    },

    /** `prices`, when given, is the complete new list: currencies left out are removed with their helper rates. */
    async update(actor: Actor, fullName: string, id: string, patch: UpdateOfferingInput) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const current = await repo.findOffering(db, repository.id, id);
      if (!current) throw notFound('The offering');
      if (patch.prices !== undefined || patch.currency !== undefined) {
        const prices = patch.prices ?? (await repo.pricesOf(db, [id])).map(priceInput);
        const issues = priceIssues(current.kind, prices, patch.currency ?? current.currency);
        if (issues.length) throw validationFailed(issues);
      }
      await db.transaction().execute(async (trx) => {
        await repo.updateOffering(trx, id, {
          name: patch.name,
          description: patch.description,
          currency: patch.currency,
          active: patch.active,
          sort_order: patch.sortOrder,
          updated_at: clock.now(),
        });
        if (patch.prices) await repo.replacePrices(trx, id, priceRows(id, current.kind, patch.prices));
      });
      return presentById(repository.id, id);
    },

    async setMyRate(actor: Actor, fullName: string, id: string, input: MyRateInput) {
      const { user, offering } = await requireHelper(actor, fullName, id);
      // The price row is locked while the rate is checked and written, so that a maintainer narrowing the
      // bounds at the same moment either sees this rate (and clamps it) or is seen by this check.
      await db.transaction().execute(async (trx) => {
        const rate = checkedHelperRate(offering.kind, input, await repo.pricesOf(trx, [id], { lock: true }));
        await repo.upsertHelperRate(trx, { offering_id: id, currency: input.currency, helper_id: user.userId, rate, now: clock.now() });
      });
      const [saved] = (await repo.listHelperRates(db, id, user.userId)).filter((row) => row.currency === input.currency);
      return presentRate(saved, offering.kind === 'session' ? 'session' : 'fixed');
    },

    /** Back to the offering's price, in one currency or in all. */
    async deleteMyRate(actor: Actor, fullName: string, id: string, currency?: string) {
      const { user } = await requireHelper(actor, fullName, id);
      await repo.deleteHelperRates(db, id, user.userId, currency);
    },

    /** Every helper's own rates on an offering (maintainers). */
    async rates(actor: Actor, fullName: string, id: string) {
      const { repo: repository } = await repos.requireMaintainer(actor, fullName);
      const offering = await repo.findOffering(db, repository.id, id);
      if (!offering) throw notFound('The offering');
      const kind = offering.kind;
      if (kind === 'quote') return [];
      return (await repo.listHelperRates(db, id)).map((row) => presentRate(row, kind));
    },

    /**
     * The price of an offering in `currency` when `helperId` (or no one yet) does the work: the helper's own
     * rate if they set one, else the offering's price. For the payments code; pass `scope` when calling from
     * inside a transaction (PGlite has one connection: querying `db` there would wait forever).
     */
    async effectivePrice(offeringId: string, helperId: string | null, currency: string, scope: Queryable = db): Promise<EffectivePrice> {
      const offering = await repo.findOfferingById(scope, offeringId);
      if (!offering) throw notFound('The offering');
      if (!offering.active) throw conflict(`"${offering.name}" is no longer offered.`, 'offering_inactive');
      if (offering.kind === 'quote') throw conflict(`"${offering.name}" has no price: the helper quotes each request.`, 'priced_by_quote');
      const code = currency.toUpperCase();
      const prices = await repo.pricesOf(scope, [offeringId]);
      const price = prices.find((candidate) => candidate.currency === code);
      if (!price) {
        const sold = prices.map((candidate) => candidate.currency).join(', ');
        throw new AppError(400, 'currency_not_offered', `"${offering.name}" is not sold in ${code}; it is priced in ${sold}.`);
      }
      const own = helperId ? await repo.findHelperRate(scope, offeringId, helperId, code) : undefined;
      const source = own ? 'helper' : 'offering';
      // The amounts a kind needs are NOT NULL for that kind (a CHECK in the migration), hence the casts.
      if (offering.kind === 'fixed') return { kind: 'fixed', currency: code, price: own?.rate ?? (price.price as number), source };
      return {
        kind: 'session',
        currency: code,
        initialFee: price.initial_fee as number,
        perMinuteRate: own?.rate ?? (price.per_minute_rate as number),
        minimumMinutes: price.minimum_minutes as number,
        source,
      };
    },
  };
}

export type OfferingsService = ReturnType<typeof createOfferingsService>;
