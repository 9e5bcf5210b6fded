import { CACHE_KEYS, type NotificationHub } from '../../db/notify.ts';
import type { Clock } from '../../lib/clock.ts';
import { rememberRecent } from '../../lib/lru.ts';
import { notifiedCache, PER_REPOSITORY, type NotifiedCache } from '../../lib/notified-cache.ts';
import type { IndexedPassage } from './knowledge.index.ts';
import type { SearchIndex } from './knowledge.searcher.ts';

/** What the cache needs to know of a repository's settings: the version of its passages. */
export type Versioned = { version: number };
type Entry = { version: number; index: Promise<SearchIndex> };

/**
 * The in-memory index (and settings) of each repository, built from its passages in the database.
 * Ingestion bumps knowledge_settings.index_version in the transaction that changes the passages. The
 * settings are kept per process until they change (`cache:knowledge`, migration 0025's trigger, sent
 * whichever process wrote them; this process's own writes drop its entry at once), so a question costs
 * no read of them, and an index is rebuilt when the version it was built from is no longer the kept
 * one. Concurrent questions share one build; the least recently used repositories are dropped beyond
 * `capacity`.
 */
export class IndexCache<S extends Versioned = Versioned> {
  private readonly indexes = new Map<string, Entry>();
  private readonly hub: NotificationHub;
  private readonly settings: NotifiedCache<S>;
  private readonly capacity: number;
  private readonly buildIndex: (passages: IndexedPassage[]) => Promise<SearchIndex>;

  constructor(hub: NotificationHub, clock: Clock, buildIndex: (passages: IndexedPassage[]) => Promise<SearchIndex>, capacity = 200) {
    this.hub = hub;
    this.settings = notifiedCache<S>(hub, CACHE_KEYS.knowledge, { ...PER_REPOSITORY, clock });
    this.buildIndex = buildIndex;
    this.capacity = capacity;
  }

  async get(repoId: string, readSettings: () => Promise<S>, readPassages: () => Promise<IndexedPassage[]>): Promise<{ settings: S; index: SearchIndex }> {
    const settings = (await this.settings.get(repoId, readSettings))!;
    let entry = this.indexes.get(repoId);
    if (!entry || entry.version !== settings.version) entry = { version: settings.version, index: this.build(repoId, readPassages) };
    rememberRecent(this.indexes, repoId, entry, this.capacity);
    const index = await entry.index;
    // The search thread holding it stopped (it crashed): built again on a new one.
    if (!index.usable) {
      if (this.indexes.get(repoId) === entry) this.indexes.delete(repoId);
      return this.get(repoId, readSettings, readPassages);
    }
    return { settings, index };
  }

  /**
   * This process changed a repository's passages or settings and committed: what it kept goes now, where
   * the trigger's notification would come a moment later (the version bump is raw SQL, which the
   * statement hook does not read).
   */
  invalidate(): void {
    this.hub.announce(CACHE_KEYS.knowledge);
  }

  private build(repoId: string, readPassages: () => Promise<IndexedPassage[]>): Promise<SearchIndex> {
    const index = readPassages().then(this.buildIndex);
    // A failed build is not kept: the next question tries again.
    index.catch(() => this.indexes.delete(repoId));
    return index;
  }
}
