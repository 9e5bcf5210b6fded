import type { KnowledgeAnswerLength } from '../../db/types.ts';
import type { Deps } from '../../deps.ts';
import type { LlmClient } from '../../integrations/llm/client.ts';
import type { RepoRow } from '../repos/repos.repository.ts';
import type { Citation } from './knowledge.extractive.ts';
import type { SearchIndex } from './knowledge.searcher.ts';
import { buildMessages, parseGenerated } from './knowledge.prompt.ts';

export type AskSettings = { threshold: number; answerLength: KnowledgeAnswerLength; sourceIds: string[] | null; extraInstructions: string };
export type Reply = {
  answer: string;
  citations: Citation[];
  confidence: number;
  mode: 'extractive' | 'generated';
  declined: boolean;
  /** Links of the passages retrieval ranked, best first, declined or not (the evaluation's hit@k); not sent to clients. */
  retrieved: string[];
};

/** Passages a generated answer may draw on: more than an extractive one quotes, since the model picks. */
const GENERATION_PASSAGES = 5;

export function declineMessage(repo: RepoRow, why: 'gap' | 'empty' = 'gap'): string {
  const offers = [repo.offers_community ? 'ask the community (free)' : null, repo.offers_expert ? 'ask a paid expert' : null].filter(Boolean);
  const reason = why === 'empty' ? `${repo.full_name} has no docs indexed yet` : `I could not find this in the docs of ${repo.full_name}`;
  return `${reason}, so I would rather not guess.${offers.length ? ` You can ${offers.join(' or ')} instead.` : ''}`;
}

/**
 * Retrieval first; under the confidence threshold the reply declines and points to humans. Above it,
 * a configured model writes the answer from the retrieved passages only; without one, or when the
 * model fails or is too slow, the extractive answer quotes them. The asker always gets a reply.
 */
export async function answerQuestion(deps: Deps, llm: LlmClient | null, input: { repo: RepoRow; index: SearchIndex; question: string; settings: AskSettings }): Promise<Reply> {
  const { repo, index, question, settings } = input;
  if (index.size === 0) return { answer: declineMessage(repo, 'empty'), citations: [], confidence: 0, mode: 'extractive', declined: true, retrieved: [] };
  const queryEmbedding = llm?.embed ? await embedQuestion(deps, llm.embed, question) : null;
  const { outcome, extract } = await index.retrieve(question, { limit: GENERATION_PASSAGES, sourceIds: settings.sourceIds, queryEmbedding }, settings.answerLength);
  const { confidence } = outcome;
  const retrieved = outcome.hits.map((hit) => hit.passage.url);
  if (confidence < settings.threshold || !extract) {
    return { answer: declineMessage(repo), citations: [], confidence, mode: 'extractive', declined: true, retrieved };
  }
  if (llm) {
    try {
      const { messages, maxTokens } = buildMessages({ repo: repo.full_name, question, hits: outcome.hits, extraInstructions: settings.extraInstructions, length: settings.answerLength });
      const parsed = parseGenerated(await llm.complete(messages, { maxTokens }), outcome.hits);
      if (parsed.declined) return { answer: declineMessage(repo), citations: [], confidence, mode: 'generated', declined: true, retrieved };
      return { answer: parsed.answer, citations: parsed.citations, confidence, mode: 'generated', declined: false, retrieved };
    } catch (error) {
      deps.logger.warn({ err: error, repo: repo.full_name, model: llm.model }, 'language model failed: answering extractively instead');
    }
  }
  return { ...extract, confidence, mode: 'extractive', declined: false, retrieved };
}

async function embedQuestion(deps: Deps, embed: (texts: string[]) => Promise<number[][]>, question: string): Promise<number[] | null> {
  try {
    return (await embed([question]))[0] ?? null;
  } catch (error) {
    deps.logger.warn({ err: error }, 'question embedding failed: keyword retrieval only');
    return null;
  }
}
