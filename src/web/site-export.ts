import fs from 'node:fs';
import path from 'node:path';
import { ensureWebBuilt, webDist } from './build.ts';

export type SiteExportOptions = {
  /** "owner/name" of a listed repository. */
  repo: string;
  outDir: string;
  /** The platform's public URL: the API the site calls, and where signing in and tickets live. */
  apiBase: string;
  onProgress?: (step: string, done: number, total: number) => void;
};

/**
 * Writes a repository's support site as static files: the built web app, with relative paths so it
 * works from any sub-path (a GitHub Pages project site is served under /name/), and a config.js that
 * names the repository and the platform's API. The page calls that API from another origin, so the
 * site's origin must be in the platform's CORS_ORIGINS.
 */
export async function exportSite(options: SiteExportOptions): Promise<{ files: number }> {
  const steps = 4;
  const progress = (step: string, done: number) => options.onProgress?.(step, done, steps);
  progress('building the web app', 0);
  await ensureWebBuilt();
  progress('copying files', 1);
  fs.mkdirSync(options.outDir, { recursive: true });
  fs.cpSync(webDist, options.outDir, { recursive: true });
  progress('writing config.js', 2);
  const config = { apiBase: options.apiBase.replace(/\/$/, ''), platformUrl: options.apiBase.replace(/\/$/, ''), repo: options.repo };
  // JSON is valid JavaScript; "<" is escaped so no value can close a script element.
  const json = JSON.stringify(config, null, 2).replace(/</g, '\\u003c');
  fs.writeFileSync(path.join(options.outDir, 'config.js'), `// Support site for ${options.repo}, exported by \`backline site export\`.\nwindow.BACKLINE_CONFIG = ${json};\n`);
  progress('writing GitHub Pages files', 3);
  // GitHub Pages would otherwise run Jekyll, which skips files starting with "_" or ".".
  fs.writeFileSync(path.join(options.outDir, '.nojekyll'), '');
  progress('done', 4);
  return { files: countFiles(options.outDir) };
}

function countFiles(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => sum + (entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1), 0);
}
