import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

/**
 * The channel every live notification travels on: one LISTEN per process, whatever the number of
 * subscribers. Payloads are row ids (UUIDs, unique across tables), e.g. a web conversation's id sent by
 * the trigger of migration 0021, or `cache:<name>` keys (migration 0024); both migrations name this channel.
 */
export const LIVE_CHANNEL = 'backline_live';
/** The keys the triggers of migrations 0024, 0025, 0027 and 0028 send when what the processes' caches copy changes (src/lib/notified-cache.ts). */
export const CACHE_KEYS = { apiTokens: 'cache:api_tokens', repos: 'cache:repos', slaPolicies: 'cache:sla_policies', subscriptions: 'cache:subscriptions', knowledge: 'cache:knowledge', calendars: 'cache:calendars', conversations: 'cache:conversations', userNames: 'cache:user_names', orgs: 'cache:orgs' } as const;
/** How the dedicated connection shows in pg_stat_activity (operators, and the test that drops it). */
export const LISTEN_APPLICATION_NAME = 'backline-listen';
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/** An open LISTEN; `onDrop` of its Listen reports when it is gone. */
export type ListenConnection = { close(): Promise<void> };
/** Starts listening on a channel; engine-specific (below). */
export type Listen = (channel: string, onPayload: (payload: string) => void, onDrop: (error: Error) => void) => Promise<ListenConnection>;
export type HubLogger = { warn(object: object, message: string): void; info(object: object, message: string): void };

export type NotificationHub = {
  /** Calls `listener` whenever `key` is notified, and once each time listening (re)starts. Returns the unsubscribe. */
  subscribe(key: string, listener: () => void): () => void;
  /**
   * Calls this process's subscribers of `key` now, as its notification will: for a writer whose next
   * read must not wait for its own notification to come back from the server.
   */
  announce(key: string): void;
  /** Whether notifications are arriving now: a cache may only trust what it holds while they are. */
  listening(): boolean;
  /** Subscriptions alive (to `key`, or to any), for tests that check streams leave none behind. */
  subscriberCount(key?: string): number;
  close(): Promise<void>;
};

/**
 * Fans the notifications of one channel out to this process's subscribers by key. It connects on the
 * first subscription (a worker or a CLI never does) and reconnects with backoff after a drop. Whatever
 * was notified before listening started, or while it was down, was missed: every subscriber is called
 * when it (re)starts, to read what it may have missed.
 */
export function notificationHub(listen: Listen, logger?: HubLogger, channel = LIVE_CHANNEL): NotificationHub {
  const subscribers = new Map<string, Set<() => void>>();
  let connection: ListenConnection | null = null;
  let connecting = false;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;

  const call = (listeners: Iterable<() => void>) => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        logger?.warn({ err: error }, 'live notification: a subscriber failed');
      }
    }
  };
  const retry = () => {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryTimer.unref(); // a retry alone must not keep a stopping process alive
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };
  const onDrop = (error: Error) => {
    connection = null;
    logger?.warn({ err: error }, 'live notification: the LISTEN connection dropped; reconnecting');
    retry();
  };

  async function connect() {
    if (closed || connection || connecting) return;
    connecting = true;
    try {
      const opened = await listen(channel, (key) => call(subscribers.get(key) ?? []), onDrop);
      if (closed) return void (await opened.close());
      connection = opened;
      if (retryMs !== FIRST_RETRY_MS) logger?.info({}, 'live notification: listening again');
      retryMs = FIRST_RETRY_MS;
      call([...subscribers.values()].flatMap((listeners) => [...listeners]));
    } catch (error) {
      logger?.warn({ err: error }, 'live notification: LISTEN failed; retrying');
      retry();
    } finally {
      connecting = false;
    }
  }

  return {
    subscribe(key, listener) {
      const listeners = subscribers.get(key) ?? new Set();
      subscribers.set(key, listeners.add(listener));
      void connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && subscribers.get(key) === listeners) subscribers.delete(key);
      };
    },
    announce: (key) => call(subscribers.get(key) ?? []),
    listening: () => connection !== null,
    subscriberCount: (key) => (key === undefined ? [...subscribers.values()] : [subscribers.get(key) ?? new Set()]).reduce((sum, listeners) => sum + listeners.size, 0),
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await connection?.close();
      connection = null;
    },
  };
}

/** PostgreSQL: one dedicated connection outside the pool (a pooled one would be handed to queries, and LISTEN is per session). */
export function postgresListen(url: string): Listen {
  return async (channel, onPayload, onDrop) => {
    // Keepalive: a connection lost without a word (a network cut) is noticed and replaced.
    const client = new pg.Client({ connectionString: url, application_name: LISTEN_APPLICATION_NAME, keepAlive: true });
    let listening = false;
    const drop = (error: Error) => {
      if (!listening) return; // a failure before LISTEN is the caller's rejected promise
      listening = false;
      onDrop(error);
    };
    client.on('error', drop);
    client.on('end', () => drop(new Error('the LISTEN connection ended')));
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload) onPayload(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    listening = true;
    return {
      async close() {
        listening = false;
        await client.end().catch(() => {});
      },
    };
  };
}

/**
 * PGlite: the one in-process session, which cannot drop. LISTEN goes through the pool like any query:
 * sent beside it, it could land inside another caller's open transaction and be undone by its rollback.
 */
export function pgliteListen(pglite: PGlite, db: Database): Listen {
  return async (channel, onPayload) => {
    const off = pglite.onNotification((name, payload) => {
      if (name === channel && payload) onPayload(payload);
    });
    await sql`LISTEN ${sql.id(channel)}`.execute(db);
    return { close: async () => off() };
  };
}
