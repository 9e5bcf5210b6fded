import fs from 'node:fs';
import path from 'node:path';

/** One measured figure, printed next to its same-run baseline; results/ feeds `npm run bench`'s table. */
export type Figure = {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** How the ratio reads: `higher` means value/baseline should be large (throughput). */
  better: 'higher' | 'lower';
  target?: { text: string; met: boolean };
};

export function printFigures(title: string, engine: string, figures: Figure[]) {
  console.log(`\n${title} (${engine})`);
  const rows = figures.map((figure) => [
    figure.name,
    `${round(figure.value)} ${figure.unit}`,
    figure.baseline ? `${round(figure.baseline.value)} ${figure.unit} (${figure.baseline.name})` : '-',
    figure.baseline ? `${round(figure.value / figure.baseline.value)}x` : '-',
    figure.target ? `${figure.target.text}: ${figure.target.met ? 'met' : 'NOT met'}` : '-',
  ]);
  const header = ['figure', 'value', 'same-run baseline', 'ratio', 'target'];
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function saveFigures(benchName: string, engine: string, figures: Figure[]) {
  const dir = path.join(import.meta.dirname, '..', 'out');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${benchName}-${engine}.json`), JSON.stringify({ benchName, engine, at: new Date().toISOString(), figures }, null, 2));
}

export function round(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** A one-line progress bar on stderr for long steps (seeding). */
export function progress(label: string, done: number, total: number) {
  if (!process.stderr.isTTY) {
    if (done === total) process.stderr.write(`${label}: ${total}/${total}\n`);
    return;
  }
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
}
