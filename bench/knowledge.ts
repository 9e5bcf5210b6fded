/**
 * Knowledge benchmark: ingests generated docs (10,000 passages by default) through the CLI's path,
 * then asks questions over HTTP under concurrent load in extractive mode. Prints ingestion throughput,
 * the cold index load, and ask p95 next to the bare search-library (MiniSearch) query time on the same
 * passages in the same run. The bare query is `KnowledgeIndex.rawQuery`, the very MiniSearch call an
 * ask makes: BM25 over title (boost 2) and text, terms joined with OR, exact matches for the terms the
 * index knows and fuzzy ones (distance 0.2 x length, at most 2, words over four letters) only for those
 * it does not, no prefix search. The same terms searched with fuzzy and prefix options price each
 * option; the server's CPU per ask is printed too, since on a shared machine latency follows other
 * people's work and CPU does not.
 *
 *   node bench/knowledge.ts [--passages 10000] [--seconds 10] [--concurrency 4] [--quick]
 *
 * The load driver runs on a worker thread beside the server (bench/lib/load.ts), so under a closed loop the
 * p95 grows with the concurrency once the cores are busy; the single-client p95 is the path's own latency.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newId } from '../src/lib/ids.ts';
import { KnowledgeIndex } from '../src/modules/knowledge/knowledge.index.ts';
import { passagesForIndex } from '../src/modules/knowledge/knowledge.repository.ts';
import { findRepoByFullName } from '../src/modules/repos/repos.repository.ts';
import { percentiles, runLoad } from './lib/load.ts';
import { printFigures, progress, saveFigures, type Figure } from './lib/report.ts';
import { benchArgs, openBenchDatabase, startBenchApp } from './lib/setup.ts';

const { sizes, quick } = benchArgs({ passages: 10_000, seconds: 10, concurrency: 4 });
const seconds = quick ? 1 : sizes.seconds;
const concurrency = quick ? 4 : sizes.concurrency;
const SECTIONS_PER_PAGE = 10;
const FULL_NAME = 'bench/docs';

/** Words of the fixture docs, so generated passages have a real vocabulary (about 2,000 words). */
const vocabulary = (() => {
  const words = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(path.join(dir, entry.name));
      else for (const word of fs.readFileSync(path.join(dir, entry.name), 'utf8').toLowerCase().match(/[a-z]{3,}/g) ?? []) words.add(word);
    }
  };
  visit(path.join(import.meta.dirname, '..', 'test', 'fixtures', 'knowledge', 'quarry'));
  return [...words];
})();
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const words = (count: number) => Array.from({ length: count }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ');

function writeDocs(dir: string, passages: number) {
  const pages = Math.ceil(passages / SECTIONS_PER_PAGE);
  const questions: string[] = [];
  for (let page = 0; page < pages; page++) {
    const sections = [];
    for (let section = 0; section < SECTIONS_PER_PAGE && page * SECTIONS_PER_PAGE + section < passages; section++) {
      const title = `${words(3)} ${page}x${section}`;
      const body = Array.from({ length: 3 }, () => `${words(10)}.`).join(' ');
      sections.push(`## ${title}\n\n${body[0].toUpperCase()}${body.slice(1)}`);
      if (questions.length < 500 && random() < 0.1) questions.push(`how do I ${words(4)}?`);
    }
    fs.mkdirSync(path.join(dir, `part${page % 20}`), { recursive: true });
    fs.writeFileSync(path.join(dir, `part${page % 20}`, `page${page}.md`), `${sections.join('\n\n')}\n`);
  }
  return questions;
}

async function registerRepo(handle: Awaited<ReturnType<typeof openBenchDatabase>>) {
  const now = new Date();
  const userId = newId();
  await handle.db.insertInto('users').values({ id: userId, email: 'owner@bench.test', display_name: 'Owner', github_login: null, created_at: now, updated_at: now }).execute();
  await handle.db
    .insertInto('repos')
    .values({ id: newId(), owner: 'bench', name: 'docs', full_name: FULL_NAME, status: 'verified', offers_ai: true, commission_bps: 1000, created_by: userId, created_at: now, updated_at: now })
    .execute();
  return (await findRepoByFullName(handle.db, FULL_NAME))!;
}

const startLoad = os.loadavg().map((value) => value.toFixed(1)).join(', ');
const handle = await openBenchDatabase('knowledge');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backline-bench-docs-'));
try {
  const questions = writeDocs(dir, sizes.passages);
  const repo = await registerRepo(handle);
  const { app, services, baseUrl } = await startBenchApp(handle, { ASK_RATE_LIMIT_PER_MINUTE: '100000000' });
  console.log(`Ingesting ${sizes.passages} passages on ${handle.engine}...`);
  const ingestStarted = performance.now();
  const report = await services.knowledge.sources.ingestLocal(repo, { path: dir }, (done, total) => progress('documents', done, total));
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  if (report.status !== 'succeeded' || report.passagesAdded !== sizes.passages) throw new Error(`ingestion: ${JSON.stringify(report)}`);

  // The first question builds the in-memory index from the database (what a restart or another process pays once).
  const coldStarted = performance.now();
  const cold = await fetch(`${baseUrl}/api/v1/repos/${FULL_NAME}/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: questions[0] }) });
  if (!cold.ok) throw new Error(`ask: ${cold.status} ${await cold.text()}`);
  const coldMs = performance.now() - coldStarted;

  // Baseline: the same passages in a bare MiniSearch index of the same configuration, queried directly.
  const index = new KnowledgeIndex(await passagesForIndex(handle.db, repo.id));
  const bare: number[] = [];
  const full: number[] = [];
  for (let round = 0; round < (quick ? 1 : 3); round++) {
    for (const question of questions) {
      let started = performance.now();
      index.rawQuery(question);
      bare.push(performance.now() - started);
      started = performance.now();
      index.query(question);
      full.push(performance.now() - started);
    }
  }

  // What each search option costs on this index: the thread's CPU per query, over every question and
  // at least a second of CPU (the thread clock moves in coarse steps on some machines).
  const cpuPerQuery = (search: (question: string) => unknown) => {
    const started = process.threadCpuUsage();
    const usedMs = () => {
      const used = process.threadCpuUsage(started);
      return (used.user + used.system) / 1000;
    };
    let queries = 0;
    while (queries < questions.length * (quick ? 1 : 3) || usedMs() < (quick ? 100 : 1000)) {
      for (const question of questions) search(question);
      queries += questions.length;
    }
    return usedMs() / queries;
  };
  const bareCpu = cpuPerQuery((question) => index.rawQuery(question));
  const options = [
    { name: 'exact on every term', value: cpuPerQuery((question) => index.rawQuery(question, { fuzzy: false, prefix: false })) },
    { name: 'prefix on every term', value: cpuPerQuery((question) => index.rawQuery(question, { fuzzy: false, prefix: true })) },
    { name: 'fuzzy on terms over 4 letters', value: cpuPerQuery((question) => index.rawQuery(question, { prefix: false })) },
    { name: 'fuzzy + prefix on every term', value: cpuPerQuery((question) => index.rawQuery(question, { fuzzy: 0.2, prefix: true })) },
  ];

  console.log(`Load: 1 client, then ${concurrency} concurrent clients, ${seconds} s each`);
  const asking = async (clients: number) => {
    const result = await runLoad({ baseUrl, concurrency: clients, durationMs: seconds * 1000, next: (index) => ({ method: 'POST', path: `/api/v1/repos/${FULL_NAME}/ask`, body: { question: questions[index % questions.length] } }), cpu: handle });
    return { ...result, serverCpuMs: result.cpu!.serverMs, postgresCpuMs: result.cpu!.postgresMs };
  };
  const single = await asking(1);
  const ask = await asking(concurrency);
  const bareP95 = percentiles(bare).p95;
  const cpuBaseline = { name: 'bare query CPU', value: bareCpu };
  const figures: Figure[] = [
    { name: 'ingestion throughput', value: sizes.passages / ingestSeconds, unit: 'passages/s', better: 'higher' },
    { name: 'cold index load (first question)', value: coldMs, unit: 'ms', better: 'lower', baseline: { name: 'bare query p95', value: bareP95 } },
    { name: 'retrieval + confidence p95 (in process)', value: percentiles(full).p95, unit: 'ms', better: 'lower', baseline: { name: 'bare query p95', value: bareP95 } },
    { name: 'ask p95 over HTTP, 1 client', value: single.p95, unit: 'ms', better: 'lower', baseline: { name: 'bare query p95', value: bareP95 } },
    { name: `ask p95 over HTTP, ${concurrency} concurrent`, value: ask.p95, unit: 'ms', better: 'lower', baseline: { name: 'bare query p95', value: bareP95 }, target: { text: '< 30 ms', met: ask.p95 < 30 } },
    { name: 'ask throughput', value: ask.perSecond, unit: 'req/s', better: 'higher' },
    { name: 'server CPU per ask, 1 client', value: single.serverCpuMs, unit: 'ms', better: 'lower', baseline: cpuBaseline },
    { name: `server CPU per ask, ${concurrency} concurrent`, value: ask.serverCpuMs, unit: 'ms', better: 'lower', baseline: cpuBaseline },
    ...(ask.postgresCpuMs === undefined ? [] : [{ name: `PostgreSQL CPU per ask, ${concurrency} concurrent`, value: ask.postgresCpuMs, unit: 'ms', better: 'lower' as const }]),
    ...options.map((option): Figure => ({ name: `search CPU per query, ${option.name}`, value: option.value, unit: 'ms', better: 'lower', baseline: cpuBaseline })),
  ];
  const load = os.loadavg().map((value) => value.toFixed(1)).join(', ');
  printFigures(`Knowledge: ${sizes.passages} passages, extractive answers; load average ${startLoad} at the start, ${load} at the end`, handle.engine, figures);
  saveFigures('knowledge', handle.engine, figures);
  await app.close();
  if (ask.errors + single.errors > 0) {
    console.error(`${ask.errors + single.errors} requests failed`);
    process.exitCode = 1;
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
  await handle.close();
}
