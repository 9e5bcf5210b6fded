import createClient from 'openapi-fetch';
import { config } from '../config.ts';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/**
 * The typed API client. On the platform the session cookie authenticates; the browser sends Origin
 * and Sec-Fetch-Site with every write, which is what the server's CSRF check reads. An exported site
 * calls the API cross-origin without credentials (only anonymous endpoints: ask, directory reads).
 */
export const api = createClient<paths>({
  baseUrl: config.apiBase,
  credentials: config.apiBase ? 'omit' : 'same-origin',
});

export type ApiError = { code: string; message: string; details?: Array<{ path: string; message: string }> };

/** The documented error shape, or a generic one when the network failed. */
export function errorOf(error: unknown): ApiError {
  const body = error as { error?: ApiError } | undefined;
  if (body && typeof body === 'object' && body.error && typeof body.error.message === 'string') return body.error;
  return { code: 'network', message: 'The server could not be reached. Check your connection and try again.' };
}

/** Unwraps an openapi-fetch result: the data, or throws the API's error so a page can show it. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await call;
  } catch {
    throw errorOf(undefined);
  }
  if (result.error !== undefined || !result.response.ok) throw errorOf(result.error);
  return result.data as T;
}

/** A fresh key per user action: a retried click of the same action reuses it (money calls require one). */
export const idempotencyKey = () => crypto.randomUUID();
