import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { Deps } from '../../src/deps.ts';
import { systemClock } from '../../src/lib/clock.ts';

/**
 * Benchmarks run on PostgreSQL when DATABASE_URL is set (in a fresh database they drop afterwards),
 * otherwise on an in-memory PGlite. `--quick` shrinks every size for the CI smoke run.
 */
export function benchArgs(defaults: Record<string, number>) {
  const options = Object.fromEntries(Object.keys(defaults).map((key) => [key, { type: 'string' as const }]));
  const { values } = parseArgs({ args: process.argv.slice(2), options: { ...options, quick: { type: 'boolean' } }, allowPositionals: true });
  const given = values as Record<string, string | boolean | undefined>;
  const quick = Boolean(given.quick) || process.env.BENCH_QUICK === '1';
  const sizes: Record<string, number> = Object.fromEntries(
    Object.entries(defaults).map(([key, value]) => [key, given[key] !== undefined ? Number(given[key]) : quick ? Math.max(1, Math.ceil(value / 100)) : value]),
  );
  return { sizes, quick };
}

export async function openBenchDatabase(name: string): Promise<DatabaseHandle> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await openDatabase({ engine: 'pglite' });
    await migrateToLatest(handle.db);
    return handle;
  }
  // Named after the database in the URL, so runs from several checkouts sharing one server are told apart.
  const database = `${new URL(serverUrl).pathname.slice(1).replace(/\W/g, '_') || 'bench'}_${name}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const handle = await openDatabase({ engine: 'postgres', url: url.toString(), poolSize: 20 });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    async close() {
      await handle.close();
      // BENCH_KEEP_DATABASE=1 leaves the seeded database behind, to EXPLAIN statements on it; drop it yourself.
      if (process.env.BENCH_KEEP_DATABASE === '1') {
        console.log(`Kept the database ${database}`);
        return;
      }
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** The real app on a loopback port, logging nothing, with rate limits out of the way. */
export async function startBenchApp(handle: DatabaseHandle, env: Record<string, string> = {}) {
  const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000000', SIGNIN_RATE_LIMIT_PER_HOUR: '100000', ...env });
  const deps: Deps = {
    config,
    db: handle.db,
    engine: handle.engine,
    notifications: handle.notifications,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    mail: { name: 'dev-outbox', send: async () => {} },
    github: null,
  };
  const { app, services } = await buildApp(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, services, deps, baseUrl: `http://127.0.0.1:${port}` };
}
