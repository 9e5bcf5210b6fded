import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { toDecimal } from '../invoices/invoices.money.ts';
import { figureRows } from './stats.presenter.ts';
import type { StatsReport } from './stats.service.ts';

export const CSV_COLUMNS = ['section', 'item', 'metric', 'current', 'previous'];

/** A cell starting with = + - @ is a formula to a spreadsheet: a helper's name or a question must never run as one. */
const text = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/**
 * The stats report as one long table (section, item, metric, current, previous): the figures of the period
 * next to the previous period's, then the series, the helpers and the unanswered questions. Rows are
 * generated as the stream is read.
 */
export function statsCsv(report: StatsReport): Readable {
  const money = (value: number) => toDecimal(value, report.currency);
  function* rows() {
    yield ['period', '', 'from', report.period.from, report.previousPeriod.from];
    yield ['period', '', 'to', report.period.to, report.previousPeriod.to];
    yield ['period', '', 'currency', report.currency, report.currency];
    for (const row of figureRows(report)) yield [row.section, '', row.metric, row.current, row.previous];
    for (const point of report.series) {
      yield ['series', point.start, 'tickets', String(point.tickets), ''];
      yield ['series', point.start, 'resolved', String(point.resolved), ''];
      yield ['series', point.start, 'value', money(point.value), ''];
    }
    for (const helper of report.helpers) {
      const item = text(`${helper.name} (${helper.id})`);
      yield ['helper', item, 'tickets', String(helper.tickets), ''];
      yield ['helper', item, 'resolved', String(helper.resolved), ''];
      yield ['helper', item, 'minutes', String(helper.minutes), ''];
      yield ['helper', item, 'earnings', money(helper.earnings), ''];
      yield ['helper', item, 'rating', helper.rating === null ? '' : String(helper.rating), ''];
    }
    for (const question of report.unanswered) yield ['unanswered', text(question.question), 'count', String(question.count), ''];
  }
  return Readable.from(rows()).pipe(stringify({ header: true, columns: CSV_COLUMNS }));
}
