import { KnowledgeIndex, type IndexedPassage } from './knowledge.index.ts';

type Entry = { version: number; index: Promise<KnowledgeIndex> };

/**
 * The in-memory index of each repository, built from its passages in the database and kept while its
 * version matches knowledge_settings.index_version. Ingestion bumps the version in the transaction
 * that changes the passages, so every process (several servers may share one PostgreSQL) sees the
 * new version on its next question and rebuilds. Concurrent questions share one build; the least
 * recently used repositories are dropped beyond `capacity`.
 */
export class IndexCache {
  private readonly entries = new Map<string, Entry>();
  private readonly capacity: number;

  constructor(capacity = 200) {
    this.capacity = capacity;
  }

  async get(repoId: string, version: number, load: () => Promise<IndexedPassage[]>): Promise<KnowledgeIndex> {
    const cached = this.entries.get(repoId);
    if (cached && cached.version === version) {
      this.entries.delete(repoId);
      this.entries.set(repoId, cached);
      return cached.index;
    }
    const index = load().then((passages) => new KnowledgeIndex(passages));
    const entry = { version, index };
    this.entries.set(repoId, entry);
    index.catch(() => {
      if (this.entries.get(repoId) === entry) this.entries.delete(repoId);
    });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return index;
  }

  /** Drops a repository's index (a process that just changed it need not wait for the next question). */
  invalidate(repoId: string): void {
    this.entries.delete(repoId);
  }
}
