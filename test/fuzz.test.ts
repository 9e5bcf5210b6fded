import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startTestApp } from './helpers/app.ts';
import { assertErrorShape } from './helpers/errors.ts';
import { fillPath, invalidBodyFor, junkString, loadOperations, malformedJson, pathParameterNames, valueFor, type Operation } from './helpers/openapi.ts';
import { buildWorld, WORLD_ROLES } from './helpers/world.ts';

/**
 * Hostile input against every operation of /openapi.json: property-based requests built from each
 * operation's schemas (valid-ish and invalid path parameters, query strings and bodies; real ids of
 * this and other tenants; every role, a bad token and no token). Whatever arrives, the answer is never
 * a 5xx, and every 4xx is the documented `{ error: { code, message, details } }`.
 * FUZZ_RUNS sets the cases per operation (a few in CI; `npm run test:fuzz` runs more), FUZZ_SEED
 * replays a failure, FUZZ_ONLY limits the run to operations whose name contains it.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const ONLY = process.env.FUZZ_ONLY;

const ctx = await startTestApp();
const world = await buildWorld(ctx);
const operations = (await loadOperations(ctx)).filter((operation) => !ONLY || operation.name.includes(ONLY));
const tokens: Record<string, string | undefined> = { anonymous: undefined, ...Object.fromEntries(Object.entries(world.users).map(([role, user]) => [role, user.token])) };

type Pools = { ids: string[]; userIds: string[]; slugs: string[]; repos: string[] };

/**
 * Ids that exist right now, of every tenant: requests with them reach the code behind validation.
 * API tokens and sessions are left out so that the roles keep their credentials for the whole run.
 */
async function currentPools(): Promise<Pools> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name = 'id' AND data_type = 'uuid'
      AND table_name NOT IN ('api_tokens', 'sessions', 'magic_links')`.execute(ctx.db);
  const ids: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ id: string }>`SELECT id FROM ${sql.table(table_name)} ORDER BY id DESC LIMIT 3`.execute(ctx.db);
    ids.push(...rows.rows.map((row) => row.id));
  }
  const userIds = (await ctx.db.selectFrom('users').select('id').execute()).map((row) => row.id);
  const slugs = (await ctx.db.selectFrom('orgs').select('slug').execute()).map((row) => row.slug);
  const repos = (await ctx.db.selectFrom('repos').select('full_name').execute()).map((row) => row.full_name);
  return { ids, userIds, slugs, repos };
}

const pick = (values: string[], fallback: fc.Arbitrary<string>) => (values.length ? fc.constantFrom(...values) : fallback);

/** One path segment: an id that exists, a well-formed one that does not, or junk. */
function segmentFor(name: string, operation: Operation, pools: Pools): fc.Arbitrary<string> {
  const schema = operation.parameters.find((parameter) => parameter.in === 'path' && parameter.name === name)?.schema;
  const known = name === 'userId' ? pools.userIds : name === 'slug' ? pools.slugs : name === 'id' ? pools.ids : [];
  return fc.oneof({ weight: 3, arbitrary: pick(known, valueFor(schema).map(String)) }, { weight: 1, arbitrary: valueFor(schema).map(String) }, { weight: 1, arbitrary: junkString });
}

function pathFor(operation: Operation, pools: Pools): fc.Arbitrary<string> {
  const names = pathParameterNames(operation.path);
  const repo = pick(pools.repos, fc.constant('acme/widget')).map((fullName) => fullName.split('/'));
  const segments = fc.record(Object.fromEntries(names.map((name) => [name, segmentFor(name, operation, pools)])));
  return fc.tuple(segments, repo, fc.boolean()).map(([values, [owner, name], realRepo]) => {
    const filled = realRepo && names.includes('owner') ? { ...values, owner, name } : values;
    return fillPath(operation.path, Object.fromEntries(Object.entries(filled).map(([key, value]) => [key, encodeURIComponent(value)])));
  });
}

function queryFor(operation: Operation): fc.Arbitrary<string> {
  const parameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  const pairs = parameters.map((parameter) =>
    fc.option(fc.oneof({ weight: 3, arbitrary: valueFor(parameter.schema) }, { weight: 1, arbitrary: junkString }).map((value) => [parameter.name, String(value)] as const), { nil: undefined }),
  );
  const extra = fc.option(fc.tuple(fc.constantFrom('limit', 'cursor', 'unknown', '__proto__'), junkString), { nil: undefined });
  return fc.tuple(fc.tuple(...pairs), extra).map(([chosen, more]) => {
    const search = new URLSearchParams();
    for (const pair of [...chosen, more]) if (pair) search.append(pair[0], pair[1]);
    const text = search.toString();
    return text ? `?${text}` : '';
  });
}

type Payload = { payload?: string; contentType?: string };

function payloadFor(operation: Operation): fc.Arbitrary<Payload> {
  const json = (value: unknown): Payload => ({ payload: JSON.stringify(value), contentType: 'application/json' });
  const options: Array<{ weight: number; arbitrary: fc.Arbitrary<Payload> }> = [
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 2, arbitrary: invalidBodyFor(operation.body).map(json) },
    { weight: 1, arbitrary: malformedJson.map((payload) => ({ payload, contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/xml'), fc.string({ maxLength: 40 })).map(([contentType, payload]) => ({ payload, contentType })) },
  ];
  if (operation.body) options.push({ weight: 5, arbitrary: valueFor(operation.body).map(json) });
  return fc.oneof(...options);
}

const authorization = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...WORLD_ROLES).map((role) => (tokens[role] ? `Bearer ${tokens[role]}` : undefined)) },
  { weight: 1, arbitrary: fc.constantFrom('Bearer not-a-token', 'Basic dXNlcjpwYXNz', 'Bearer ', 'bearer\u0000x') },
);

function requestFor(operation: Operation, pools: Pools) {
  return fc.record({ path: pathFor(operation, pools), query: queryFor(operation), body: payloadFor(operation), authorization });
}

describe(`hostile input: ${operations.length} operations from /openapi.json, ${RUNS} cases each`, () => {
  after(() => ctx.close());

  test('the document lists the API', () => {
    assert.ok(operations.length > (ONLY ? 0 : 50), `only ${operations.length} operations found`);
  });

  for (const operation of operations) {
    test(operation.name, async () => {
      const pools = await currentPools();
      await fc.assert(
        fc.asyncProperty(requestFor(operation, pools), async (request) => {
          const url = `${request.path}${request.query}`;
          const response = await ctx.app.inject({
            method: operation.method,
            url,
            headers: { ...(request.authorization ? { authorization: request.authorization } : {}), ...(request.body.contentType ? { 'content-type': request.body.contentType } : {}) },
            payload: request.body.payload,
          });
          const where = `${operation.method} ${url} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
          assert.ok(response.statusCode < 500, where);
          if (response.statusCode >= 400) {
            assert.match(String(response.headers['content-type']), /^application\/json/, where);
            try {
              assertErrorShape(JSON.parse(response.body), response.statusCode);
            } catch (error) {
              throw new Error(`${where}: not the documented error shape`, { cause: error });
            }
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: false },
      );
    });
  }
});
