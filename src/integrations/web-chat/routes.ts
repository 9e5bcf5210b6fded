import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { errorResponse, errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { escapeHtml } from '../../lib/html.ts';
import { presentConversation, presentEntry } from './presenter.ts';
import { conversationParams, inputBody, readOut, readQuery, sentOut, startBody, startedOut } from './schemas.ts';
import type { WebChat } from './web-chat.service.ts';

const tags = ['web chat'];
/** The widget: plain JavaScript, read once; it is the same for every site that embeds it. */
const WIDGET = readFileSync(new URL('./widget.js', import.meta.url), 'utf8');
/** A comment line this often keeps proxies from closing a quiet stream (many do after 60 seconds idle). */
const STREAM_PING_MS = 15_000;

const tokenOf = (headers: Record<string, unknown>, query: { token?: string }) => {
  const header = headers['x-chat-token'];
  return typeof header === 'string' ? header : query.token;
};

/**
 * The web chat: `/api/v1/chat/...` for the widget and the support pages (CORS limited to CORS_ORIGINS),
 * `/widget.js`, and `/chat/{owner}/{name}`, a page of the chat alone (where mailed links lead).
 */
export function registerWebChatRoutes(app: App, webChat: WebChat, config: Pick<Config, 'CHAT_STREAM_POLL_SECONDS'>) {
  const streams = new Set<ServerResponse>();
  // Live streams never end by themselves: closing the server ends them, or it would wait for them forever.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });

  app.post('/api/v1/chat/conversations', {
    schema: {
      tags,
      summary: 'Start a conversation with the assistant about a repository, without an account: returns its token and first messages',
      security: [],
      body: startBody,
      response: { 201: startedOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const started = await webChat.start(request.body.repo);
    return reply.code(201).send({
      conversation: presentConversation(started.conversation),
      token: started.token,
      expiresAt: started.expiresAt.toISOString(),
      messages: started.messages.map(presentEntry),
    });
  });

  app.get('/api/v1/chat/conversations/:id', {
    schema: {
      tags,
      summary: 'A conversation and its transcript (entries after `after`); send its token as X-Chat-Token',
      security: [],
      params: conversationParams,
      querystring: readQuery,
      response: { 200: readOut, ...errorResponses },
    },
  }, async (request) => {
    const read = await webChat.read(tokenOf(request.headers, request.query), request.params.id, request.query.after);
    return { conversation: presentConversation(read.conversation), messages: read.messages.map(presentEntry) };
  });

  app.post('/api/v1/chat/conversations/:id/inputs', {
    schema: {
      tags,
      summary: 'Send the assistant a message, a button press, a choice or a form; returns the input and the replies',
      security: [],
      params: conversationParams,
      body: inputBody,
      response: { 200: sentOut, ...errorResponses },
    },
  }, async (request) => {
    const sent = await webChat.send(tokenOf(request.headers, {}), request.params.id, request.body);
    return { messages: sent.messages.map(presentEntry) };
  });

  app.get('/api/v1/chat/conversations/:id/events', {
    schema: {
      tags,
      summary: 'Live updates (text/event-stream): every new transcript entry as a `message` event whose id is its seq; resumes after Last-Event-ID',
      security: [],
      params: conversationParams,
      querystring: readQuery,
      response: { 401: errorResponse, 403: errorResponse, 404: errorResponse },
    },
  }, async (request, reply) => {
    const conversationId = await webChat.stream(tokenOf(request.headers, request.query), request.params.id);
    const resumeFrom = Number(request.headers['last-event-id']);
    let last = Number.isSafeInteger(resumeFrom) && resumeFrom > 0 ? resumeFrom : request.query.after;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { ...(reply.getHeaders() as Record<string, string | number | string[]>), 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
    raw.write('retry: 3000\n\n');
    streams.add(raw);

    let running = false;
    let again = false;
    let closed = false;
    // One reader at a time; a notice during a read makes it read once more, so nothing is skipped or sent twice.
    const flush = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          for (const row of await webChat.since(conversationId, last)) {
            if (closed) return;
            raw.write(`id: ${row.seq}\nevent: message\ndata: ${JSON.stringify(presentEntry(row))}\n\n`);
            last = row.seq;
          }
        } while (again && !closed);
      } catch (error) {
        request.log.warn({ err: error }, 'web chat stream: read failed');
      } finally {
        running = false;
      }
    };
    // Woken by the database on every transcript write, from any process. The slow poll is a safety net
    // for a notification lost while the LISTEN connection was down.
    const unsubscribe = webChat.watch(conversationId, () => void flush());
    const poll = setInterval(() => void flush(), config.CHAT_STREAM_POLL_SECONDS * 1000);
    const ping = setInterval(() => raw.write(': ping\n\n'), STREAM_PING_MS);
    raw.on('close', () => {
      closed = true;
      unsubscribe();
      clearInterval(poll);
      clearInterval(ping);
      streams.delete(raw);
    });
    await flush();
  });

  app.get('/widget.js', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      // Loaded by <script> tags on other sites: the default same-origin resource policy would block it.
      .header('cross-origin-resource-policy', 'cross-origin')
      .header('cache-control', 'public, max-age=300')
      .send(WIDGET),
  );

  app.get('/chat/:owner/:name', {
    schema: { hide: true, params: z.object({ owner: z.string().regex(/^[\w.-]{1,100}$/), name: z.string().regex(/^[\w.-]{1,100}$/) }) },
  }, async (request, reply) => {
    const repo = escapeHtml(`${request.params.owner}/${request.params.name}`);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
          `<title>Support for ${repo}</title><meta name="referrer" content="no-referrer"></head>` +
          `<body style="margin:0;font-family:system-ui,sans-serif;background:#f6f7f9"><main id="chat" style="max-width:720px;margin:0 auto;height:100vh"></main>` +
          `<script src="/widget.js" data-repo="${repo}" data-target="#chat"></script></body></html>`,
      );
  });
}
