import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

const require = createRequire(import.meta.url);
// The standard PDF fonts only cover Latin-1; buyers, payees and ticket titles come in every script.
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

export type Doc = PDFKit.PDFDocument;
export type Column = { readonly title: string; readonly width: number; readonly align: 'left' | 'right' };

/**
 * A document with the 'regular' and 'bold' fonts registered; `draw` fills it and the promise resolves
 * to the finished file.
 */
export function renderPdf(options: PDFKit.PDFDocumentOptions, draw: (doc: Doc) => void): Promise<Buffer> {
  const doc = new PDFDocument(options);
  doc.registerFont('regular', FONT);
  doc.registerFont('bold', FONT_BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  draw(doc);
  doc.end();
  return done;
}

/**
 * One table row starting at the left margin: each cell wraps inside its column, the row is as tall as
 * its tallest cell, and a row that would cross the bottom margin starts a new page.
 */
export function tableRow(doc: Doc, columns: readonly Column[], cells: string[], style: { font: 'regular' | 'bold'; size: number; gap: number }): void {
  const margin = doc.page.margins.left;
  doc.font(style.font).fontSize(style.size);
  const height = Math.max(...cells.map((cell, index) => doc.heightOfString(cell, { width: columns[index].width - 6 })));
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const y = doc.y;
  let x = margin;
  cells.forEach((cell, index) => {
    doc.text(cell, x, y, { width: columns[index].width - 6, align: columns[index].align });
    x += columns[index].width;
  });
  doc.x = margin;
  doc.y = y + height + style.gap;
}
