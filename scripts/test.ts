/**
 * `npm test`: every test file on the embedded PGlite, then the whole suite again on PostgreSQL when
 * DATABASE_URL (or TEST_DATABASE_URL) is set. Prepares a migrated PGlite snapshot and a migrated
 * PostgreSQL template database first, so each test file starts from a fresh copy in well under a second.
 * Ends with one line of totals: "tests: N passed, N failed".
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { ensureWebBuilt } from './web-build.ts';

// Named per run, so that two runs on one server (two checkouts) never drop each other's template.
const TEMPLATE = `backline_test_template_${process.pid}`;
const patterns = process.argv.slice(2).length ? process.argv.slice(2) : ['src/**/*.test.ts', 'test/**/*.test.ts'];
const concurrency = process.env.TEST_CONCURRENCY ?? String(Math.max(2, os.availableParallelism()));

type Totals = { passed: number; failed: number };

async function pgliteSnapshot(): Promise<string> {
  const file = path.join(os.tmpdir(), `backline-test-snapshot-${process.pid}.tar`);
  const handle = await openDatabase({ engine: 'pglite' });
  await migrateToLatest(handle.db);
  if (!handle.dumpDataDir) throw new Error('the PGlite handle cannot dump its data directory');
  fs.writeFileSync(file, Buffer.from(await (await handle.dumpDataDir()).arrayBuffer()));
  await handle.close();
  return file;
}

async function postgresTemplate(serverUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${TEMPLATE}`;
  const handle = await openDatabase({ engine: 'postgres', url: url.toString(), poolSize: 1 });
  await migrateToLatest(handle.db);
  await handle.close();
}

async function dropTemplate(serverUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin.end();
}

function runSuite(label: string, env: Record<string, string>): Promise<Totals> {
  console.log(`\n=== tests on ${label} ===`);
  // --test-force-exit: a PGlite instance loaded from a snapshot and closed while idle can leave a wasm
  // timer armed that keeps its test file's process alive after every test in it has finished; the
  // file's results are final by then, so the process is ended instead of hanging the run.
  const args = ['--test', '--test-force-exit', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...patterns];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const totals: Totals = { passed: 0, failed: 0 };
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    buffered += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      totals.passed = Number(/^ℹ pass (\d+)/m.exec(buffered)?.[1] ?? 0);
      totals.failed = Number(/^ℹ fail (\d+)/m.exec(buffered)?.[1] ?? 0);
      if (code !== 0 && totals.failed === 0) totals.failed = 1; // a crash outside any test still fails the run
      resolve(totals);
    });
  });
}

const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const results: Totals[] = [];
// Built once here, before the browser test files start side by side, rather than by each of them.
if (await ensureWebBuilt()) console.log('Built the web app for the browser tests.');
const snapshot = await pgliteSnapshot();
try {
  results.push(await runSuite('PGlite (embedded)', { BACKLINE_TEST_ENGINE: 'pglite', BACKLINE_TEST_PGLITE_SNAPSHOT: snapshot }));
} finally {
  fs.rmSync(snapshot, { force: true });
}
if (serverUrl) {
  await postgresTemplate(serverUrl);
  try {
    results.push(await runSuite('PostgreSQL', { BACKLINE_TEST_ENGINE: 'postgres', TEST_DATABASE_URL: serverUrl, BACKLINE_TEST_PG_TEMPLATE: TEMPLATE }));
  } finally {
    await dropTemplate(serverUrl);
  }
} else {
  console.log('\nDATABASE_URL is unset: the PostgreSQL run is skipped (CI sets it).');
}
const passed = results.reduce((sum, totals) => sum + totals.passed, 0);
const failed = results.reduce((sum, totals) => sum + totals.failed, 0);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
