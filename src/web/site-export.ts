import fs from 'node:fs';
import path from 'node:path';
import { ensureWebBuilt, webDist } from './build.ts';

export type SiteExportOptions = {
  /** "owner/name" of a listed repository. */
  repo: string;
  outDir: string;
  /** The platform's public URL: the API the site calls, and where signing in and tickets live. */
  apiBase: string;
  /**
   * The path the site is served under ("/name/" for a GitHub Pages project site, "/" for a user site or
   * a custom domain). Only 404.html uses it: GitHub Pages serves that file at any deep link, where the
   * relative asset paths would otherwise resolve against the deep link's folder.
   */
  basePath?: string;
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
  // GitHub Pages answers an unknown path (a deep link, a reload) with 404.html: the same page, which
  // shows the support site whatever the path, with a <base> so its assets load from the site's root.
  const index = fs.readFileSync(path.join(options.outDir, 'index.html'), 'utf8');
  const base = normalizeBasePath(options.basePath ?? `/${options.repo.split('/')[1]}/`);
  fs.writeFileSync(path.join(options.outDir, '404.html'), index.replace('<head>', `<head>\n    <base href="${base}" />`));
  progress('done', 4);
  return { files: countFiles(options.outDir) };
}

/** "/docs/help" or "docs/help/" → "/docs/help/"; refuses anything but plain path segments. */
export function normalizeBasePath(value: string): string {
  const segments = value.split('/').filter(Boolean);
  if (segments.some((segment) => !/^[A-Za-z0-9._~-]+$/.test(segment) || segment === '.' || segment === '..')) {
    throw new Error(`The base path "${value}" must be a plain path such as /name/ (letters, digits, ".", "_", "~", "-").`);
  }
  return `/${segments.map((segment) => `${segment}/`).join('')}`;
}

function countFiles(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => sum + (entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1), 0);
}
