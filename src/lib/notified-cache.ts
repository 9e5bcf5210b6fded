import type { NotificationHub } from '../db/notify.ts';
import type { Clock } from './clock.ts';
import { rememberRecent } from './lru.ts';

/**
 * A per-process cache of rows any process may change, for reads on every request (the API token, the
 * repository and the caller's role in it), each of which otherwise costs a round trip to the database.
 *
 * It is emptied whenever `key` is notified: a trigger on the tables it copies sends that key when they
 * change, from whatever process or script changed them (migration 0024), and a writer in this process
 * announces it at once (NotificationHub.announce). It is trusted only while notifications arrive: before
 * listening starts and while it is down every call reads through, and listening (re)starting empties it,
 * for what was missed meanwhile. An entry also expires after `maxAgeMs`, however quiet the channel.
 *
 * A read that was under way when the key was notified may have read the row before the change, so its
 * answer is returned but not kept (the generation tells).
 */
export type NotifiedCache<V> = {
  get(key: string, read: () => Promise<V | undefined>): Promise<V | undefined>;
  /** Several keys at once: the kept ones from memory, the others with one `read` of them all (found ones by key). */
  getMany(keys: string[], read: (missing: string[]) => Promise<Map<string, V>>): Promise<Map<string, V>>;
  /** Replaces a kept entry after the caller wrote that row itself (a token's last use). */
  update(key: string, value: V): void;
};

/** How many entries a per-repository cache keeps (one per repository), and for how long at most. */
export const PER_REPOSITORY = { capacity: 10_000, maxAgeMs: 60_000 };

export function notifiedCache<V>(hub: NotificationHub, notifyKey: string, options: { capacity: number; maxAgeMs: number; clock: Clock }): NotifiedCache<V> {
  const now = () => options.clock.now().getTime();
  const entries = new Map<string, { value: V; at: number }>();
  let generation = 0;
  let subscribed = false;
  const empty = () => {
    generation++;
    entries.clear();
  };
  /** The kept value of `key` while younger than maxAgeMs (values are never undefined: absent rows are not kept). */
  const keptFresh = (key: string, at = now()): V | undefined => {
    const kept = entries.get(key);
    return kept && at - kept.at < options.maxAgeMs ? kept.value : undefined;
  };
  const getMany: NotifiedCache<V>['getMany'] = async (keys, read) => {
    // Subscribing opens the process's LISTEN connection, so it waits for the first use: a CLI never does.
    if (!subscribed) {
      subscribed = true;
      hub.subscribe(notifyKey, empty);
    }
    const wanted = [...new Set(keys)];
    if (!hub.listening()) return read(wanted);
    const found = new Map<string, V>();
    const at = now();
    const missing = wanted.filter((key) => {
      const kept = keptFresh(key, at);
      if (kept !== undefined) found.set(key, kept);
      return kept === undefined;
    });
    if (missing.length === 0) return found;
    const before = generation;
    const fresh = await read(missing);
    const keep = before === generation && hub.listening();
    for (const key of missing) {
      const value = fresh.get(key);
      if (value !== undefined) found.set(key, value);
      if (value !== undefined && keep) rememberRecent(entries, key, { value, at: now() }, options.capacity);
      else entries.delete(key);
    }
    return found;
  };
  return {
    async get(key, read) {
      // The usual answer (kept and fresh) without getMany's sets and maps: every request asks several times.
      const kept = subscribed && hub.listening() ? keptFresh(key) : undefined;
      if (kept !== undefined) return kept;
      const found = await getMany([key], async () => {
        const value = await read();
        return new Map(value === undefined ? [] : [[key, value]]);
      });
      return found.get(key);
    },
    getMany,
    update(key, value) {
      const kept = entries.get(key);
      if (kept) kept.value = value;
    },
  };
}

/**
 * How many names a names cache keeps, and for how long at most: the notification is what empties it, the
 * age only bounds how long a name could be out of date were notifications ever lost while listening.
 */
const PER_NAME = { capacity: 50_000, maxAgeMs: 10 * 60_000 };

/**
 * The names lists show beside many rows (a ticket's repository, people, organization), by id: kept in a
 * notified cache, the missing ones read with one `read`. An id that `read` does not find is absent from
 * the answer.
 */
export function keptNames(hub: NotificationHub, notifyKey: string, clock: Clock, read: (ids: string[]) => Promise<{ id: string; name: string }[]>) {
  const cache = notifiedCache<string>(hub, notifyKey, { ...PER_NAME, clock });
  return async (ids: string[]): Promise<Map<string, string>> =>
    ids.length === 0 ? new Map() : cache.getMany(ids, async (missing) => new Map((await read(missing)).map((row) => [row.id, row.name])));
}
