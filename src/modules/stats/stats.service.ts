import type { Deps } from '../../deps.ts';
import { notFound } from '../../errors.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { KnowledgeService } from '../knowledge/knowledge.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import { intervalStart, intervalStarts, isoDay, parseStatsPeriod, type Interval, type Period } from './stats.period.ts';
import * as store from './stats.repository.ts';

export const SOURCES = ['ai', 'community', 'expert'] as const;
export const TYPES = ['ticket', 'session', 'plan', 'consulting'] as const;
type Source = (typeof SOURCES)[number];
type TicketType = (typeof TYPES)[number];

export type StatsQuery = { from?: string; to?: string; interval?: Interval; currency?: string };

/** The figures of one period; a report has them for the period asked and for the one before it. */
export type Figures = {
  tickets: { opened: number; resolved: number; bySource: Record<Source, number>; byType: Record<TicketType, number> };
  money: {
    releases: number;
    reversals: number;
    value: number;
    commission: number;
    platformFee: number;
    processorFee: number;
    helperEarnings: number;
    valueByType: Record<TicketType, number>;
  };
  activeHelpers: number;
  firstResponse: { tickets: number; medianSeconds: number | null; p90Seconds: number | null };
  resolution: { tickets: number; medianSeconds: number | null; p90Seconds: number | null };
  sla: { met: number; breached: number; compliance: number | null };
  satisfaction: { rated: number; average: number | null };
  ai: { questions: number; answered: number; declined: number; helpful: number; unhelpful: number; deflectionRate: number };
};

export type HelperFigures = { id: string; name: string; tickets: number; resolved: number; minutes: number; earnings: number; rated: number; rating: number | null };
export type SeriesPoint = { start: string; tickets: number; resolved: number; value: number };

export type StatsReport = {
  repo: { id: string; fullName: string };
  period: { from: string; to: string; days: number; interval: Interval };
  previousPeriod: { from: string; to: string };
  currency: string;
  currencies: string[];
  approvedHelpers: number;
  current: Figures;
  previous: Figures;
  series: SeriesPoint[];
  helpers: HelperFigures[];
  unanswered: { question: string; count: number; lastAskedAt: string }[];
};

const zeroes = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
/** Ratios to three decimals: 0.857 reads as 85.7% everywhere it is shown. */
const ratio = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 1000 : null);
const average = (sum: number, count: number) => (count ? Math.round((sum / count) * 100) / 100 : null);

type AiStats = { questions: number; answered: number; declined: number; helpful: number; unhelpful: number; deflectionRate: number };

/** One period's figures from its rows of the rollups. */
function figures(counts: store.TicketCounts[], money: store.MoneyCounts[], latency: store.Latency[], activeHelpers: number, ai: AiStats): Figures {
  const sum = (field: 'opened' | 'resolved' | 'rated' | 'rating_sum' | 'sla_met' | 'sla_breached') => counts.reduce((total, row) => total + row[field], 0);
  const bySource = zeroes(SOURCES);
  const byType = zeroes(TYPES);
  for (const row of counts) {
    bySource[row.source as Source] += row.opened;
    byType[row.type as TicketType] += row.opened;
  }
  const moneySum = (field: 'releases' | 'reversals' | 'gross' | 'commission' | 'platform_fee' | 'processor_fee' | 'helpers') => money.reduce((total, row) => total + row[field], 0);
  const valueByType = zeroes(TYPES);
  for (const row of money) valueByType[row.type as TicketType] += row.gross;
  const latencyOf = (metric: store.Latency['metric']) => {
    const row = latency.find((candidate) => candidate.metric === metric);
    return { tickets: row?.tickets ?? 0, medianSeconds: row?.median ?? null, p90Seconds: row?.p90 ?? null };
  };
  const met = sum('sla_met');
  const breached = sum('sla_breached');
  return {
    tickets: { opened: sum('opened'), resolved: sum('resolved'), bySource, byType },
    money: {
      releases: moneySum('releases'),
      reversals: moneySum('reversals'),
      value: moneySum('gross'),
      commission: moneySum('commission'),
      platformFee: moneySum('platform_fee'),
      processorFee: moneySum('processor_fee'),
      helperEarnings: moneySum('helpers'),
      valueByType,
    },
    activeHelpers,
    firstResponse: latencyOf('first_response'),
    resolution: latencyOf('resolution'),
    sla: { met, breached, compliance: ratio(met, met + breached) },
    satisfaction: { rated: sum('rated'), average: average(sum('rating_sum'), sum('rated')) },
    ai: { questions: ai.questions, answered: ai.answered, declined: ai.declined, helpful: ai.helpful, unhelpful: ai.unhelpful, deflectionRate: ai.deflectionRate },
  };
}

/**
 * The maintainer dashboard's numbers for any period, with the period before it. This is the one place
 * they are computed: the API, the CSV and the PDF present the same report.
 */
export function createStatsService(deps: Deps, parts: { repos: ReposService; knowledge: KnowledgeService }) {
  const { db, clock } = deps;

  /** Maintainers and operators only; anyone else is told the repository does not exist. */
  async function access(actor: Actor, fullName: string) {
    requireUser(actor);
    const found = await parts.repos.access(actor, fullName);
    if (!found.role && !found.isOperator) throw notFound(`The repository ${fullName}`);
    return found.repo;
  }

  /** The figures of the period and of the one before it, with the period's helpers and AI gaps. */
  async function measure(repo: { id: string; full_name: string }, currency: string, period: Period) {
    const periods = {
      current: { from: isoDay(period.from), to: isoDay(period.to) },
      previous: { from: isoDay(period.previous.from), to: isoDay(period.previous.to) },
    };
    const aiOf = (bounds: { from: Date; to: Date }) => parts.knowledge.figures(repo.id, bounds.from, bounds.to);
    const [counts, money, latency, helpers, ai, previousAi] = await Promise.all([
      store.ticketCounts(db, repo.id, periods),
      store.moneyCounts(db, repo.id, currency, periods),
      store.latency(db, repo.id, periods),
      store.helperRows(db, repo.id, currency, periods),
      aiOf(period),
      aiOf(period.previous),
    ]);
    const figuresOf = (name: store.PeriodName, aiStats: typeof ai): Figures => {
      const mine = <T extends { period: store.PeriodName }>(rows: T[]) => rows.filter((row) => row.period === name);
      return figures(mine(counts), mine(money), mine(latency), mine(helpers).length, aiStats);
    };
    return {
      current: figuresOf('current', ai),
      previous: figuresOf('previous', previousAi),
      helpers: helpers.filter((row) => row.period === 'current'),
      unanswered: ai.topUnanswered,
    };
  }

  async function series(repoId: string, currency: string, period: Period): Promise<SeriesPoint[]> {
    const rows = await store.perDay(db, repoId, currency, { from: isoDay(period.from), to: isoDay(period.to) });
    const points = new Map(intervalStarts(period).map((start) => [isoDay(intervalStart(start, period.interval)), { start: isoDay(start), tickets: 0, resolved: 0, value: 0 }]));
    for (const row of rows) {
      const point = points.get(isoDay(intervalStart(new Date(`${row.day}T00:00:00Z`), period.interval)));
      if (!point) continue;
      point.tickets += row.opened;
      point.resolved += row.resolved;
      point.value += row.gross;
    }
    return [...points.values()];
  }

  return {
    access,

    async report(actor: Actor, fullName: string, query: StatsQuery): Promise<StatsReport> {
      const repo = await access(actor, fullName);
      const period = parseStatsPeriod(query, clock.now());
      const currencies = await store.currencies(db, repo.id);
      // As on statements: the repository's currency, unless it was only ever paid in others.
      const currency = query.currency ?? (currencies.includes(repo.currency) || currencies.length === 0 ? repo.currency : currencies[0]);
      const [measured, points, approvedHelpers] = await Promise.all([
        measure(repo, currency, period),
        series(repo.id, currency, period),
        store.approvedHelpers(db, repo.id),
      ]);
      return {
        repo: { id: repo.id, fullName: repo.full_name },
        period: { from: isoDay(period.from), to: isoDay(period.to), days: period.days, interval: period.interval },
        previousPeriod: { from: isoDay(period.previous.from), to: isoDay(period.previous.to) },
        currency,
        currencies: [...new Set([...currencies, repo.currency, currency])],
        approvedHelpers,
        current: measured.current,
        previous: measured.previous,
        series: points,
        helpers: measured.helpers.map((row) => ({
          id: row.helper_id,
          name: row.name,
          tickets: row.tickets,
          resolved: row.resolved,
          minutes: row.minutes,
          earnings: row.earnings,
          rated: row.rated,
          rating: average(row.rating_sum, row.rated),
        })),
        unanswered: measured.unanswered,
      };
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
