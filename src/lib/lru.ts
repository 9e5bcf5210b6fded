/**
 * Puts `value` at `key` as the most recently used entry of `map` (a Map keeps insertion order), then drops
 * the least recently used entries beyond `capacity`: the in-memory caches' one eviction rule.
 */
export function rememberRecent<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > capacity) map.delete(map.keys().next().value!);
}
