import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportSite, normalizeBasePath } from '../../src/web/site-export.ts';
import { freePort, startBrowserApp, type BrowserContext } from '../helpers/browser.ts';
import { addSource, docsFolder, knowledgeRepo, RETRIES_DOC } from '../helpers/knowledge.ts';

/**
 * GitHub Pages in miniature: the folder's files under /project/, on an origin of its own; any other
 * path under /project/ gets the folder's 404.html with status 404, as GitHub Pages answers it.
 */
function staticSite(dir: string, port: number) {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://x').pathname;
    if (!pathname.startsWith('/project/')) return void response.writeHead(404).end();
    const relative = pathname.slice('/project/'.length) || 'index.html';
    const file = path.join(dir, path.normalize(relative));
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      const notFound = path.join(dir, '404.html');
      if (!fs.existsSync(notFound)) return void response.writeHead(404).end();
      return void response.writeHead(404, { 'content-type': 'text/html' }).end(fs.readFileSync(notFound));
    }
    response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
  });
  return new Promise<http.Server>((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('web: the exported support site', () => {
  let ctx: BrowserContext;
  let site: http.Server;
  let siteOrigin: string;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'backline-site-'));
  const docs = docsFolder({ 'retries.md': RETRIES_DOC });
  before(async () => {
    const port = await freePort();
    siteOrigin = `http://127.0.0.1:${port}`;
    ctx = await startBrowserApp({ env: { CORS_ORIGINS: siteOrigin } });
    site = await staticSite(out, port);
  });
  after(async () => {
    site?.close();
    fs.rmSync(out, { recursive: true, force: true });
    docs.cleanup();
    await ctx?.close();
  });

  test('works from a sub-path on another origin: relative assets, the API named in config.js, asked through CORS', async () => {
    const { fullName, operator } = await knowledgeRepo(ctx);
    await addSource(ctx, operator, fullName, { kind: 'path', path: docs.dir });
    const steps: string[] = [];
    const { files } = await exportSite({ repo: fullName, outDir: out, apiBase: ctx.baseUrl, basePath: 'project', onProgress: (step) => steps.push(step) });
    assert.ok(files >= 4, `${files} files`);
    assert.equal(steps.at(-1), 'done');
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    assert.doesNotMatch(index, /(src|href)="\/(?!\/)/, 'no root-relative path: the site lives under a sub-path');
    assert.match(fs.readFileSync(path.join(out, 'config.js'), 'utf8'), new RegExp(`"repo": "${fullName}"`));
    assert.ok(fs.existsSync(path.join(out, '.nojekyll')));

    const page = await ctx.newPage();
    await page.goto(`${siteOrigin}/project/`);
    await page.getByRole('heading', { name: `Support for ${fullName}` }).waitFor();
    await page.getByLabel('Your question').fill('How do I set exponential backoff?');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.getByTestId('answer').getByText('exponential').first().waitFor();
    // The verdict goes to the platform from the other origin too, like the question did.
    await page.getByTestId('answer').getByRole('button', { name: 'Yes, it did' }).click();
    await page.getByTestId('answer').getByRole('status').getByText('Glad it helped').waitFor();
    const verdicts = await ctx.db.selectFrom('knowledge_answers').select('helpful').execute();
    assert.deepEqual(verdicts.map((row) => row.helpful), [true]);
    assert.equal(await page.getByRole('link', { name: 'Open a ticket on Backline' }).getAttribute('href'), `${ctx.baseUrl}/s/${fullName}`);
    await ctx.checkAccessibility(page, 'exported site');
    await ctx.screenshot(page, 'exported-site');

    // A deep link (a shared address, a reload) is answered by 404.html, which loads the same app from the site's root.
    const deep = await ctx.newPage();
    const response = await deep.goto(`${siteOrigin}/project/questions/retries/backoff`);
    assert.equal(response?.status(), 404);
    await deep.getByRole('heading', { name: `Support for ${fullName}` }).waitFor();
    await deep.getByLabel('Your question').fill('How do I set exponential backoff?');
    await deep.getByRole('button', { name: 'Ask' }).click();
    await deep.getByTestId('answer').getByText('exponential').first().waitFor();
    ctx.assertNoPageProblems();
  });

  test('the base path of 404.html is a plain path', () => {
    assert.equal(normalizeBasePath('project'), '/project/');
    assert.equal(normalizeBasePath('/docs/help/'), '/docs/help/');
    assert.equal(normalizeBasePath('/'), '/');
    assert.throws(() => normalizeBasePath('/a/../b'), /must be a plain path/);
    assert.throws(() => normalizeBasePath('"><script>'), /must be a plain path/);
  });

  test('the API answers browsers only from the configured origins', async () => {
    const allowed = await fetch(`${ctx.baseUrl}/api/v1/repos`, { headers: { origin: siteOrigin } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), siteOrigin);
    const other = await fetch(`${ctx.baseUrl}/api/v1/repos`, { headers: { origin: 'https://elsewhere.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});
