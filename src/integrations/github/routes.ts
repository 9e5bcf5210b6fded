import { z } from 'zod';
import { errorResponse } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import type { GitHubIntegration } from './integration.ts';

/**
 * `POST /webhooks/github`, the GitHub App's webhook URL. An encapsulated scope reads the body as raw
 * bytes, since X-Hub-Signature-256 covers the exact bytes GitHub sent.
 */
export function registerGitHubRoutes(app: App, github: GitHubIntegration | null) {
  if (!github) {
    app.log.info('GitHub App webhooks are off: GITHUB_WEBHOOK_SECRET is unset');
    return;
  }
  if (!github.canComment) app.log.warn('GitHub App credentials (GITHUB_APP_ID, GITHUB_PRIVATE_KEY) are unset: webhooks are received, but the app cannot comment');
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post('/webhooks/github', {
      schema: {
        tags: ['webhooks'],
        summary: 'GitHub App webhook deliveries (installations, issue comments), signed with X-Hub-Signature-256',
        security: [],
        response: { 200: z.object({ received: z.literal(true), duplicate: z.boolean() }), 400: errorResponse, 401: errorResponse },
      },
      // GitHub delivers from its own addresses in bursts (a busy repository); refusing them loses events.
      config: { rateLimit: false },
    }, async (request) => github.receive(Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0), request.headers));
  });
}
