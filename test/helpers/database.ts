import fs from 'node:fs';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

/**
 * A fresh, migrated database for one test file, on the engine the suite runs on:
 * BACKLINE_TEST_ENGINE=postgres uses the server at TEST_DATABASE_URL (a new database per file, copied
 * from a migrated template when scripts/test.ts made one); otherwise an in-memory PGlite, loaded from
 * a migrated snapshot when there is one (a fresh PGlite takes seconds to initialise).
 */
export const testEngine = process.env.BACKLINE_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

let counter = 0;

export async function freshDatabase(): Promise<DatabaseHandle & { url?: string }> {
  if (testEngine === 'postgres') return freshPostgres();
  const snapshot = process.env.BACKLINE_TEST_PGLITE_SNAPSHOT;
  if (snapshot && fs.existsSync(snapshot)) {
    return openDatabase({ engine: 'pglite', loadDataDir: new Blob([fs.readFileSync(snapshot)]) });
  }
  const handle = await openDatabase({ engine: 'pglite' });
  await migrateToLatest(handle.db);
  return handle;
}

export function serverUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export function databaseUrl(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function freshPostgres(): Promise<DatabaseHandle & { url: string }> {
  const name = `backline_test_${process.pid}_${++counter}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  // Only scripts/test.ts vouches that its template matches the current migrations (it names it per run);
  // a test file run on its own migrates from scratch.
  const templateName = process.env.BACKLINE_TEST_PG_TEMPLATE;
  const template = templateName ? await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [templateName]) : { rowCount: 0 };
  await admin.query(`CREATE DATABASE "${name}"${template.rowCount ? ` TEMPLATE "${templateName}"` : ''}`);
  await admin.end();
  const handle = await openDatabase({ engine: 'postgres', url: databaseUrl(name), poolSize: 10 });
  if (!template.rowCount) await migrateToLatest(handle.db);
  return {
    ...handle,
    /** For tests that start another process (the CLI) on the same database. */
    url: databaseUrl(name),
    async close() {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: serverUrl() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
