import { toDecimal } from '../invoices/invoices.money.ts';
import { SOURCES, TYPES, type Figures, type StatsReport } from './stats.service.ts';

/**
 * The report's figures as rows of text, shared by the CSV and the PDF so that both show exactly what the
 * API returns: money as exact decimals of the currency, durations in seconds, ratios as decimals.
 */
export type FigureRow = { section: string; metric: string; current: string; previous: string };

const blank = (value: number | null) => (value === null ? '' : String(value));

export function figureRows(report: StatsReport): FigureRow[] {
  const money = (value: number) => toDecimal(value, report.currency);
  const rows: FigureRow[] = [];
  const add = (section: string, metric: string, pick: (figures: Figures) => string) =>
    rows.push({ section, metric, current: pick(report.current), previous: pick(report.previous) });

  add('tickets', 'opened', (f) => String(f.tickets.opened));
  add('tickets', 'resolved', (f) => String(f.tickets.resolved));
  for (const source of SOURCES) add('tickets_by_source', source, (f) => String(f.tickets.bySource[source]));
  for (const type of TYPES) add('tickets_by_type', type, (f) => String(f.tickets.byType[type]));
  add('money', 'value', (f) => money(f.money.value));
  add('money', 'commission', (f) => money(f.money.commission));
  add('money', 'platform_fee', (f) => money(f.money.platformFee));
  add('money', 'processor_fee', (f) => money(f.money.processorFee));
  add('money', 'helper_earnings', (f) => money(f.money.helperEarnings));
  add('money', 'releases', (f) => String(f.money.releases));
  add('money', 'reversals', (f) => String(f.money.reversals));
  for (const type of TYPES) add('value_by_type', type, (f) => money(f.money.valueByType[type]));
  add('helpers', 'active', (f) => String(f.activeHelpers));
  add('first_response', 'median_seconds', (f) => blank(f.firstResponse.medianSeconds));
  add('first_response', 'p90_seconds', (f) => blank(f.firstResponse.p90Seconds));
  add('resolution', 'median_seconds', (f) => blank(f.resolution.medianSeconds));
  add('resolution', 'p90_seconds', (f) => blank(f.resolution.p90Seconds));
  add('sla', 'met', (f) => String(f.sla.met));
  add('sla', 'breached', (f) => String(f.sla.breached));
  add('sla', 'compliance', (f) => blank(f.sla.compliance));
  add('satisfaction', 'rated', (f) => String(f.satisfaction.rated));
  add('satisfaction', 'average', (f) => blank(f.satisfaction.average));
  add('ai', 'questions', (f) => String(f.ai.questions));
  add('ai', 'helpful', (f) => String(f.ai.helpful));
  add('ai', 'deflection_rate', (f) => String(f.ai.deflectionRate));
  return rows;
}

/** Seconds as a person reads them: "45 min", "3 h", "2 d". */
export function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round((seconds / 3600) * 10) / 10} h`;
  return `${Math.round((seconds / 86_400) * 10) / 10} d`;
}
