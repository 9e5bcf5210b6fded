import fs from 'node:fs/promises';
import path from 'node:path';
import { DOC_EXTENSIONS } from '../knowledge.chunking.ts';

/**
 * A text document read from a source: its path relative to the source's root (forward slashes) is its
 * key between ingestions; `link` is where its passages point (default: the path), `format` its file
 * extension when the path has none (a page fetched by URL).
 */
export type SourceDocument = { path: string; content: string; link?: string; format?: string };
export type Skipped = { path: string; reason: string };
export type ReadLimits = { maxFileBytes: number; maxFiles: number };
export type ReadResult = { documents: SourceDocument[]; skipped: Skipped[] };

const IGNORED_DIRECTORIES = new Set(['node_modules', '.git', '.hg', '.svn']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a file if it is a document: a NUL byte or bytes that are not UTF-8 mean a binary file
 * (an image renamed .md, a compiled file), which is skipped with its reason rather than indexed as noise.
 */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.subarray(0, 8000).includes(0)) return null;
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return null;
  }
}

export function formatBytes(bytes: number): string {
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Why a file is not read, judged by its name and size alone (so a 100 MB file is never loaded). */
export function skipReason(relative: string, size: number, limits: ReadLimits): string | null {
  if (!DOC_EXTENSIONS.has(path.extname(relative).toLowerCase())) return 'not a documentation format (Markdown, MDX, reStructuredText, text, HTML)';
  if (size > limits.maxFileBytes) return `larger than the ${formatBytes(limits.maxFileBytes)} limit (${formatBytes(size)})`;
  return null;
}

/**
 * Every document under `root`, depth first in name order. Symbolic links are skipped, not followed, so
 * a link to /etc cannot pull files from outside the folder into the index; hidden folders and
 * node_modules are not entered.
 */
export async function readDocsFolder(root: string, limits: ReadLimits, onFile?: (seen: number) => void): Promise<ReadResult> {
  const documents: SourceDocument[] = [];
  const skipped: Skipped[] = [];
  let seen = 0;
  async function visit(directory: string): Promise<void> {
    const entries = (await fs.readdir(directory, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(directory, entry.name);
      const relative = path.relative(root, full).split(path.sep).join('/');
      if (entry.isSymbolicLink()) {
        skipped.push({ path: relative, reason: 'symbolic link (not followed)' });
      } else if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && !IGNORED_DIRECTORIES.has(entry.name)) await visit(full);
      } else if (entry.isFile()) {
        onFile?.(++seen);
        if (documents.length >= limits.maxFiles) {
          skipped.push({ path: relative, reason: `over the limit of ${limits.maxFiles} files per source` });
          continue;
        }
        const { size } = await fs.stat(full);
        const reason = skipReason(relative, size, limits);
        if (reason) {
          skipped.push({ path: relative, reason });
          continue;
        }
        const content = decodeText(await fs.readFile(full));
        if (content === null) skipped.push({ path: relative, reason: 'binary file (not UTF-8 text)' });
        else documents.push({ path: relative, content });
      }
    }
  }
  await visit(root);
  return { documents, skipped };
}
