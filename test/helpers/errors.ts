import assert from 'node:assert/strict';

/** Every error the API sends has exactly this shape: `{ error: { code, message, details: [{ path, message }] } }`. */
export function assertErrorShape(body: unknown, status: number, code?: string) {
  assert.ok(body && typeof body === 'object', `a JSON body for ${status}`);
  assert.deepEqual(Object.keys(body), ['error'], JSON.stringify(body));
  const error = (body as { error: Record<string, unknown> }).error;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'details', 'message'], JSON.stringify(body));
  assert.equal(typeof error.code, 'string');
  assert.match(error.code as string, /^[a-z_]+$/);
  assert.equal(typeof error.message, 'string');
  assert.ok((error.message as string).length > 0);
  assert.ok(Array.isArray(error.details));
  for (const detail of error.details as unknown[]) {
    assert.deepEqual(Object.keys(detail as object).sort(), ['message', 'path']);
  }
  if (code) assert.equal(error.code, code);
}
