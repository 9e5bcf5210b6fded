import { buildWeb, ensureWebBuilt } from '../src/web/build.ts';

/** `npm run build` builds the web app; `--if-stale` (before `npm start`) only when its sources changed. */
const onlyIfStale = process.argv.includes('--if-stale');
const started = performance.now();
const built = onlyIfStale ? await ensureWebBuilt() : (await buildWeb(), true);
console.log(built ? `Built the web app into web/dist in ${Math.round(performance.now() - started)} ms.` : 'The web app in web/dist is up to date.');
