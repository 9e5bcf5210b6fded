import { z } from 'zod';
import { cookieSecure, type Config } from '../../config.ts';
import { errorResponse } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { escapeHtml } from '../../lib/html.ts';
import { callbackPath, STATE_COOKIE } from './installations.ts';
import type { SlackAnswer, SlackIntegration } from './integration.ts';

/**
 * The Slack app's request URLs (integrations/slack-manifest.yml) and its installation by OAuth. The
 * webhook scope reads every body as raw bytes, since the signature covers the exact bytes Slack sent.
 */
export function registerSlackRoutes(app: App, slack: SlackIntegration | null, config: Config) {
  if (!slack) {
    app.log.info('Slack integration is off: SLACK_SIGNING_SECRET is unset');
    return;
  }
  const answered = { 200: z.looseObject({}).optional(), 400: errorResponse, 401: errorResponse, 409: errorResponse };
  const webhooks: [string, string, keyof Pick<SlackIntegration, 'receiveEvent' | 'receiveInteraction' | 'receiveCommand'>][] = [
    ['/webhooks/slack/events', 'Slack Events API (URL check, messages in DMs and ticket threads, uninstalls), signed with the v0 signature', 'receiveEvent'],
    ['/webhooks/slack/interactions', 'Slack interactivity (buttons, selects, modals) and the repository search options, signed with the v0 signature', 'receiveInteraction'],
    ['/webhooks/slack/commands', 'Slack slash command /support, signed with the v0 signature', 'receiveCommand'],
  ];
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const [url, summary, method] of webhooks) {
      scope.post(url, {
        schema: { tags: ['webhooks'], summary, security: [], response: answered },
        // Slack sends from its own addresses in bursts; refusing them would only fail people's commands.
        config: { rateLimit: false },
      }, async (request, reply) => {
        const answer: SlackAnswer = await slack[method](Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0), request.headers);
        // An empty 200 is Slack's acknowledgement (and closes a submitted modal).
        return answer ? answer : reply.code(200).send();
      });
    }
  });

  app.get('/integrations/slack/install', {
    schema: { tags: ['integrations'], summary: 'Install the Slack app in a workspace: redirects to Slack\'s consent screen (OAuth v2)', security: [], response: { 302: z.null() } },
  }, async (_request, reply) => {
    const { url, nonce } = slack.installations.authorizeUrl();
    reply.setCookie(STATE_COOKIE, nonce, { path: '/integrations/slack', httpOnly: true, sameSite: 'lax', secure: cookieSecure(config), maxAge: 600 });
    return reply.redirect(url, 302);
  });

  app.get(callbackPath, {
    schema: {
      tags: ['integrations'],
      summary: 'Where Slack returns after consent: stores the workspace\'s bot token (encrypted) and shows the result',
      security: [],
      querystring: z.object({ code: z.string().max(500).optional(), state: z.string().max(500).optional(), error: z.string().max(200).optional() }),
      response: { 200: z.string(), 400: errorResponse, 502: errorResponse },
    },
  }, async (request, reply) => {
    const installed = await slack.installations.complete(request.query, request.cookies[STATE_COOKIE]);
    reply.clearCookie(STATE_COOKIE, { path: '/integrations/slack' });
    const name = escapeHtml(installed.teamName || installed.teamId);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Backline is installed</title><body><h1>Backline is installed in ${name}</h1><p>Run <code>/support</code> in any channel to ask for help. You can close this page.</p></body></html>`);
  });
}
