import { z } from 'zod';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { errorResponse } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { safeEqual } from '../../lib/secrets.ts';
import type { EmailChannel } from './inbound.ts';

/** The secret of `Bearer <secret>`, or the password of `Basic base64(user:secret)` (what providers that take a URL with credentials send). */
function givenSecret(header: string | undefined): string {
  const [scheme, value = ''] = (header ?? '').split(' ', 2);
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) return Buffer.from(value, 'base64').toString('utf8').split(':').slice(1).join(':');
  return '';
}

/**
 * `POST /webhooks/email`: for mail providers that post each inbound email as raw MIME (the body is the
 * message, as received). Protected by INBOUND_EMAIL_WEBHOOK_SECRET as a bearer token or the password of Basic authentication. The same checks
 * as the SMTP server, answered with a 4xx in the error shape.
 */
export function registerEmailRoutes(app: App, channel: EmailChannel | null, config: Config) {
  if (!channel || !config.INBOUND_EMAIL_WEBHOOK_SECRET) {
    app.log.info(`Inbound email over HTTP is off: ${channel ? 'INBOUND_EMAIL_WEBHOOK_SECRET is unset' : 'INBOUND_EMAIL_DOMAIN or EMAIL_REPLY_SECRET is unset'}`);
    return;
  }
  const secret = config.INBOUND_EMAIL_WEBHOOK_SECRET;
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: channel.maxBytes }, (_request, body, done) => done(null, body));
    scope.post('/webhooks/email', {
      schema: {
        tags: ['webhooks'],
        summary: 'An inbound email as raw MIME (message/rfc822), sent to a ticket reply address or a repository support address',
        security: [],
        response: { 202: z.object({ received: z.literal(true), duplicate: z.boolean() }), 400: errorResponse, 401: errorResponse, 403: errorResponse, 413: errorResponse, 422: errorResponse },
      },
      bodyLimit: channel.maxBytes,
      config: { rateLimit: false },
    }, async (request, reply) => {
      if (!safeEqual(givenSecret(request.headers.authorization), secret)) {
        throw new AppError(401, 'invalid_secret', 'Send the inbound email secret as "Authorization: Bearer <secret>", or as the password of Basic authentication.');
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (raw.length === 0) throw new AppError(400, 'empty_body', 'The body must be the raw email message (MIME).');
      const { duplicate } = await channel.receive(raw, null);
      return reply.status(202).send({ received: true as const, duplicate });
    });
  });
}
