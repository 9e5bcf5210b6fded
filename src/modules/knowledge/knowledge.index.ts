import MiniSearch, { type SearchOptions, type SearchResult } from 'minisearch';
import { confidenceOf } from './knowledge.confidence.ts';
import { processTerm, termsOf, tokenize } from './knowledge.text.ts';

/** A passage as the in-memory index holds it. */
export type IndexedPassage = {
  id: string;
  sourceId: string;
  titlePath: string[];
  url: string;
  text: string;
  embedding?: number[] | null;
};

export type Hit = {
  passage: IndexedPassage;
  score: number;
  /** Share of the question's weight (IDF) that this passage matches, 0..1. */
  coverage: number;
  /** Question terms (as indexed) that matched this passage. */
  matchedTerms: string[];
};

export type SearchOutcome = { hits: Hit[]; confidence: number; queryTerms: string[] };

export type SearchParams = {
  limit?: number;
  /** Only passages of these sources (the repository's settings); null: all. */
  sourceIds?: string[] | null;
  /** The question's embedding, for hybrid retrieval when passages have embeddings too. */
  queryEmbedding?: number[] | null;
};

/**
 * BM25 (MiniSearch's BM25+) over two fields: the title path weighs twice the body, since a heading
 * names what its section is about. Words longer than four letters forgive one typo in five
 * letters (Levenshtein distance 0.2 x length, at most 2).
 */
const TITLE_BOOST = 2;
const SEARCH_OPTIONS: SearchOptions = {
  boost: { title: TITLE_BOOST },
  fuzzy: (term) => (term.length > 4 ? 0.2 : false),
  maxFuzzy: 2,
  prefix: false,
  combineWith: 'OR',
};

const ABSENT_TERM_FACTOR = 2;

/** Reciprocal rank fusion's constant (Cormack et al.): hybrid order without calibrating the two score scales. */
const RRF_K = 60;

export class KnowledgeIndex {
  private readonly search: MiniSearch<IndexedPassage>;
  private readonly passages = new Map<string, IndexedPassage>();
  private readonly documentFrequency = new Map<string, number>();

  constructor(passages: IndexedPassage[]) {
    // The terms of the passage being added, as the search library processes them: counting document
    // frequencies from them spares tokenizing and stemming every passage a second time (the cold load).
    let adding = new Set<string>();
    this.search = new MiniSearch<IndexedPassage>({
      fields: ['title', 'text'],
      extractField: (passage, field) => (field === 'title' ? passage.titlePath.join(' — ') : (passage as unknown as Record<string, string>)[field]),
      tokenize,
      processTerm: (token) => {
        const terms = processTerm(token);
        if (terms) for (const term of terms) adding.add(term);
        return terms;
      },
      searchOptions: SEARCH_OPTIONS,
    });
    for (const passage of passages) {
      this.passages.set(passage.id, passage);
      adding = new Set();
      this.search.add(passage);
      for (const term of adding) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    }
  }

  get size(): number {
    return this.passages.size;
  }

  /**
   * Robertson–Spärck Jones IDF. A word no passage uses at all weighs double: after typo tolerance had
   * its chance, it names something the docs do not talk about ("Kafka"), the surest sign of a gap.
   */
  private weightOf(term: string): number {
    const total = this.passages.size;
    const frequency = this.documentFrequency.get(term) ?? 0;
    const idf = Math.log(1 + (total - frequency + 0.5) / (frequency + 0.5));
    return frequency === 0 ? ABSENT_TERM_FACTOR * idf : idf;
  }

  /**
   * The search-library query for a question's index terms. Typo tolerance is asked only for terms the
   * index does not know: a fuzzy lookup walks the whole term tree and costs ten times an exact one, and
   * a known word needs no correcting. The terms are processed already, hence the identity options.
   */
  private libraryQuery(queryTerms: string[], filter?: (result: SearchResult) => boolean) {
    const known = queryTerms.filter((term) => this.documentFrequency.has(term));
    const unknown = queryTerms.filter((term) => !this.documentFrequency.has(term));
    const queries = [
      ...(known.length ? [{ queries: [known.join(' ')], fuzzy: false }] : []),
      ...(unknown.length ? [{ queries: [unknown.join(' ')], fuzzy: SEARCH_OPTIONS.fuzzy }] : []),
    ];
    return this.search.search({ combineWith: 'OR', queries }, { tokenize: (text) => text.split(' '), processTerm: (term) => term, filter });
  }

  /**
   * The bare search-library query, without coverage or confidence: the benchmark's baseline, the very
   * call `query` makes. With `options`, the same terms searched with other options instead (the
   * benchmark prices each: fuzzy, prefix).
   */
  rawQuery(question: string, options?: SearchOptions) {
    const terms = termsOf(question);
    if (!options) return this.libraryQuery(terms);
    return this.search.search(terms.join(' '), { ...SEARCH_OPTIONS, tokenize: (text) => text.split(' '), processTerm: (term) => term, ...options });
  }

  query(question: string, params: SearchParams = {}): SearchOutcome {
    const queryTerms = termsOf(question);
    const limit = params.limit ?? 5;
    if (queryTerms.length === 0 || this.passages.size === 0) return { hits: [], confidence: 0, queryTerms };
    const allowed = params.sourceIds ? new Set(params.sourceIds) : null;
    const results = this.libraryQuery(queryTerms, allowed ? (result) => allowed.has(this.passages.get(result.id as string)!.sourceId) : undefined);
    const weights = new Map(queryTerms.map((term) => [term, this.weightOf(term)]));
    const totalWeight = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
    // Lucene's classic coordination factor: a passage matching more of the question's weight ranks
    // higher than one matching a frequent word many times (BM25 alone rewards the latter).
    let hits: Hit[] = results.slice(0, Math.max(limit, 50)).map((result) => {
      const matchedTerms = [...new Set(result.queryTerms)];
      const matchedWeight = matchedTerms.reduce((sum, term) => sum + (weights.get(term) ?? 0), 0);
      const coverage = totalWeight ? matchedWeight / totalWeight : 0;
      return { passage: this.passages.get(result.id as string)!, score: result.score * coverage, coverage, matchedTerms };
    }).sort((a, b) => b.score - a.score);
    if (params.queryEmbedding) hits = this.fuse(hits, params.queryEmbedding, allowed);
    hits = hits.slice(0, limit);
    return { hits, confidence: confidenceOf(hits), queryTerms };
  }

  /** Hybrid retrieval: keyword and vector rankings fused by reciprocal rank. */
  private fuse(keywordHits: Hit[], queryEmbedding: number[], allowed: Set<string> | null): Hit[] {
    const byVector = [...this.passages.values()]
      .filter((passage) => passage.embedding && (!allowed || allowed.has(passage.sourceId)))
      .map((passage) => ({ passage, similarity: cosine(queryEmbedding, passage.embedding!) }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, 20);
    const fused = new Map<string, { hit: Hit; rrf: number }>();
    keywordHits.forEach((hit, rank) => fused.set(hit.passage.id, { hit, rrf: 1 / (RRF_K + rank + 1) }));
    byVector.forEach(({ passage }, rank) => {
      const entry = fused.get(passage.id) ?? { hit: { passage, score: 0, coverage: 0, matchedTerms: [] }, rrf: 0 };
      entry.rrf += 1 / (RRF_K + rank + 1);
      fused.set(passage.id, entry);
    });
    return [...fused.values()].sort((a, b) => b.rrf - a.rrf).map((entry) => entry.hit);
  }
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    dot += a[index] * b[index];
    normA += a[index] * a[index];
    normB += b[index] * b[index];
  }
  return normA && normB ? dot / Math.sqrt(normA * normB) : 0;
}
