import type { KnowledgeAnswerLength } from '../../db/types.ts';
import type { Hit } from './knowledge.index.ts';
import { sentencesOf, termsOf } from './knowledge.text.ts';

export type Citation = { title: string; url: string };
export type Composed = { answer: string; citations: Citation[] };

/** How much an answer quotes: passages, and sentences of each. */
export const LENGTHS: Record<KnowledgeAnswerLength, { passages: number; sentences: number }> = {
  short: { passages: 1, sentences: 2 },
  medium: { passages: 2, sentences: 4 },
  long: { passages: 3, sentences: 6 },
};

/**
 * A further passage is quoted only when it scores close to the best one, matches nearly as much of the
 * question, and at least half of it: two passages each matching a few words are rarely both relevant.
 */
const RUNNER_UP_SCORE_SHARE = 0.6;
const RUNNER_UP_COVERAGE_SHARE = 0.9;
const RUNNER_UP_MIN_COVERAGE = 0.5;

export function citationOf(hit: Hit): Citation {
  return { title: hit.passage.titlePath.join(' › '), url: hit.passage.url };
}

/** The passages an answer draws on: the best one, and those close behind it. */
export function answerPassages(hits: Hit[], length: KnowledgeAnswerLength): Hit[] {
  const top = hits[0];
  if (!top) return [];
  return hits
    .slice(0, LENGTHS[length].passages)
    .filter((hit, index) => index === 0 || (hit.score >= top.score * RUNNER_UP_SCORE_SHARE && hit.coverage >= Math.max(RUNNER_UP_MIN_COVERAGE, top.coverage * RUNNER_UP_COVERAGE_SHARE)));
}

/**
 * The extractive answer: from each passage, the sentences that share the most question terms, in the
 * order the docs give them (a code block right after a chosen sentence comes with it), each passage
 * followed by its citation number. Docs text is quoted, never interpreted, so instructions hidden in
 * it ("ignore previous instructions") are just more words to match.
 */
export function composeExtractive(hits: Hit[], queryTerms: string[], length: KnowledgeAnswerLength): Composed {
  const chosen = answerPassages(hits, length);
  const wanted = new Set(queryTerms);
  const parts = chosen.map((hit, index) => `${excerpt(hit.passage, wanted, LENGTHS[length].sentences)} [${index + 1}]`);
  return { answer: parts.join('\n\n'), citations: chosen.map(citationOf) };
}

type Sentences = { sentences: string[]; terms: string[][] };

/**
 * A passage's sentences and their index terms, split once per passage object and kept while the index
 * holding it lives: popular passages are quoted again and again, and splitting and stemming them was
 * work thrown away on every answer.
 */
const splitPassages = new WeakMap<object, Sentences>();

function sentencesWithTerms(passage: { text: string }): Sentences {
  let split = splitPassages.get(passage);
  if (!split) {
    const sentences = sentencesOf(passage.text);
    split = { sentences, terms: sentences.map(termsOf) };
    splitPassages.set(passage, split);
  }
  return split;
}

export function excerpt(passage: { text: string }, wanted: Set<string>, maxSentences: number): string {
  const { sentences, terms } = sentencesWithTerms(passage);
  const scored = sentences.map((_, index) => ({
    index,
    score: terms[index].filter((term) => wanted.has(term)).length,
  }));
  const picked = new Set(
    scored
      .filter((entry) => entry.score > 0)
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, maxSentences)
      .map((entry) => entry.index),
  );
  // Matched only by its title: the section's opening says what it is about.
  if (picked.size === 0) for (let index = 0; index < Math.min(2, sentences.length); index++) picked.add(index);
  for (const index of [...picked]) {
    const next = sentences[index + 1];
    if (next?.startsWith('```') && /[:.]$/.test(sentences[index]) && picked.size < maxSentences + 1) picked.add(index + 1);
  }
  const ordered = [...picked].sort((a, b) => a - b);
  let result = '';
  ordered.forEach((index, position) => {
    const sentence = sentences[index];
    const block = sentence.startsWith('```') || /^([-*+]|\d+[.)]|\|)\s/.test(sentence);
    const gap = position > 0 && ordered[position - 1] !== index - 1 ? ' … ' : ' ';
    result += position === 0 ? sentence : block || result.endsWith('```') ? `\n${sentence}` : `${gap}${sentence}`;
  });
  return result.trim();
}
