import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { CACHE_KEYS, type NotificationHub } from './notify.ts';

/**
 * What the processes' caches copy (src/lib/notified-cache.ts), table by table: the key a write empties,
 * and for an update the columns that matter (none listed: any). The same rules as the triggers of
 * migrations 0024, 0025 and 0027, which tell the other processes; this tells this one, at once.
 */
const WATCHED: Record<string, { key: string; inserts: boolean; columns?: readonly string[] }> = {
  api_tokens: { key: CACHE_KEYS.apiTokens, inserts: false, columns: ['revoked_at', 'token_hash', 'user_id'] },
  users: { key: CACHE_KEYS.apiTokens, inserts: false, columns: ['email', 'is_operator'] },
  repos: { key: CACHE_KEYS.repos, inserts: false },
  repo_maintainers: { key: CACHE_KEYS.repos, inserts: true },
  sla_policies: { key: CACHE_KEYS.slaPolicies, inserts: true, columns: ['repo_id'] },
  subscriptions: { key: CACHE_KEYS.subscriptions, inserts: true, columns: ['repo_id'] },
  knowledge_settings: { key: CACHE_KEYS.knowledge, inserts: true },
  business_calendars: { key: CACHE_KEYS.calendars, inserts: false },
  conversations: { key: CACHE_KEYS.conversations, inserts: true, columns: ['ticket_id', 'channel'] },
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
  const pending = new WeakMap<QueryId, string>();
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
      const key = keyWrittenBy(node);
      if (key) pending.set(queryId, key);
      return node;
    },
    async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      const key = pending.get(queryId);
      if (key) hub?.announce(key);
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

function keyWrittenBy(node: RootOperationNode): string | undefined {
  switch (node.kind) {
    case 'UpdateQueryNode': {
      const watched = node.table && WATCHED[tableName(node.table) ?? ''];
      if (!watched) return undefined;
      const columns = (node.updates ?? []).map((update) => nameOf(update.column));
      return !watched.columns || columns.some((column) => column !== undefined && watched.columns!.includes(column)) ? watched.key : undefined;
    }
    case 'InsertQueryNode': {
      const watched = WATCHED[tableName(node.into) ?? ''];
      return watched?.inserts ? watched.key : undefined;
    }
    case 'DeleteQueryNode':
      return node.from.froms.map((from) => WATCHED[tableName(from) ?? '']?.key).find(Boolean);
    default:
      return undefined;
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
