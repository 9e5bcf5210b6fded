import { renderPdf, tableRow, type Doc } from '../../lib/pdf.ts';
import { formatMoney } from '../invoices/invoices.money.ts';
import { figureRows } from './stats.presenter.ts';
import { SOURCES, TYPES, type StatsReport } from './stats.service.ts';

const MARGIN = 40;
const WIDTH = 515; // A4 portrait less the margins
const ACCENT = '#2f6fde';

/** A table row whose first column is text and the others figures. */
function row(doc: Doc, cells: string[], widths: number[], font: 'regular' | 'bold'): void {
  const columns = widths.map((width, index) => ({ title: '', width, align: index === 0 ? ('left' as const) : ('right' as const) }));
  tableRow(doc, columns, cells, { font, size: 8.5, gap: 2 });
}

/** A titled chart frame of the given height, on a new page when it would not fit. */
function frame(doc: Doc, title: string, height: number): { x: number; y: number; width: number; height: number } {
  if (doc.y + height + 30 > doc.page.height - MARGIN) doc.addPage();
  doc.font('bold').fontSize(10).fillColor('black').text(title, MARGIN, doc.y);
  const box = { x: MARGIN + 30, y: doc.y + 4, width: WIDTH - 30, height };
  doc.moveTo(box.x, box.y + box.height).lineTo(box.x + box.width, box.y + box.height).lineWidth(0.5).strokeColor('#888').stroke();
  doc.y = box.y + box.height + 18;
  return box;
}

function axisLabel(doc: Doc, text: string, x: number, y: number, width: number, align: 'left' | 'right' | 'center' = 'center') {
  doc.font('regular').fontSize(6.5).fillColor('#444').text(text, x, y, { width, align, lineBreak: false });
}

/** Vertical bars, one per value, with the largest value on the axis and every nth label below. */
function barChart(doc: Doc, title: string, points: { label: string; value: number }[], format: (value: number) => string) {
  const box = frame(doc, title, 110);
  const max = Math.max(1, ...points.map((point) => point.value));
  axisLabel(doc, format(max), MARGIN - 10, box.y - 3, 38, 'right');
  const step = box.width / Math.max(points.length, 1);
  const labelEvery = Math.ceil(points.length / 12);
  points.forEach((point, index) => {
    const height = (Math.max(point.value, 0) / max) * box.height;
    doc.rect(box.x + index * step + step * 0.15, box.y + box.height - height, step * 0.7, height).fillColor(ACCENT).fill();
    if (index % labelEvery === 0) axisLabel(doc, point.label, box.x + index * step - 10, box.y + box.height + 3, step + 20);
  });
  doc.fillColor('black');
}

/** A polyline over the points, for money over time. */
function lineChart(doc: Doc, title: string, points: { label: string; value: number }[], format: (value: number) => string) {
  const box = frame(doc, title, 110);
  const max = Math.max(1, ...points.map((point) => point.value));
  const min = Math.min(0, ...points.map((point) => point.value));
  axisLabel(doc, format(max), MARGIN - 10, box.y - 3, 38, 'right');
  const step = points.length > 1 ? box.width / (points.length - 1) : 0;
  const yOf = (value: number) => box.y + box.height - ((value - min) / (max - min)) * box.height;
  points.forEach((point, index) => {
    const x = box.x + index * step;
    if (index === 0) doc.moveTo(x, yOf(point.value));
    else doc.lineTo(x, yOf(point.value));
  });
  doc.lineWidth(1.2).strokeColor(ACCENT).stroke();
  const labelEvery = Math.ceil(points.length / 12);
  points.forEach((point, index) => {
    if (index % labelEvery === 0) axisLabel(doc, point.label, box.x + index * step - 25, box.y + box.height + 3, 50);
  });
  doc.strokeColor('black').fillColor('black');
}

/** Horizontal bars with their values: the mix of a period by source or by type. */
function mixChart(doc: Doc, title: string, parts: { label: string; value: number }[], format: (value: number) => string) {
  const height = parts.length * 14;
  if (doc.y + height + 30 > doc.page.height - MARGIN) doc.addPage();
  doc.font('bold').fontSize(10).fillColor('black').text(title, MARGIN, doc.y);
  const top = doc.y + 4;
  const max = Math.max(1, ...parts.map((part) => part.value));
  parts.forEach((part, index) => {
    const y = top + index * 14;
    axisLabel(doc, part.label, MARGIN, y + 2, 70, 'left');
    doc.rect(MARGIN + 75, y, (Math.max(part.value, 0) / max) * 330, 10).fillColor(ACCENT).fill();
    axisLabel(doc, format(part.value), MARGIN + 410, y + 2, 100, 'right');
  });
  doc.fillColor('black');
  doc.x = MARGIN;
  doc.y = top + height + 12;
}

const LABELS: Record<string, string> = {
  tickets: 'Tickets',
  tickets_by_source: 'Tickets by source',
  tickets_by_type: 'Tickets by type',
  money: 'Money',
  value_by_type: 'Value by type',
  helpers: 'Helpers',
  first_response: 'First response',
  resolution: 'Resolution',
  sla: 'SLA',
  satisfaction: 'Satisfaction',
  ai: 'AI',
};

/** The stats report a maintainer shares: the figures next to the previous period, charts, helpers, gaps in the docs. */
export function renderStatsPdf(report: StatsReport): Promise<Buffer> {
  return renderPdf({ size: 'A4', margin: MARGIN, info: { Title: `Support report ${report.repo.fullName} ${report.period.from}` } }, (doc) => drawReport(doc, report));
}

function drawReport(doc: Doc, report: StatsReport): void {
  const money = (value: number) => formatMoney(value, report.currency);
  const lastDay = (to: string) => new Date(new Date(`${to}T00:00:00Z`).getTime() - 86_400_000).toISOString().slice(0, 10);

  doc.font('bold').fontSize(18).text('Support report', MARGIN, MARGIN);
  doc.font('regular').fontSize(10);
  doc.text(report.repo.fullName);
  doc.text(`Period: ${report.period.from} – ${lastDay(report.period.to)} (${report.period.days} days), compared with ${report.previousPeriod.from} – ${lastDay(report.previousPeriod.to)}`);
  doc.text(`Money in ${report.currency} (amounts are exact decimals); durations in seconds, at most the figure shown.`);
  doc.moveDown();

  const widths = [235, 140, 140];
  row(doc, ['Figure', 'This period', 'Previous period'], widths, 'bold');
  for (const figure of figureRows(report)) row(doc, [`${LABELS[figure.section] ?? figure.section}: ${figure.metric.replaceAll('_', ' ')}`, figure.current, figure.previous], widths, 'regular');
  doc.moveDown();

  const points = (pick: (point: StatsReport['series'][number]) => number) => report.series.map((point) => ({ label: point.start.slice(5), value: pick(point) }));
  barChart(doc, `Tickets opened per ${report.period.interval}`, points((point) => point.tickets), String);
  lineChart(doc, `Value released per ${report.period.interval}`, points((point) => point.value), money);
  mixChart(doc, 'Tickets by source', SOURCES.map((source) => ({ label: source, value: report.current.tickets.bySource[source] })), String);
  mixChart(doc, 'Tickets by type', TYPES.map((type) => ({ label: type, value: report.current.tickets.byType[type] })), String);
  mixChart(doc, 'Value by type', TYPES.map((type) => ({ label: type, value: report.current.money.valueByType[type] })), money);

  doc.font('bold').fontSize(12).text(`Helpers (${report.helpers.length} active, ${report.approvedHelpers} approved)`, MARGIN, doc.y);
  doc.moveDown(0.3);
  const helperWidths = [175, 55, 60, 60, 100, 65];
  row(doc, ['Helper', 'Tickets', 'Resolved', 'Minutes', 'Earnings', 'Rating'], helperWidths, 'bold');
  for (const helper of report.helpers) {
    row(doc, [helper.name, String(helper.tickets), String(helper.resolved), String(helper.minutes), money(helper.earnings), helper.rating === null ? '–' : String(helper.rating)], helperWidths, 'regular');
  }
  if (report.unanswered.length) {
    doc.moveDown();
    doc.font('bold').fontSize(12).text('Questions the docs could not answer', MARGIN, doc.y);
    doc.moveDown(0.3);
    for (const question of report.unanswered) row(doc, [question.question, String(question.count)], [455, 60], 'regular');
  }
}
