import type { FastifyRequest } from 'fastify';

const SECRET_QUERY = /([?&](?:token|code|secret)=)[^&#]*/gi;

/** A request URL fit for logs: the values of secret-bearing query parameters are replaced. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

/**
 * Fastify's request log serializer, with the URL redacted. Routes that take a secret in the query
 * string (links sent by email) use it, since Fastify logs every request URL at info level.
 */
export function redactedRequestSerializer(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    version: request.headers?.['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
