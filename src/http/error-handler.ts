import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, errorBody } from '../errors.ts';

const FASTIFY_CLIENT_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'The request body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'The request body is empty; send a JSON object.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large', 'The request body is too large.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Send the body as application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'The Content-Length header does not match the body.'],
};

/**
 * The one place errors become responses: `{ "error": { code, message, details } }`.
 * Client mistakes keep their 4xx status and say what was wrong; anything else is a 500 that shows
 * no internals, only the request id to quote when reporting it.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    return reply.code(error.status).headers(error.headers).send(errorBody(error.code, error.message, error.details));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    const details = error.validation.map((issue) => ({
      path: [where, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
      message: issue.message ?? 'is invalid',
    }));
    const summary = details.map((detail) => `${detail.path}: ${detail.message}`).join('; ');
    return reply.code(400).send(errorBody('validation_failed', `The request is not valid. ${summary}`, details));
  }
  const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
  if (known) return reply.code(known[0]).send(errorBody(known[1], known[2]));
  if (error instanceof SyntaxError) return reply.code(400).send(errorBody('invalid_json', 'The request body is not valid JSON.'));
  if (error.statusCode === 429) {
    return reply.code(429).send(errorBody('rate_limited', error.message));
  }
  if (!isResponseSerializationError(error) && error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.code(error.statusCode).send(errorBody('bad_request', error.message));
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply
    .code(500)
    .send(errorBody('internal_error', `Something went wrong on our side. Quote request id ${request.id} when reporting it.`));
}
