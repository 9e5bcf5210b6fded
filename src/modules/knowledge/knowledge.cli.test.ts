import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FIXTURES } from '../../../scripts/eval-ai.ts';
import { openDatabase, type Database } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { newId } from '../../lib/ids.ts';
import { freshDatabase, testEngine } from '../../../test/helpers/database.ts';

const CLI = path.join(import.meta.dirname, '..', '..', 'cli.ts');

/** The CLI in its own process, on the engine under test: PostgreSQL by URL, or PGlite in a data folder. */
let env: Record<string, string>;
let close: () => Promise<void>;

async function registerRepo(db: Database, fullName: string) {
  const now = new Date();
  const userId = newId();
  await db.insertInto('users').values({ id: userId, email: `${userId}@example.com`, display_name: 'Owner', github_login: null, created_at: now, updated_at: now }).execute();
  const [owner, name] = fullName.split('/');
  await db.insertInto('repos').values({ id: newId(), owner, name, full_name: fullName, status: 'verified', commission_bps: 1000, created_by: userId, created_at: now, updated_at: now }).execute();
}

before(async () => {
  if (testEngine === 'postgres') {
    const handle = await freshDatabase();
    await registerRepo(handle.db, 'quarry/quarry');
    env = { DATABASE_URL: handle.url! };
    close = () => handle.close();
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backline-cli-'));
    const handle = await openDatabase({ engine: 'pglite', dataDir });
    await migrateToLatest(handle.db);
    await registerRepo(handle.db, 'quarry/quarry');
    await handle.close();
    env = { BACKLINE_DATA_DIR: dataDir };
    close = async () => fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
after(() => close());

function backline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const childEnv: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'silent', ...env };
    if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
    execFile(process.execPath, [CLI, ...args], { env: childEnv, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

test('backline knowledge ingest indexes a folder with a progress bar, then skips what did not change', async () => {
  const corpus = path.join(FIXTURES, 'quarry');
  const first = await backline('knowledge', 'ingest', 'quarry/quarry', '--path', corpus, '--base-url', 'https://quarry.dev/docs/');
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /Indexing: 52\/52/);
  assert.match(first.stdout, /quarry\/quarry: 52 file\(s\) indexed, 0 unchanged, 0 removed; \d+ passage\(s\) added, 0 removed\./);
  const second = await backline('knowledge', 'ingest', 'quarry/quarry', '--path', corpus);
  assert.match(second.stdout, /0 file\(s\) indexed, 52 unchanged/);
  const usage = await backline('knowledge', 'ingest', 'quarry/quarry');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /give exactly one of --path DIR or --git URL/);
  const unknown = await backline('knowledge', 'ingest', 'nobody/nothing', '--path', corpus);
  assert.match(unknown.stderr, /no repository nobody\/nothing is registered/);
});
