import type { KnowledgeAnswerLength } from '../../db/types.ts';
import { composeExtractive, type Composed } from './knowledge.extractive.ts';
import type { KnowledgeIndex, SearchOutcome, SearchParams } from './knowledge.index.ts';

/** What one question needs from an index: the ranked passages, and the extractive answer they make. */
export type Retrieval = { outcome: SearchOutcome; extract: Composed | null };

/**
 * Retrieval and the extractive answer, done together where the index lives (the search thread): the
 * answer quotes sentences that index's passages keep split (see knowledge.extractive.ts), which copies
 * sent across threads would not. The extract is composed whenever there are hits; the caller decides
 * whether the confidence allows it, or whether a model writes the answer instead.
 */
export function retrieve(index: KnowledgeIndex, question: string, params: SearchParams, length: KnowledgeAnswerLength): Retrieval {
  const outcome = index.query(question, params);
  return { outcome, extract: outcome.hits.length ? composeExtractive(outcome.hits, outcome.queryTerms, length) : null };
}
