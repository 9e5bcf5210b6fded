export type ErrorDetail = { path: string; message: string };

/**
 * The one error type services throw. The HTTP layer turns it into
 * `{ "error": { "code", "message", "details" } }` with `status`.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = [], headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) =>
  new AppError(400, 'bad_request', message, details);

export const invalidField = (path: string, message: string) =>
  new AppError(400, 'validation_failed', `${path}: ${message}`, [{ path, message }]);

export const unauthorized = (message = 'Sign in or send an API token in the Authorization header.') =>
  new AppError(401, 'unauthorized', message);

export const forbidden = (message = 'You are not allowed to do this.') => new AppError(403, 'forbidden', message);

/** Also used for another tenant's data, so that its existence does not leak. */
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} was not found.`);

export const conflict = (message: string, code = 'conflict') => new AppError(409, code, message);

export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, 'rate_limited', `Too many requests. Try again in ${retryAfterSeconds} seconds.`, [], {
    'retry-after': String(retryAfterSeconds),
  });

export type ErrorBody = { error: { code: string; message: string; details: ErrorDetail[] } };

export function errorBody(code: string, message: string, details: ErrorDetail[] = []): ErrorBody {
  return { error: { code, message, details } };
}
