import type { Clock } from '../../lib/clock.ts';
import { rememberRecent } from '../../lib/lru.ts';
import type { IndexedPassage } from './knowledge.index.ts';
import type { SearchIndex } from './knowledge.searcher.ts';

/** What the cache needs to know of a repository's settings: the version of its passages. */
export type Versioned = { version: number };
type Entry<S> = { settings: S; checkedAt: number; index: Promise<SearchIndex> };

/**
 * The in-memory index (and settings) of each repository, built from its passages in the database.
 * Ingestion bumps knowledge_settings.index_version in the transaction that changes the passages and
 * drops this process's entry at once. Other processes sharing the database read the version again at
 * most `recheckMs` after their last look, and rebuild when it moved: a question there may be answered
 * from the previous index for that long, and the settings row is not read on every question (it was
 * a third of the database work of an answer). Concurrent questions share one build; the least
 * recently used repositories are dropped beyond `capacity`.
 */
export class IndexCache<S extends Versioned = Versioned> {
  private readonly entries = new Map<string, Entry<S>>();
  private readonly clock: Clock;
  private readonly recheckMs: number;
  private readonly capacity: number;
  private readonly buildIndex: (passages: IndexedPassage[]) => Promise<SearchIndex>;

  constructor(clock: Clock, buildIndex: (passages: IndexedPassage[]) => Promise<SearchIndex>, recheckMs = 1000, capacity = 200) {
    this.clock = clock;
    this.buildIndex = buildIndex;
    this.recheckMs = recheckMs;
    this.capacity = capacity;
  }

  async get(repoId: string, readSettings: () => Promise<S>, readPassages: () => Promise<IndexedPassage[]>): Promise<{ settings: S; index: SearchIndex }> {
    const now = this.clock.now().getTime();
    let entry = this.entries.get(repoId);
    if (!entry || now - entry.checkedAt >= this.recheckMs) {
      const settings = await readSettings();
      const index = entry && entry.settings.version === settings.version ? entry.index : this.build(repoId, readPassages);
      entry = { settings, checkedAt: now, index };
    }
    rememberRecent(this.entries, repoId, entry, this.capacity);
    const index = await entry.index;
    // The search thread holding it stopped (it crashed): built again on a new one.
    if (!index.usable) {
      if (this.entries.get(repoId) === entry) this.invalidate(repoId);
      return this.get(repoId, readSettings, readPassages);
    }
    return { settings: entry.settings, index };
  }

  /** Drops a repository's entry: this process changed its passages or settings. */
  invalidate(repoId: string): void {
    this.entries.delete(repoId);
  }

  private build(repoId: string, readPassages: () => Promise<IndexedPassage[]>): Promise<SearchIndex> {
    const index = readPassages().then(this.buildIndex);
    // A failed build is not kept: the next question tries again.
    index.catch(() => this.invalidate(repoId));
    return index;
  }
}
