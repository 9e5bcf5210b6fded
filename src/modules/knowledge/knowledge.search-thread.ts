import { parentPort } from 'node:worker_threads';
import type { KnowledgeAnswerLength } from '../../db/types.ts';
import { KnowledgeIndex, type IndexedPassage, type SearchParams } from './knowledge.index.ts';
import { retrieve } from './knowledge.retrieve.ts';

/**
 * The search thread's side (see knowledge.searcher.ts): it holds every index this process built and
 * answers questions against them, one message at a time, in order.
 */
/** A request that expects an answer; `call` numbers it. */
export type SearchCall =
  | { kind: 'build'; indexId: number; passages: IndexedPassage[] }
  | { kind: 'retrieve'; indexId: number; question: string; params: SearchParams; length: KnowledgeAnswerLength };
export type SearchRequest = (SearchCall & { call: number }) | { kind: 'drop'; indexId: number };

const indexes = new Map<number, KnowledgeIndex>();

parentPort!.on('message', (request: SearchRequest) => {
  if (request.kind === 'drop') {
    indexes.delete(request.indexId);
    return;
  }
  try {
    if (request.kind === 'build') {
      const index = new KnowledgeIndex(request.passages);
      indexes.set(request.indexId, index);
      parentPort!.postMessage({ call: request.call, result: index.size });
      return;
    }
    const index = indexes.get(request.indexId);
    if (!index) throw new Error(`index ${request.indexId} is not on the search thread`);
    parentPort!.postMessage({ call: request.call, result: retrieve(index, request.question, request.params, request.length) });
  } catch (error) {
    parentPort!.postMessage({ call: request.call, error: error instanceof Error ? error.message : String(error) });
  }
});
