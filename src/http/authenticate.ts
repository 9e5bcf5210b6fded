import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieSecure, type Config } from '../config.ts';
import { AppError, unauthorized } from '../errors.ts';
import { anonymous, type Actor } from '../modules/auth/actor.ts';
import { SESSION_COOKIE, type AuthService } from '../modules/auth/auth.service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function sessionCookieOptions(config: Config, expires?: Date) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: cookieSecure(config), expires };
}

/**
 * Works out who is calling: a bearer token (API, bots) or the session cookie (web app).
 * A bearer token that is wrong is a 401 rather than silently anonymous, so a bot with a revoked
 * token finds out at once. Cookie-authenticated writes must come from our own pages (CSRF).
 */
export function authenticate(auth: AuthService, config: Config, allowedOrigins: Set<string>) {
  // Our public address is our own origin even when a reverse proxy passes its upstream Host header.
  const ownOrigins = new Set(allowedOrigins);
  if (config.PUBLIC_URL) ownOrigins.add(new URL(config.PUBLIC_URL).origin);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    request.actor = anonymous;
    // Webhooks act as no user and check their own credentials (signatures, the inbound email secret,
    // which providers send as an Authorization header of their own).
    if (request.url.startsWith('/webhooks/')) return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".');
      request.actor = await auth.resolveApiToken(match[1]);
      if (request.actor.kind === 'anonymous') throw unauthorized('The API token is invalid or revoked.');
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    // Refused before the session is looked up: resolving may rotate it, and a rotation whose new cookie
    // never reaches the browser would let any site sign our users out.
    if (UNSAFE_METHODS.has(request.method) && isCrossSite(request, ownOrigins)) {
      throw new AppError(403, 'csrf_rejected', 'This request came from another site; cookie-authenticated changes must come from Backline pages.');
    }
    const { actor, replacement } = await auth.resolveSession(cookie);
    if (actor.kind === 'anonymous') {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return;
    }
    request.actor = actor;
    // The cookie lives exactly as long as its session (the clock is the app's, not the wall's).
    if (replacement) reply.setCookie(SESSION_COOKIE, replacement.token, sessionCookieOptions(config, replacement.expiresAt));
  };
}

function isCrossSite(request: FastifyRequest, allowedOrigins: Set<string>): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (!origin) return false;
  const host = request.headers.host;
  return !(host && (origin === `http://${host}` || origin === `https://${host}`)) && !allowedOrigins.has(origin);
}
