import { navigate, useLocation } from './router.tsx';

/** Periods of days as the API reads them: `from` inclusive, `to` exclusive, both "YYYY-MM-DD" in UTC. */

export type Preset = 'last7' | 'last30' | 'thisMonth' | 'lastMonth' | 'thisQuarter' | 'lastQuarter' | 'thisYear' | 'last12' | 'custom';
export type NamedPreset = Exclude<Preset, 'custom'>;
export type Period = { from: string; to: string; preset: Preset };

const DAY = 86_400_000;
const iso = (date: Date) => date.toISOString().slice(0, 10);
const utc = (year: number, month: number, day = 1) => new Date(Date.UTC(year, month, day));

export const PRESETS: Record<NamedPreset, string> = {
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  thisMonth: 'This month',
  lastMonth: 'Last month',
  thisQuarter: 'This quarter',
  lastQuarter: 'Last quarter',
  thisYear: 'This year',
  last12: 'Last 12 months',
};

/** A preset's days: `to` is exclusive, as the API reads it. */
export function presetRange(preset: NamedPreset, now = new Date()): { from: string; to: string } {
  const today = utc(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const tomorrow = new Date(today.getTime() + DAY);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const quarter = month - (month % 3);
  switch (preset) {
    case 'last7': return { from: iso(new Date(tomorrow.getTime() - 7 * DAY)), to: iso(tomorrow) };
    case 'last30': return { from: iso(new Date(tomorrow.getTime() - 30 * DAY)), to: iso(tomorrow) };
    case 'thisMonth': return { from: iso(utc(year, month)), to: iso(utc(year, month + 1)) };
    case 'lastMonth': return { from: iso(utc(year, month - 1)), to: iso(utc(year, month)) };
    case 'thisQuarter': return { from: iso(utc(year, quarter)), to: iso(utc(year, quarter + 3)) };
    case 'lastQuarter': return { from: iso(utc(year, quarter - 3)), to: iso(utc(year, quarter)) };
    case 'thisYear': return { from: iso(utc(year, 0)), to: iso(utc(year + 1, 0)) };
    case 'last12': return { from: iso(utc(year - 1, month + 1)), to: iso(utc(year, month + 1)) };
  }
}

/** The last day shown to people: the API's `to` is the day after it. */
export const lastDay = (to: string) => iso(new Date(new Date(`${to}T00:00:00Z`).getTime() - DAY));
export const nextDay = (day: string) => iso(new Date(new Date(`${day}T00:00:00Z`).getTime() + DAY));

/**
 * The period (and currency) a page shows, kept in its address (?from=&to=&preset=&currency=) so that a
 * reload or a shared link shows the same; `go` changes it.
 */
export function usePeriod(path: string, fallback: NamedPreset) {
  const params = useLocation().searchParams;
  const initial = presetRange(fallback);
  const from = params.get('from') ?? initial.from;
  const to = params.get('to') ?? initial.to;
  const currency = params.get('currency') ?? undefined;
  const preset = (params.get('preset') as Preset | null) ?? (params.get('from') ? 'custom' : fallback);
  const go = (next: Period & { currency?: string }) => {
    const query = new URLSearchParams({ from: next.from, to: next.to, preset: next.preset });
    if (next.currency ?? currency) query.set('currency', (next.currency ?? currency) as string);
    navigate(`${path}?${query}`, { replace: true });
  };
  return { from, to, preset, currency, go };
}
