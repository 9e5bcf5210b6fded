import { Worker } from 'node:worker_threads';
import type { KnowledgeAnswerLength } from '../../db/types.ts';
import type { IndexedPassage, SearchParams } from './knowledge.index.ts';
import type { Retrieval } from './knowledge.retrieve.ts';
import type { SearchCall, SearchRequest } from './knowledge.search-thread.ts';

/** A repository's index as the ask path uses it: it lives on the search thread. */
export type SearchIndex = {
  readonly size: number;
  /** False once the search thread that holds it has stopped: the cache builds it again. */
  readonly usable: boolean;
  retrieve(question: string, params: SearchParams, length: KnowledgeAnswerLength): Promise<Retrieval>;
};

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };

/**
 * Retrieval runs on a thread of its own, so that it uses the second core. Scoring a question against
 * 10,000 passages (BM25 over two fields) is most of an answer's CPU, and on the server's thread it
 * queued behind the HTTP stack and, with the embedded database, behind the database itself: four
 * concurrent askers waited for one core while the other idled. Every index of this process lives on
 * that thread; an index the cache lets go is dropped there when its handle here is collected.
 */
export class SearchThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextCall = 1;
  private nextIndex = 1;
  /** Counts the threads started: an index belongs to the one that built it. */
  private generation = 0;
  private readonly released = new FinalizationRegistry<{ indexId: number; generation: number }>(({ indexId, generation }) => {
    if (this.worker && generation === this.generation) this.worker.postMessage({ kind: 'drop', indexId } satisfies SearchRequest);
  });

  /** Sends the passages to the search thread, which indexes them; resolves with the handle to ask it. */
  async build(passages: IndexedPassage[]): Promise<SearchIndex> {
    const worker = this.started();
    const generation = this.generation;
    const indexId = this.nextIndex++;
    const size = await this.send<number>(worker, { kind: 'build', indexId, passages });
    const thread = this;
    const index: SearchIndex = {
      size,
      get usable() {
        return thread.worker !== null && thread.generation === generation;
      },
      retrieve: (question, params, length) => (index.usable ? this.send<Retrieval>(this.worker!, { kind: 'retrieve', indexId, question, params, length }) : Promise.reject(new Error('the search thread stopped'))),
    };
    this.released.register(index, { indexId, generation });
    return index;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./knowledge.search-thread.ts', import.meta.url));
    this.generation++;
    worker.unref();
    worker.on('message', ({ call, result, error }: { call: number; result?: unknown; error?: string }) => {
      const pending = this.pending.get(call);
      this.pending.delete(call);
      if (this.pending.size === 0) worker.unref();
      if (error !== undefined) pending?.reject(new Error(`search: ${error}`));
      else pending?.resolve(result);
    });
    const stopped = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the search thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /** One request; the thread keeps the process alive only while an answer is awaited. */
  private send<T>(worker: Worker, request: SearchCall): Promise<T> {
    const call = this.nextCall++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(call, { resolve: resolve as (result: unknown) => void, reject });
      worker.ref();
      worker.postMessage({ ...request, call } satisfies SearchRequest);
    });
  }
}
