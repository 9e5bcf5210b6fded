import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { CACHE_KEYS, type NotificationHub } from './notify.ts';

type Watch = { key: string; inserts: boolean; columns?: readonly string[] };

/**
 * What the processes' caches copy (src/lib/notified-cache.ts), table by table: the key a write empties,
 * and for an update the columns that matter (none listed: any). A table several caches copy has a watch
 * for each. The same rules as the triggers of migrations 0024, 0025, 0027 and 0028, which tell the other
 * processes; this tells this one, at once.
 */
const WATCHED: Record<string, Watch[]> = {
  api_tokens: [{ key: CACHE_KEYS.apiTokens, inserts: false, columns: ['revoked_at', 'token_hash', 'user_id'] }],
  users: [
    { key: CACHE_KEYS.apiTokens, inserts: false, columns: ['email', 'is_operator'] },
    { key: CACHE_KEYS.userNames, inserts: false, columns: ['display_name'] },
  ],
  orgs: [{ key: CACHE_KEYS.orgs, inserts: false, columns: ['slug'] }],
  repos: [{ key: CACHE_KEYS.repos, inserts: false }],
  repo_maintainers: [{ key: CACHE_KEYS.repos, inserts: true }],
  sla_policies: [{ key: CACHE_KEYS.slaPolicies, inserts: true, columns: ['repo_id'] }],
  subscriptions: [{ key: CACHE_KEYS.subscriptions, inserts: true, columns: ['repo_id'] }],
  knowledge_settings: [{ key: CACHE_KEYS.knowledge, inserts: true }],
  business_calendars: [{ key: CACHE_KEYS.calendars, inserts: false }],
  conversations: [{ key: CACHE_KEYS.conversations, inserts: true, columns: ['ticket_id', 'channel'] }],
};

/**
 * A Kysely plugin that announces, once a statement written with the query builder has run, the cache key
 * its write changes, to this process's subscribers. Without it a write's own process would only hear of
 * it when the trigger's notification came back from the server: on PostgreSQL, on another connection, at
 * a moment of its own, so the next request (a test's, a maintainer's page reload) could still find the
 * old row kept. Raw `sql` statements are not read; they are left to the trigger.
 *
 * Inside a transaction the announcement comes before the commit: a read in between may keep the row as
 * it was, until the trigger's notification at commit empties the cache again.
 */
export function cacheWrites() {
  let hub: NotificationHub | undefined;
  const pending = new WeakMap<QueryId, string[]>();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      const keys = keysWrittenBy(node);
      if (keys.length) pending.set(queryId, keys);
      return node;
    },
    async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      for (const key of pending.get(queryId) ?? []) hub?.announce(key);
      return result;
    },
  };
  return {
    plugin,
    /** The hub is made after the database it listens through. */
    announceTo(next: NotificationHub) {
      hub = next;
    },
  };
}

/** The keys of the caches a write changes: none for a read or a table no cache copies. */
function keysWrittenBy(node: RootOperationNode): string[] {
  const watchesOf = (table: OperationNode | undefined) => WATCHED[tableName(table) ?? ''] ?? [];
  switch (node.kind) {
    case 'UpdateQueryNode': {
      const columns = (node.updates ?? []).map((update) => nameOf(update.column));
      return watchesOf(node.table)
        .filter((watch) => !watch.columns || columns.some((column) => column !== undefined && watch.columns!.includes(column)))
        .map((watch) => watch.key);
    }
    case 'InsertQueryNode':
      return watchesOf(node.into).filter((watch) => watch.inserts).map((watch) => watch.key);
    case 'DeleteQueryNode':
      return [...new Set(node.from.froms.flatMap((from) => watchesOf(from).map((watch) => watch.key)))];
    default:
      return [];
  }
}

/** The table a TableNode names, or an aliased one (`users as u`). */
function tableName(node: OperationNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.kind === 'AliasNode') return tableName((node as unknown as { node: OperationNode }).node);
  if (node.kind === 'TableNode') return (node as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
  return undefined;
}

function nameOf(node: OperationNode): string | undefined {
  return node.kind === 'ColumnNode' ? (node as unknown as { column: { name: string } }).column.name : undefined;
}
