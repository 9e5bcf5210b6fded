import { z } from 'zod';
import { errorResponse } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import type { DiscordIntegration } from './integration.ts';

/**
 * `POST /webhooks/discord`, the application's Interactions Endpoint URL. An encapsulated scope reads the
 * body as raw bytes, since the signature covers the exact bytes Discord sent.
 */
export function registerDiscordRoutes(app: App, discord: DiscordIntegration | null) {
  if (!discord) {
    app.log.info('Discord integration is off: DISCORD_PUBLIC_KEY is unset');
    return;
  }
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post('/webhooks/discord', {
      schema: {
        tags: ['webhooks'],
        summary: 'Discord interactions (slash commands, autocomplete, buttons, modals), signed with Ed25519',
        security: [],
        response: { 200: z.looseObject({ type: z.number().int() }), 400: errorResponse, 401: errorResponse, 409: errorResponse },
      },
      // Discord sends from its own addresses in bursts; refusing them would only fail people's commands.
      config: { rateLimit: false },
    }, async (request) => discord.receive(Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0), request.headers));
  });
}
