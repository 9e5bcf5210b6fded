import { z } from 'zod';
import { errorResponse } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import type { ProviderEventsService } from './provider-events.service.ts';
import { WebhookRejected } from './provider-events.types.ts';

const received = z.object({ received: z.literal(true) });

/** `POST /webhooks/<provider>` for every provider that pushes events (Stripe today). */
export function registerProviderWebhookRoutes(app: App, events: ProviderEventsService) {
  // An encapsulated scope, so that only these routes see bodies as raw bytes: signatures cover the
  // exact bytes sent, and JSON parsed and serialized again would no longer match them.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    for (const adapter of events.adapters()) {
      const { provider } = adapter;
      if (adapter.unavailable) app.log.info(`${provider} webhooks are off: ${adapter.unavailable}`);
      scope.post(`/webhooks/${provider}`, {
        schema: {
          tags: ['webhooks'],
          summary: `Events pushed by ${provider}, signed; stored once and processed in the background`,
          security: [],
          response: { 200: received, 400: errorResponse },
        },
        // Deliveries come in bursts from a few provider addresses; refusing them would only delay them.
        config: { rateLimit: false },
      }, async (request) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        try {
          const { stored } = await events.receive(provider, raw, request.headers);
          if (!stored) request.log.info({ provider }, 'webhook event delivered again; already stored');
        } catch (error) {
          if (error instanceof WebhookRejected) request.log.warn({ provider, code: error.code, reason: error.message }, 'webhook rejected');
          throw error;
        }
        return { received: true as const };
      });
    }
  });
}
