import type { NotificationHub } from '../../src/db/notify.ts';

/** A hub whose notifications and listening state the test sets. */
export function fakeHub() {
  const listeners = new Map<string, Set<() => void>>();
  const hub = {
    up: true,
    subscribe(key: string, listener: () => void) {
      listeners.set(key, (listeners.get(key) ?? new Set()).add(listener));
      return () => listeners.get(key)?.delete(listener);
    },
    announce: (key: string) => listeners.get(key)?.forEach((listener) => listener()),
    listening: () => hub.up,
    subscriberCount: (key?: string) => (key === undefined ? [...listeners.values()] : [listeners.get(key) ?? new Set()]).reduce((sum, set) => sum + set.size, 0),
    close: async () => {},
  };
  return hub satisfies NotificationHub;
}
