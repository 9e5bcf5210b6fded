import type { Hit } from './knowledge.index.ts';

/**
 * How sure retrieval is that the best passage answers the question, from 0 to 1: the share of the
 * question's weight that the best passage matches (its coverage, see KnowledgeIndex.query).
 *
 * BM25 scores have no fixed scale (they grow with the question's length and the corpus), so they
 * cannot be compared with a threshold; coverage can. Each question word weighs its IDF, so matching
 * the rare, specific words counts and matching "job" in a job-queue's docs barely does, and a word the
 * docs never use weighs double. A question about something the docs do not cover ("Does it support
 * Kafka?") leaves its heaviest word unmatched and lands low. On the fixture corpus (npm run eval:ai)
 * the score margin between the first and second passage did not separate answerable from
 * unanswerable questions, so it is not used.
 */
export function confidenceOf(hits: Hit[]): number {
  const top = hits[0];
  if (!top || top.score <= 0) return 0;
  return Math.round(Math.min(1, Math.max(0, top.coverage)) * 1000) / 1000;
}

/** The default threshold under which an answer is declined; a round value in the gap the fixture corpus shows. */
export const DEFAULT_THRESHOLD = 0.3;
