import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { rowObjects } from './row-objects.ts';

/**
 * Named prepared statements for node-postgres, which otherwise sends every statement unnamed: PostgreSQL
 * then parses, analyses and plans it on every execution. For a ticket read that was 0.4 ms of PostgreSQL
 * CPU against 0.06 ms prepared; across the benchmark's requests it halved PostgreSQL's CPU per request.
 *
 * A statement with parameters is prepared on a connection the second time it runs there (one-off texts
 * stay unnamed), up to MAX_PREPARED per connection, which bounds the server's memory. Statements without
 * parameters (BEGIN, COMMIT, migrations with several commands) always run unnamed.
 *
 * When another process changes the schema, a prepared statement whose result columns changed (SELECT *
 * on a table that gained a column) fails with "cached plan must not change result type". The connection
 * is then closed on release, so its statements are prepared afresh on a new one; outside a transaction
 * the statement is retried unnamed at once, inside one the transaction fails (once per connection).
 *
 * The same wrapper is where every statement's rows come back: read as arrays and made objects by
 * row-objects.ts, through node-postgres' callback form (see `send`).
 */
const MAX_PREPARED = 200;

type Statements = { names: Map<string, string>; seenOnce: Set<string>; inTransaction: boolean; stale: boolean };

const BEGINS = /^\s*(begin|start transaction)\b/i;
const ENDS = /^\s*(commit|rollback|end)\s*;?\s*$/i;

export function withPreparedStatements(pool: pg.Pool): PostgresPool {
  // One wrapper per connection: Kysely keeps its own state per client object it is given.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  let counter = 0;
  const newName = () => `backline_${++counter}`;
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = wrap(client, { names: new Map(), seenOnce: new Set(), inTransaction: false, stale: false }, newName)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}

function wrap(client: pg.PoolClient, statements: Statements, newName: () => string): PostgresPoolClient {
  const query = (text: string, parameters: ReadonlyArray<unknown>) => run(client, statements, newName, text, parameters);
  return {
    query: query as PostgresPoolClient['query'],
    // A connection holding a stale statement is closed rather than handed to the next request.
    release: () => client.release(statements.stale ? true : undefined),
  };
}

async function run(client: pg.PoolClient, statements: Statements, newName: () => string, text: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<unknown>> {
  if (BEGINS.test(text)) statements.inTransaction = true;
  else if (ENDS.test(text)) statements.inTransaction = false;
  const values = [...parameters];
  // Without parameters a text may hold several statements (a migration), whose results come as a list.
  if (values.length === 0) return send(client, { text }, (result) => result as unknown as PostgresQueryResult<unknown>);
  const name = statements.stale ? undefined : nameFor(statements, newName, text, values.length);
  if (!name) return send(client, { text, values, rowMode: 'array' }, withRowObjects);
  try {
    return await send(client, { name, text, values, rowMode: 'array' }, withRowObjects);
  } catch (error) {
    if (!isStalePlan(error)) throw error;
    statements.stale = true;
    if (statements.inTransaction) throw error;
    return send(client, { text, values, rowMode: 'array' }, withRowObjects);
  }
}

/**
 * node-postgres' callback form, not its promise: the promise it makes for a query kept the query's
 * result reachable after the caller was done with it, long enough for V8 to move every result to the
 * old generation (16 loops of the queue statement: some 40 MB a second) and to collect them there with
 * full collections, a pause of 330 ms in 5.5 s against 110 with callbacks, which move nothing.
 */
function send<T>(client: pg.PoolClient, config: pg.QueryConfig & { rowMode?: 'array' }, take: (result: pg.QueryResult<unknown[]>) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    client.query(config as pg.QueryArrayConfig, (error: Error | null, result: pg.QueryArrayResult) => (error ? reject(error) : resolve(take(result))));
  });
}

/** node-postgres reads the rows as arrays, and they are made objects here (see row-objects.ts). */
function withRowObjects(result: pg.QueryResult<unknown[]>): PostgresQueryResult<unknown> {
  return { command: result.command as PostgresQueryResult<unknown>['command'], rowCount: result.rowCount ?? 0, rows: rowObjects(result.fields, result.rows) };
}

function nameFor(statements: Statements, newName: () => string, text: string, parameterCount: number): string | undefined {
  const known = statements.names.get(text);
  if (known || parameterCount === 0 || statements.names.size >= MAX_PREPARED) return known;
  if (!statements.seenOnce.has(text)) {
    // Forgetting what was seen once only delays preparing a statement by one more run.
    if (statements.seenOnce.size >= 10 * MAX_PREPARED) statements.seenOnce.clear();
    statements.seenOnce.add(text);
    return undefined;
  }
  statements.seenOnce.delete(text);
  const name = newName();
  statements.names.set(text, name);
  return name;
}

function isStalePlan(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return code === '0A000' && /cached plan must not change result type/.test(message ?? '');
}
