import path from 'node:path';
import { htmlToMarkdown } from './knowledge.html.ts';
import { slugify } from './knowledge.text.ts';

/** A piece of a document under one heading: what the index stores and an answer cites. */
export type Section = { titlePath: string[]; anchor: string; text: string };

/** Files ingestion reads; anything else in a docs folder (images, code, configs) is skipped. */
export const DOC_EXTENSIONS = new Set(['.md', '.markdown', '.mdx', '.rst', '.txt', '.html', '.htm']);

/** A passage longer than this is cut at paragraph boundaries, so one answer does not quote a whole page. */
const MAX_PASSAGE_CHARS = 1500;

export function chunkDocument(filePath: string, content: string): Section[] {
  const extension = path.extname(filePath).toLowerCase();
  const fallbackTitle = titleFromPath(filePath);
  const text = content.replace(/\r\n?/g, '\n');
  if (extension === '.rst') return splitLong(chunkRst(text, fallbackTitle));
  if (extension === '.txt') return splitLong([{ titlePath: [fallbackTitle], anchor: '', text: text.trim() }].filter((section) => section.text));
  if (extension === '.html' || extension === '.htm') return splitLong(chunkMarkdown(htmlToMarkdown(text), fallbackTitle));
  return splitLong(chunkMarkdown(extension === '.mdx' ? stripMdx(text) : text, fallbackTitle));
}

function titleFromPath(filePath: string): string {
  const base = path.basename(filePath, path.extname(filePath));
  const name = base.toLowerCase() === 'index' || base.toLowerCase() === 'readme' ? path.basename(path.dirname(filePath)) || base : base;
  const words = name.replace(/^\d+[-_]/, '').replace(/[-_]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : filePath;
}

/** Sections of a heading tree; the page title (front matter or first H1) heads every path. */
class SectionBuilder {
  readonly sections: Section[] = [];
  private readonly slugs = new Map<string, number>();
  private stack: { level: number; title: string }[] = [];
  private anchor = '';
  private lines: string[] = [];
  pageTitle: string;

  constructor(pageTitle: string) {
    this.pageTitle = pageTitle;
  }

  heading(level: number, title: string) {
    this.flush();
    const clean = cleanInline(title);
    if (level === 1 && this.stack.length === 0 && this.sections.length === 0) this.pageTitle = clean;
    this.stack = this.stack.filter((entry) => entry.level < level);
    this.stack.push({ level, title: clean });
    const slug = slugify(clean);
    const seen = this.slugs.get(slug) ?? 0;
    this.slugs.set(slug, seen + 1);
    this.anchor = seen ? `${slug}-${seen}` : slug;
  }

  line(text: string) {
    this.lines.push(text);
  }

  flush() {
    const text = this.lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
    this.lines = [];
    if (!text) return;
    const titles = this.stack.map((entry) => entry.title).filter((title) => title !== this.pageTitle);
    this.sections.push({ titlePath: [this.pageTitle, ...titles], anchor: this.anchor, text });
  }
}

function chunkMarkdown(source: string, fallbackTitle: string): Section[] {
  let text = source;
  let title = fallbackTitle;
  const frontMatter = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (frontMatter) {
    const declared = /^title:\s*["']?(.+?)["']?\s*$/m.exec(frontMatter[1]);
    if (declared) title = declared[1];
    text = text.slice(frontMatter[0].length);
  }
  const builder = new SectionBuilder(title);
  const lines = text.split('\n');
  let fence: string | null = null;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const fenceMark = /^\s*(```+|~~~+)/.exec(line);
    if (fenceMark) {
      if (fence === null) fence = fenceMark[1][0];
      else if (fenceMark[1][0] === fence) fence = null;
      builder.line(line.replace(/^(\s*)~~~+/, '$1```'));
      continue;
    }
    if (fence !== null) {
      builder.line(line);
      continue;
    }
    const atx = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (atx) {
      builder.heading(atx[1].length, atx[2]);
      continue;
    }
    const next = lines[index + 1];
    if (next !== undefined && line.trim() && !/^\s*([-*+]|\d+\.)\s/.test(line) && /^(=+|-+)\s*$/.test(next) && next.trim().length >= 3) {
      builder.heading(next.startsWith('=') ? 1 : 2, line.trim());
      index++;
      continue;
    }
    builder.line(cleanInline(line));
  }
  builder.flush();
  return builder.sections;
}

/** Links keep their text, images and HTML comments go, emphasis marks go; inline code stays. */
function cleanInline(line: string): string {
  return line
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2');
}

/** MDX is Markdown plus ESM and JSX: imports and exports go, component tags go, their text stays. */
function stripMdx(source: string): string {
  let fence = false;
  return source
    .split('\n')
    .filter((line) => {
      if (/^\s*(```|~~~)/.test(line)) fence = !fence;
      return fence || !/^(import|export)\s/.test(line);
    })
    .join('\n')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, '')
    .replace(/<\/?[A-Z][\w.]*(\s[^<>]*)?\/?>/g, '');
}

const RST_ADORNMENT = /^([=\-~^"'`#*+.:_])\1{2,}\s*$/;

/**
 * reStructuredText: a title is a line underlined (and maybe overlined) with one punctuation
 * character; levels follow the order in which the styles first appear, as docutils does.
 */
function chunkRst(text: string, fallbackTitle: string): Section[] {
  const builder = new SectionBuilder(fallbackTitle);
  const styles: string[] = [];
  const lines = text.split('\n');
  let codeIndent: number | null = null;
  // Blank lines inside a literal block are kept only between code lines, not around it.
  let blanks = 0;
  let codeLines = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (codeIndent !== null) {
      const indent = /^(\s*)/.exec(line)![1].length;
      if (line.trim() === '') {
        blanks++;
        continue;
      }
      if (indent >= codeIndent) {
        if (codeLines++ > 0) for (; blanks > 0; blanks--) builder.line('');
        blanks = 0;
        builder.line(line.slice(codeIndent));
        continue;
      }
      builder.line('```');
      builder.line('');
      codeIndent = null;
    }
    const next = lines[index + 1] ?? '';
    const overlined = RST_ADORNMENT.test(line) && lines[index + 2] !== undefined && RST_ADORNMENT.test(lines[index + 2]) && next.trim();
    const underlined = line.trim() && !RST_ADORNMENT.test(line) && RST_ADORNMENT.test(next) && next.trim().length >= line.trim().length;
    if (overlined || underlined) {
      const style = overlined ? `over${line[0]}` : next[0];
      if (!styles.includes(style)) styles.push(style);
      builder.heading(styles.indexOf(style) + 1, rstInline((overlined ? next : line).trim()));
      index += overlined ? 2 : 1;
      continue;
    }
    const directive = /^\.\.\s+(code-block|code|sourcecode)::/.exec(line);
    if (directive || (/::\s*$/.test(line) && !line.startsWith('..'))) {
      if (!directive) builder.line(rstInline(line.replace(/::\s*$/, ':')));
      builder.line('```');
      const body = lines.slice(index + 1).find((candidate) => candidate.trim() && !/^\s+:\w+:/.test(candidate));
      codeIndent = body ? Math.max(1, /^(\s*)/.exec(body)![1].length) : 1;
      blanks = 0;
      codeLines = 0;
      while (lines[index + 1] !== undefined && /^\s+:\w+:/.test(lines[index + 1])) index++;
      continue;
    }
    if (/^\.\.\s+\w[\w-]*::/.test(line)) {
      // Admonitions (note, warning, ...) keep their text; their indentation is dropped below.
      const rest = line.replace(/^\.\.\s+\w[\w-]*::\s*/, '');
      if (rest) builder.line(rstInline(rest));
      continue;
    }
    if (/^\.\.(\s|$)/.test(line)) continue; // a comment or a link target
    builder.line(rstInline(line.trim()));
  }
  if (codeIndent !== null) builder.line('```');
  builder.flush();
  return builder.sections;
}

function rstInline(line: string): string {
  return line
    .replace(/`([^`<]+?)\s*<[^>]+>`_+/g, '$1')
    .replace(/:\w+:`([^`]+)`/g, '$1')
    .replace(/``([^`]+)``/g, '`$1`');
}

function splitLong(sections: Section[]): Section[] {
  return sections.flatMap((section) => {
    if (section.text.length <= MAX_PASSAGE_CHARS) return [section];
    const parts: string[] = [];
    let current = '';
    for (const paragraph of paragraphsOf(section.text)) {
      if (current && current.length + paragraph.length > MAX_PASSAGE_CHARS) {
        parts.push(current);
        current = '';
      }
      current = current ? `${current}\n\n${paragraph}` : paragraph;
    }
    if (current) parts.push(current);
    return parts.map((text) => ({ ...section, text }));
  });
}

/** Paragraphs, with a fenced code block counted as one even when it has blank lines. */
function paragraphsOf(text: string): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (!inFence && line.trim() === '') {
      if (current.length) paragraphs.push(current.join('\n'));
      current = [];
    } else current.push(line);
  }
  if (current.length) paragraphs.push(current.join('\n'));
  return paragraphs;
}
