import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql, type SelectQueryBuilder, type Transaction } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { cacheWrites } from './cache-writes.ts';
import { notificationHub, pgliteListen, postgresListen, type HubLogger, type NotificationHub } from './notify.ts';
import { PGlitePool } from './pglite-pool.ts';
import { withPreparedStatements } from './prepared-statements.ts';
import type { DB } from './types.ts';

export type Database = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Either the database or an open transaction: what repositories accept so callers choose the scope. */
export type Queryable = Kysely<DB> | Transaction<DB>;
export type Engine = 'pglite' | 'postgres';
/**
 * A subquery of ids that the module owning the table hands to another module, which composes it into
 * its own statement: one round trip instead of fetching the ids first and sending them back.
 */
export type IdSubquery = SelectQueryBuilder<DB, keyof DB, { id: string }>;
/**
 * `where(column, '=', anyId(ids))`: any of these ids, sent as one array parameter, so that the statement
 * is the same however many there are (an `in` list is a new statement, and a new plan, for each count).
 */
export const anyId = (ids: readonly string[]) => sql<string>`any(${ids}::uuid[])`;

export type DatabaseHandle = {
  db: Database;
  engine: Engine;
  /** LISTEN/NOTIFY fan-out of this process (src/db/notify.ts); connects on its first subscriber. */
  notifications: NotificationHub;
  close(): Promise<void>;
  /** PGlite only: the whole data directory as a tarball (test snapshots, backups). */
  dumpDataDir?: () => Promise<Blob>;
};

export type OpenOptions = (
  | { engine: 'postgres'; url: string; poolSize?: number; /** Default on; see prepared-statements.ts. */ preparedStatements?: boolean }
  | { engine: 'pglite'; dataDir?: string; loadDataDir?: Blob }
) & { /** Where the notification hub reports a dropped LISTEN connection. */ logger?: HubLogger };

const INT8_OID = 20;

/** node-postgres returns int8 as a string; PGlite returns a number. Both return numbers here. */
function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`int8 value ${value} does not fit in a JavaScript number`);
  return parsed;
}

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if (options.engine === 'postgres') {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // A dropped connection (server restart, pg_terminate_backend) must not crash the process; the pool
    // replaces it. The pool only listens to its idle clients: a client checked out between two queries
    // (inside a transaction, or held by a job) reports the drop on itself, and an 'error' event nobody
    // listens to ends the process. The query in progress, if any, still fails with the error.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const writes = cacheWrites();
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: options.preparedStatements === false ? pool : withPreparedStatements(pool) }), plugins: [writes.plugin] });
    const notifications = notificationHub(postgresListen(options.url), options.logger);
    writes.announceTo(notifications);
    return {
      db,
      engine: 'postgres',
      notifications,
      close: async () => {
        await notifications.close();
        await db.destroy();
      },
    };
  }

  const releaseLock = options.dataDir ? lockDataDir(options.dataDir) : () => {};
  try {
    const pglite = new PGlite({
      dataDir: options.dataDir,
      loadDataDir: options.loadDataDir,
      extensions: { pg_trgm, btree_gist },
      parsers: { [INT8_OID]: (value: string) => parseInt8(value) },
    });
    await pglite.waitReady;
    const writes = cacheWrites();
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }), plugins: [writes.plugin] });
    const notifications = notificationHub(pgliteListen(pglite, db), options.logger);
    writes.announceTo(notifications);
    return {
      db,
      engine: 'pglite',
      notifications,
      dumpDataDir: () => pglite.dumpDataDir('none'),
      close: async () => {
        // PGlite arms a timer to flush statistics once idle; one still armed at close keeps the
        // process alive for ever. Forcing the flush with a last statement disarms it.
        await pglite.query('SELECT pg_stat_force_next_flush()').catch(() => {});
        await notifications.close();
        await db.destroy();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/**
 * PGlite's files may be opened by one process only; a second one would corrupt them.
 * A lock file holding the owner's pid makes the second process stop with a clear message.
 */
function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'backline.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(lockPath, 'utf8'));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by process ${owner}. Stop it, or set DATABASE_URL to share a PostgreSQL server between processes.`,
        );
      }
      fs.rmSync(lockPath, { force: true }); // stale lock from a process that died
    }
  }
  throw new Error(`Could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
