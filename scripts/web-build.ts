import fs from 'node:fs';
import path from 'node:path';

/**
 * Builds the web app (web/ -> web/dist) with Vite. `ensureWebBuilt()` builds only when web/dist is
 * missing or older than a file of web/src, web/index.html, web/public or the Vite config: `npm start`
 * and the browser tests call it, so a fresh checkout or an edited page never serves a stale app.
 */
export const webRoot = path.resolve(import.meta.dirname, '../web');
export const webDist = path.join(webRoot, 'dist');
const builtMarker = path.join(webDist, 'index.html');

function newestMtime(target: string): number {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

export function webBuildIsStale(): boolean {
  const built = fs.statSync(builtMarker, { throwIfNoEntry: false });
  if (!built) return true;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((entry) => newestMtime(path.join(webRoot, entry)));
  return Math.max(...sources) > built.mtimeMs;
}

/**
 * Builds into a directory of its own, then swaps it in: test files running side by side may each find
 * the build stale, and neither may see the other's half-written web/dist.
 */
export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  const staging = `${webDist}.building-${process.pid}`;
  await build({ configFile: path.join(webRoot, 'vite.config.ts'), logLevel: 'error', build: { outDir: staging, emptyOutDir: true } });
  fs.rmSync(webDist, { recursive: true, force: true });
  fs.renameSync(staging, webDist);
}

export async function ensureWebBuilt(): Promise<boolean> {
  if (!webBuildIsStale()) return false;
  await buildWeb();
  return true;
}

if (import.meta.main) {
  const onlyIfStale = process.argv.includes('--if-stale');
  const started = performance.now();
  const built = onlyIfStale ? await ensureWebBuilt() : (await buildWeb(), true);
  console.log(built ? `Built the web app into web/dist in ${Math.round(performance.now() - started)} ms.` : 'The web app in web/dist is up to date.');
}
