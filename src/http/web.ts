import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { webDist } from '../web/build.ts';
import type { App } from './types.ts';


/**
 * Paths the web app never answers, so an unknown API route stays a JSON 404 and the server's own
 * pages (sign-in link, sandbox checkout, email confirmation, dev outbox, API docs) keep theirs.
 */
const SERVER_PREFIXES = ['/api/', '/webhooks/', '/docs', '/openapi.json', '/healthz', '/readyz', '/auth/', '/pay/', '/dev/', '/assets/', '/email/'];

export type WebApp = { fallback: (request: FastifyRequest, reply: FastifyReply) => boolean };

/**
 * Serves the built web app: its files (hashed assets cached for a year, the rest revalidated) and,
 * for any other page address, index.html so the client-side router shows the page. The build uses
 * relative asset paths (the same build is exported as a support site under any sub-path), so the
 * served index.html gets <base href="/">: a page at /s/owner/name still loads /assets/….
 * Without a build (tests of the API alone, a checkout that never built) nothing is registered.
 */
export async function registerWebApp(app: App, dist = webDist): Promise<WebApp | null> {
  const indexFile = path.join(dist, 'index.html');
  if (!fs.existsSync(indexFile)) {
    app.log.info('The web app is not built (web/dist is missing): only the API is served. Run `npm run build`.');
    return null;
  }
  const index = fs.readFileSync(indexFile, 'utf8').replace('<head>', '<head>\n    <base href="/" />');
  await app.register(fastifyStatic, {
    root: dist,
    // One route per file present at startup, instead of a catch-all that would answer unknown API paths.
    wildcard: false,
    index: false,
    serveDotFiles: false,
    setHeaders(reply, filePath) {
      const hashed = filePath.startsWith(path.join(dist, 'assets') + path.sep);
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // The raw index.html would load without the <base>; its address is the directory's.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' && request.url.split('?')[0] === '/index.html') return reply.redirect('/', 301);
  });
  return {
    fallback(request, reply) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      const pathname = request.url.split('?')[0];
      if (SERVER_PREFIXES.some((prefix) => pathname === prefix.replace(/\/$/, '') || pathname.startsWith(prefix))) return false;
      // A script or image that is missing is a 404, not a page; so is anything a browser did not navigate to.
      if (/\.[a-z0-9]{1,8}$/i.test(pathname)) return false;
      if (!String(request.headers.accept ?? '').includes('text/html')) return false;
      void reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
      return true;
    },
  };
}
