import { z } from 'zod';
import { publicUrl, type Config } from '../config.ts';
import type { Deps } from '../deps.ts';
import { listOutbox } from '../modules/mail/mail.service.ts';
import type { App } from './types.ts';

/**
 * Whether to serve the dev outbox: only without SMTP, and not on a public https deployment unless
 * asked for (DEV_MAIL_PAGE=1), since the page shows everyone's sign-in links.
 */
export function devOutboxPage(config: Config): boolean {
  if (config.SMTP_URL) return false;
  return config.DEV_MAIL_PAGE ?? !publicUrl(config).startsWith('https://');
}

/**
 * The dev outbox: without SMTP, every email the platform sends can be read here (sign-in links,
 * invitations, notifications). Registered only when SMTP_URL is unset.
 */
export function registerDevRoutes(app: App, deps: Deps) {
  app.get('/dev/mail', {
    schema: {
      tags: ['development'],
      summary: 'Emails kept in the dev outbox (only when SMTP_URL is unset), newest first',
      querystring: z.object({ to: z.string().max(254).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: {
        200: z.object({
          items: z.array(z.object({ id: z.uuid(), to: z.string(), subject: z.string(), text: z.string(), status: z.string(), createdAt: z.string() })),
        }),
      },
    },
  }, async (request) => {
    const rows = await listOutbox(deps.db, request.query.limit, request.query.to);
    return {
      items: rows.map((row) => ({ id: row.id, to: row.to_address, subject: row.subject, text: row.text_body, status: row.status, createdAt: row.created_at.toISOString() })),
    };
  });
}
