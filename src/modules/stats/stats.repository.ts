import { sql } from 'kysely';
import type { Queryable } from '../../db/database.ts';

/**
 * Every read of the dashboard, over the daily rollups of migration 0019 (never over tickets or the
 * ledger): a period of any length is a range of (repo_id, day) in a primary key, a few rows per day.
 * Days are 'YYYY-MM-DD' strings, `from` inclusive and `to` exclusive. The figures of a period and of the one
 * before it come from one statement each: the range covers both, and `period` tells their rows apart.
 */
export type Days = { from: string; to: string };
export type Periods = { current: Days; previous: Days };
export type PeriodName = 'current' | 'previous';

/** Both periods are one range of days, split where the current one starts. */
const inRange = (periods: Periods) => sql`day >= ${periods.previous.from}::date AND day < ${periods.current.to}::date`;
const periodOf = (periods: Periods) => sql<PeriodName>`CASE WHEN day >= ${periods.current.from}::date THEN 'current' ELSE 'previous' END`;

export type TicketCounts = { period: PeriodName; source: string; type: string; opened: number; resolved: number; rated: number; rating_sum: number; sla_met: number; sla_breached: number };

export async function ticketCounts(db: Queryable, repoId: string, periods: Periods): Promise<TicketCounts[]> {
  const { rows } = await sql<TicketCounts>`
    SELECT ${periodOf(periods)} AS period, source, type, sum(opened)::int AS opened, sum(resolved)::int AS resolved,
      sum(rated)::int AS rated, sum(rating_sum)::int AS rating_sum, sum(sla_met)::int AS sla_met, sum(sla_breached)::int AS sla_breached
    FROM stats_daily
    WHERE repo_id = ${repoId} AND ${inRange(periods)}
    GROUP BY 1, source, type`.execute(db);
  return rows;
}

export type MoneyCounts = { period: PeriodName; type: string; releases: number; reversals: number; gross: number; commission: number; platform_fee: number; processor_fee: number; helpers: number };

export async function moneyCounts(db: Queryable, repoId: string, currency: string, periods: Periods): Promise<MoneyCounts[]> {
  const { rows } = await sql<MoneyCounts>`
    SELECT ${periodOf(periods)} AS period, type, sum(releases)::int AS releases, sum(reversals)::int AS reversals,
      sum(gross)::int8 AS gross, sum(commission)::int8 AS commission, sum(platform_fee)::int8 AS platform_fee,
      sum(processor_fee)::int8 AS processor_fee, sum(helpers)::int8 AS helpers
    FROM stats_money_daily
    WHERE repo_id = ${repoId} AND currency = ${currency} AND ${inRange(periods)}
    GROUP BY 1, type`.execute(db);
  return rows;
}

/**
 * Median and p90 of first response and resolution, as the upper bound (seconds) of the bucket the
 * percentile falls in: the smallest bucket whose running count reaches half (nine tenths) of the tickets.
 */
export type Latency = { period: PeriodName; metric: 'first_response' | 'resolution'; tickets: number; median: number; p90: number };

export async function latency(db: Queryable, repoId: string, periods: Periods): Promise<Latency[]> {
  const { rows } = await sql<Latency>`
    WITH buckets AS (
      SELECT ${periodOf(periods)} AS period, metric, bucket, sum(tickets) AS tickets
      FROM stats_latency_daily
      WHERE repo_id = ${repoId} AND ${inRange(periods)}
      GROUP BY 1, metric, bucket
      HAVING sum(tickets) > 0
    ), running AS (
      SELECT period, metric, bucket,
        sum(tickets) OVER (PARTITION BY period, metric ORDER BY bucket) AS reached,
        sum(tickets) OVER (PARTITION BY period, metric) AS total
      FROM buckets
    )
    SELECT period, metric, max(total)::int AS tickets,
      (stats_latency_bounds())[min(bucket) FILTER (WHERE reached * 2 >= total) + 1] AS median,
      (stats_latency_bounds())[min(bucket) FILTER (WHERE reached * 10 >= total * 9) + 1] AS p90
    FROM running GROUP BY period, metric`.execute(db);
  return rows;
}

/** Helpers who were assigned tickets opened in the period, logged time in it or earned in it. */
export type HelperRow = {
  period: PeriodName;
  helper_id: string;
  name: string;
  tickets: number;
  resolved: number;
  rated: number;
  rating_sum: number;
  minutes: number;
  earnings: number;
};

export async function helperRows(db: Queryable, repoId: string, currency: string, periods: Periods): Promise<HelperRow[]> {
  const { rows } = await sql<HelperRow>`
    WITH work AS (
      SELECT ${periodOf(periods)} AS period, helper_id, sum(tickets) AS tickets, sum(resolved) AS resolved,
        sum(rated) AS rated, sum(rating_sum) AS rating_sum, sum(minutes) AS minutes
      FROM stats_helper_daily
      WHERE repo_id = ${repoId} AND ${inRange(periods)}
      GROUP BY 1, helper_id
    ), money AS (
      SELECT ${periodOf(periods)} AS period, helper_id, sum(earnings) AS earnings
      FROM stats_helper_money_daily
      WHERE repo_id = ${repoId} AND currency = ${currency} AND ${inRange(periods)}
      GROUP BY 1, helper_id
    )
    SELECT coalesce(w.period, m.period) AS period, u.id AS helper_id, u.display_name AS name,
      coalesce(w.tickets, 0)::int AS tickets, coalesce(w.resolved, 0)::int AS resolved,
      coalesce(w.rated, 0)::int AS rated, coalesce(w.rating_sum, 0)::int AS rating_sum,
      coalesce(w.minutes, 0)::int AS minutes, coalesce(m.earnings, 0)::int8 AS earnings
    FROM work w FULL JOIN money m ON m.period = w.period AND m.helper_id = w.helper_id
    JOIN users u ON u.id = coalesce(w.helper_id, m.helper_id)
    WHERE coalesce(w.tickets, 0) <> 0 OR coalesce(w.minutes, 0) <> 0 OR coalesce(m.earnings, 0) <> 0
    ORDER BY coalesce(m.earnings, 0) DESC, coalesce(w.tickets, 0) DESC, u.display_name, u.id`.execute(db);
  return rows;
}

/** Tickets per day (opened, resolved) and value per day, for the series. */
export type DayRow = { day: string; opened: number; resolved: number; gross: number };

export async function perDay(db: Queryable, repoId: string, currency: string, days: Days): Promise<DayRow[]> {
  const { rows } = await sql<DayRow>`
    WITH tickets AS (
      SELECT day, sum(opened) AS opened, sum(resolved) AS resolved
      FROM stats_daily
      WHERE repo_id = ${repoId} AND day >= ${days.from}::date AND day < ${days.to}::date
      GROUP BY day
    ), money AS (
      SELECT day, sum(gross) AS gross
      FROM stats_money_daily
      WHERE repo_id = ${repoId} AND currency = ${currency} AND day >= ${days.from}::date AND day < ${days.to}::date
      GROUP BY day
    )
    SELECT to_char(coalesce(t.day, m.day), 'YYYY-MM-DD') AS day, coalesce(t.opened, 0)::int AS opened,
      coalesce(t.resolved, 0)::int AS resolved, coalesce(m.gross, 0)::int8 AS gross
    FROM tickets t FULL JOIN money m ON m.day = t.day
    ORDER BY 1`.execute(db);
  return rows;
}

/** Every currency the repository was paid in, busiest first. */
export async function currencies(db: Queryable, repoId: string): Promise<string[]> {
  const { rows } = await sql<{ currency: string }>`
    SELECT currency FROM stats_money_daily WHERE repo_id = ${repoId}
    GROUP BY currency ORDER BY sum(releases) DESC, currency`.execute(db);
  return rows.map((row) => row.currency);
}

export async function approvedHelpers(db: Queryable, repoId: string): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    SELECT count(*)::int AS count FROM repo_helpers WHERE repo_id = ${repoId} AND status = 'approved'`.execute(db);
  return rows[0].count;
}
