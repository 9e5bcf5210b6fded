import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * PostgreSQL text cannot hold the NUL character (U+0000): a value with one fails deep inside a query,
 * which would surface as a 500. It never belongs in anything people type, so any request carrying one
 * in its path, query or JSON body is refused up front, naming where it was.
 */
export async function rejectNulCharacters(request: FastifyRequest): Promise<void> {
  const found =
    findNul(request.params, 'params') ?? findNul(request.query, 'querystring') ?? findNul(request.body, 'body');
  if (found) {
    const message = 'must not contain the NUL character (U+0000)';
    throw new AppError(400, 'validation_failed', `The request is not valid. ${found}: ${message}`, [{ path: found, message }]);
  }
}

function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  // Raw bodies (signed webhooks) are bytes, checked by their own routes.
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || depth > 32) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path}.${key.replaceAll('\u0000', '\\u0000')}`;
    const found = findNul(child, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
