import { createHash } from 'node:crypto';
import { stemmer } from 'stemmer';

/**
 * Words too common to tell passages apart. Question words are in the list because users phrase
 * questions ("how do I ...") while docs state facts: matching on them only adds noise.
 */
const STOPWORDS = new Set(
  (
    'a about above after again all am an and any are as at be because been before being below between both but by can could ' +
    'did do does doing done during each else few for from further get gets got had has have having he her here hers him his how i ' +
    'if in into is it its itself just let lets me more most my myself no nor not now of off on once only or other our ours out over ' +
    'own same she should so some such than that the their theirs them then there these they this those through to too under until up ' +
    'very was we were what when where which while who whom why will with would you your yours yourself im ive id dont doesnt cant ' +
    'isnt whats hows thing things way ways want wants need needs please possible also us one anything something someone someway'
  ).split(' '),
);

/** Splits on anything that is not a letter or digit, keeping identifiers such as `maxAttempts` whole. */
export function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}

const stemCache = new Map<string, string>();

function stem(word: string): string {
  if (word.length < 4 || /\d/.test(word)) return word;
  let stemmed = stemCache.get(word);
  if (stemmed === undefined) {
    stemmed = stemmer(word);
    if (stemCache.size < 100_000) stemCache.set(word, stemmed);
  }
  return stemmed;
}

/**
 * One token as the index stores it: lowercased and stemmed ("retries", "retrying" -> "retri"), stop
 * words dropped; a camelCase identifier also yields its parts, so "maxAttempts" matches "max attempts".
 */
export function processTerm(token: string): string[] | null {
  const lower = token.toLowerCase();
  if (STOPWORDS.has(lower) || lower.length > 60) return null;
  const parts = token.split(/(?<=[a-z0-9])(?=[A-Z])/).map((part) => part.toLowerCase());
  const terms = new Set([stem(lower)]);
  if (parts.length > 1) for (const part of parts) if (!STOPWORDS.has(part) && part.length > 1) terms.add(stem(part));
  return [...terms];
}

/** The distinct index terms of a text, in order of first appearance. */
export function termsOf(text: string): string[] {
  const terms = new Set<string>();
  for (const token of tokenize(text)) for (const term of processTerm(token) ?? []) terms.add(term);
  return [...terms];
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[`*_~[\]()<>]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s+/g, '-');
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Sentences of a passage, with fenced code blocks and list items kept as units of their own (a code
 * example is only useful whole). Splits prose after . ! ? followed by a space and a capital or a quote.
 */
export function sentencesOf(text: string): string[] {
  const units: string[] = [];
  const blocks = text.split(/(```[\s\S]*?```)/g);
  for (const block of blocks) {
    if (block.startsWith('```')) {
      units.push(block.trim());
      continue;
    }
    for (const paragraph of block.split(/\n\s*\n/)) {
      const lines = paragraph.split('\n');
      let prose: string[] = [];
      const flush = () => {
        const joined = prose.join(' ').replace(/\s+/g, ' ').trim();
        if (joined) units.push(...joined.split(/(?<=[.!?])\s+(?=[A-Z`"'(\[])/));
        prose = [];
      };
      for (const line of lines) {
        if (/^\s*([-*+]|\d+[.)]|\|)\s/.test(line)) {
          flush();
          units.push(line.trim());
        } else prose.push(line.trim());
      }
      flush();
    }
  }
  return units.map((unit) => unit.trim()).filter((unit) => unit.length > 0);
}
