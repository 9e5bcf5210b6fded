import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { publicUrl, type Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { errorResponse } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { safeEqual } from '../../lib/secrets.ts';
import { confirmErrorPage, confirmPage } from './confirm-page.ts';
import type { EmailChannel } from './inbound.ts';
import { CONFIRM_PATH, type RequestState } from './requests.ts';

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
  if (channel) registerConfirmRoutes(app, channel, config);
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

/** The link's token: in the query string, which the request log redacts (log-redaction.ts). */
const token = z.string().min(1).max(200);
const htmlPage = z.string().describe('An HTML page');

/**
 * The confirmation link of a held support request (requests.ts): `GET /email/confirm?token=` shows the
 * request and a button, and changes nothing, so link scanners and previews that fetch it open nothing;
 * the button's `POST /email/confirm` opens it, once, and comes back to the page, which then shows the
 * ticket. A link that is altered (403) or expired (410) gets a page saying so.
 */
function registerConfirmRoutes(app: App, channel: EmailChannel, config: Config) {
  const ticketUrl = (id: string) => `${publicUrl(config)}/tickets/${id}`;
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  /** Refusals as pages: the person clicked a link in an email, and reads the reason in a browser. */
  const refusalPage = (reply: FastifyReply, error: unknown) => {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    return html(reply, error.status, confirmErrorPage(error.message));
  };
  const responses = { 200: htmlPage, 400: errorResponse, 403: htmlPage, 410: htmlPage };

  app.get(CONFIRM_PATH, {
    schema: { tags: ['webhooks'], summary: 'The confirmation link of a support request by email: shows the request and a button to open it (changes nothing)', security: [], querystring: z.object({ token }), response: responses },
  }, async (request, reply) => {
    let state: RequestState;
    try {
      state = await channel.requests.state(request.query.token);
    } catch (error) {
      return refusalPage(reply, error);
    }
    return html(reply, 200, confirmPage(state, request.query.token, ticketUrl));
  });

  app.post(CONFIRM_PATH, {
    schema: {
      tags: ['webhooks'],
      summary: 'Confirm a support request by email (the button of its link\'s page, a form post): opens its ticket once, then back to the page',
      security: [],
      body: z.object({ token }),
      response: { 303: z.null(), ...responses },
    },
  }, async (request, reply) => {
    try {
      await channel.requests.confirm(request.body.token);
    } catch (error) {
      return refusalPage(reply, error);
    }
    return reply.redirect(`${CONFIRM_PATH}?token=${encodeURIComponent(request.body.token)}`, 303);
  });
}
