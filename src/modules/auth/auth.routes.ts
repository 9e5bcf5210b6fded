import { z } from 'zod';
import type { Config } from '../../config.ts';
import { sessionCookieOptions } from '../../http/authenticate.ts';
import { errorResponses, isoDate, toIso } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { emailSchema, SESSION_COOKIE, type AuthService } from './auth.service.ts';

const tokenOut = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  lastUsedAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
  createdAt: isoDate,
});

export function registerAuthRoutes(app: App, auth: AuthService, config: Config) {
  const signInLimit = { rateLimit: { max: config.SIGNIN_RATE_LIMIT_PER_HOUR, timeWindow: '1 hour' } };

  app.post('/api/v1/auth/magic-link', {
    config: signInLimit,
    schema: {
      tags: ['auth'],
      summary: 'Email a sign-in link (the account is created on first sign-in)',
      body: z.object({ email: emailSchema, redirectTo: z.string().max(500).optional() }),
      response: { 202: z.object({ sent: z.literal(true) }), ...errorResponses },
    },
  }, async (request, reply) => {
    await auth.requestMagicLink(request.body.email, request.body.redirectTo);
    return reply.code(202).send({ sent: true });
  });

  app.get('/auth/magic', {
    config: signInLimit,
    // The link's token is in the query string; the request log line must not carry it.
    schema: { tags: ['auth'], summary: 'Follow a sign-in link: sets the session cookie and redirects', querystring: z.object({ token: z.string().min(10).max(200) }) },
  }, async (request, reply) => {
    const { session, redirectTo } = await auth.consumeMagicLink(request.query.token);
    reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(config, session.expiresAt));
    return reply.redirect(redirectTo, 303);
  });

  app.post('/api/v1/auth/sign-out', {
    schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } },
  }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) await auth.signOut(cookie);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });

  app.get('/api/v1/me/tokens', {
    schema: { tags: ['auth'], summary: 'My API tokens (never their secrets)', response: { 200: z.object({ items: z.array(tokenOut) }), ...errorResponses } },
  }, async (request) => {
    const rows = await auth.listApiTokens(request.actor);
    return {
      items: rows.map((row) => ({ id: row.id, name: row.name, prefix: row.token_prefix, lastUsedAt: toIso(row.last_used_at), revokedAt: toIso(row.revoked_at), createdAt: row.created_at.toISOString() })),
    };
  });

  app.post('/api/v1/me/tokens', {
    schema: {
      tags: ['auth'],
      summary: 'Create a personal API token; the secret is shown once',
      body: z.object({ name: z.string().trim().min(1).max(100) }),
      response: { 201: z.object({ id: z.uuid(), name: z.string(), token: z.string(), createdAt: isoDate }), ...errorResponses },
    },
  }, async (request, reply) => {
    const created = await auth.createApiToken(request.actor, request.body.name);
    return reply.code(201).send({ ...created, createdAt: created.createdAt.toISOString() });
  });

  app.delete('/api/v1/me/tokens/:id', {
    schema: { tags: ['auth'], summary: 'Revoke an API token', params: z.object({ id: z.uuid() }), response: { 204: z.null(), ...errorResponses } },
  }, async (request, reply) => {
    await auth.revokeApiToken(request.actor, request.params.id);
    return reply.code(204).send(null);
  });
}
