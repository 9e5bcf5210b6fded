import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Database, Tx } from '../../db/database.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, conflict } from '../../errors.ts';

/** A response as it was (or will be) sent; `replayed` when it comes from the store. */
export type StoredResponse = { status: number; body: unknown; replayed: boolean };

export type IdempotentRequest = {
  actorId: string;
  /** The caller's Idempotency-Key header, checked by `requireIdempotencyKey`. */
  key: string;
  /** The operation, e.g. "POST /api/v1/quotes/{id}/accept": the same key on another route is another request. */
  route: string;
  /** Everything that makes the request what it is (path ids, parsed body); compared by hash. */
  request: unknown;
};

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Sends a money route's answer, first or replayed; a replay says so in a header. */
export function sendStored(reply: FastifyReply, stored: StoredResponse) {
  if (stored.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(stored.status).send(stored.body);
}

export function requireIdempotencyKey(header: unknown): string {
  if (typeof header !== 'string' || header.length === 0) {
    throw new AppError(
      400,
      'idempotency_key_required',
      'Send an Idempotency-Key header with a value unique to this attempt (a UUID, say): a retry with the same key returns the first answer instead of paying twice.',
      [{ path: 'headers.idempotency-key', message: 'is required' }],
    );
  }
  if (!KEY_PATTERN.test(header)) {
    throw new AppError(400, 'validation_failed', 'The Idempotency-Key must be 1 to 255 visible ASCII characters without spaces.', [
      { path: 'headers.idempotency-key', message: 'must be 1..255 visible ASCII characters' },
    ]);
  }
  return header;
}

/**
 * Runs a money request at most once per (caller, key), in one transaction with the key:
 *
 * 1. the key is claimed first (an insert on the primary key). A concurrent request with the same key
 *    waits on that row until the first commits, and then replays its answer; if the first fails and
 *    rolls back, the key goes with it and the second runs as if it were the first;
 * 2. `work` runs in the same transaction and returns the response;
 * 3. the response is stored with the key and commits with the effect it describes.
 *
 * So a stored answer always describes an effect that committed, and an effect never commits without
 * its answer. Failed requests (4xx, provider errors) store nothing: they moved no money, and a retry
 * with the same key runs again, which is what a client expects after fixing its request.
 */
export async function withIdempotency(
  db: Database,
  clock: Clock,
  request: IdempotentRequest,
  work: (trx: Tx) => Promise<{ status: number; body: unknown }>,
): Promise<StoredResponse> {
  const hash = requestHash(request.route, request.request);
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('idempotency_keys')
      .values({ actor_id: request.actorId, key: request.key, route: request.route, request_hash: hash, response_status: null, response_body: null, created_at: clock.now() })
      .onConflict((oc) => oc.columns(['actor_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claimed) return replay(trx, request, hash);
    const response = await work(trx);
    await trx
      .updateTable('idempotency_keys')
      .set({ response_status: response.status, response_body: JSON.stringify(response.body) })
      .where('actor_id', '=', request.actorId)
      .where('key', '=', request.key)
      .execute();
    return { ...response, replayed: false };
  });
}

async function replay(trx: Tx, request: IdempotentRequest, hash: string): Promise<StoredResponse> {
  const stored = await trx
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('actor_id', '=', request.actorId)
    .where('key', '=', request.key)
    .executeTakeFirstOrThrow();
  if (stored.route !== request.route || stored.request_hash !== hash) {
    throw new AppError(
      422,
      'idempotency_key_reused',
      `The Idempotency-Key "${request.key}" was already used for a different request (${stored.route}); use a new key for a new request.`,
      [{ path: 'headers.idempotency-key', message: 'already used for a different request' }],
    );
  }
  // Unreachable while claim, work and answer share one transaction; kept so that a future change cannot
  // turn a half-finished request into an empty 200.
  if (stored.response_status === null) throw conflict('A request with this Idempotency-Key is still running; retry in a moment.', 'idempotency_request_in_progress');
  return { status: stored.response_status, body: stored.response_body, replayed: true };
}

/** A hash of the route and the request with object keys sorted, so that key order does not matter. */
export function requestHash(route: string, request: unknown): string {
  return createHash('sha256').update(canonicalJson([route, request])).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, field]) => `${JSON.stringify(name)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
