import { badRequest } from '../errors.ts';

/** Opaque cursors: base64url JSON of the sort key of the last row returned. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** `isValid` checks the key's values, so that a forged cursor is a 400 rather than a database error. */
export function decodeCursor(cursor: string | undefined, arity: number, isValid: (key: unknown[]) => boolean = () => true): unknown[] | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && isValid(key)) return key;
  } catch {
    // fall through to the error below
  }
  throw badRequest('The cursor is not valid: pass back the nextCursor of the previous page unchanged.', [
    { path: 'cursor', message: 'invalid cursor' },
  ]);
}

export type Page<T> = { items: T[]; nextCursor: string | null };

/** Callers fetch limit + 1 rows; the extra row only tells whether another page exists. */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => unknown[], present: (row: R) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(present),
    nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null,
  };
}
