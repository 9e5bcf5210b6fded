import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import { startTestApp } from './helpers/app.ts';
import { fillPath, loadOperations, pathParameterNames, valueFor, type JsonSchema, type Operation } from './helpers/openapi.ts';
import { buildWorld, PRIVATE_MARKERS, type WorldRole } from './helpers/world.ts';

/**
 * The deny side of the authorization matrix, generated from /openapi.json so that every route, including
 * routes added later, is covered without listing it here. Every operation is sent, with a schema-valid
 * body where one can be made, pointing at the first tenant's repository, organization, tickets, quote and
 * payment, by:
 * - anonymous: 401, unless the operation is listed in PUBLIC below (a reviewed decision);
 * - every signed-in role but the operator on /api/v1/admin/...: 403;
 * - the other tenant's people (another org's admin, another repository's maintainer and helper), and for
 *   organization routes everyone outside the organization: 400, 401 (a web chat conversation answers only
 *   its token), 403 or 404, never a success, unless the
 *   operation is listed in OPEN_TO_OTHERS (also reviewed).
 * And no answer to any of them ever contains the first tenant's private text (ticket titles, org name, quote).
 * What each role may do with its own data is in authorization*.test.ts, row by row.
 */

/**
 * A listed repository's front doors: its public page and catalogue, asking its docs, a helper's free slots,
 * web chat. Anyone may use them, signed in or not, including the other tenant's people.
 */
const FRONT_DOORS = [
  'GET /api/v1/repos/{owner}/{name}',
  'GET /api/v1/repos/{owner}/{name}/helpers',
  'GET /api/v1/repos/{owner}/{name}/offerings',
  'GET /api/v1/repos/{owner}/{name}/calendars',
  'GET /api/v1/repos/{owner}/{name}/sla-policies',
  'GET /api/v1/repos/{owner}/{name}/release-windows',
  'GET /api/v1/repos/{owner}/{name}/booking-policy',
  'GET /api/v1/repos/{owner}/{name}/plans',
  'GET /api/v1/repos/{owner}/{name}/consulting-services',
  'GET /api/v1/helpers/{id}/slots',
  'POST /api/v1/repos/{owner}/{name}/ask',
  'POST /api/v1/answers/{id}/feedback',
  'POST /api/v1/invitations/accept',
  'POST /api/v1/chat/conversations',
];

/** Operations anyone may call without signing in: sign-in itself, the public directory, provider webhooks. */
const PUBLIC = new Set([
  ...FRONT_DOORS,
  'POST /api/v1/auth/magic-link',
  'GET /auth/magic',
  'GET /api/v1/auth/providers',
  'GET /auth/github',
  'GET /auth/github/callback',
  'POST /api/v1/auth/sign-out',
  'GET /api/v1/repos',
  'POST /api/v1/onboarding-requests',
  'POST /webhooks/stripe',
]);

/** Operations on the first tenant's things that people of the other tenant may use: the front doors, and signed-in ways in. */
const OPEN_TO_OTHERS = new Set([
  ...FRONT_DOORS,
  'POST /api/v1/repos/{owner}/{name}/helpers/applications',
  'POST /api/v1/repos/{owner}/{name}/helpers/invitations/accept',
]);

/**
 * People with no part in the first tenant's private things: the other tenant's people, and someone who has
 * only applied to help the repository (applying gives no access until a maintainer approves).
 */
const OTHER_TENANT: WorldRole[] = ['otherOrgAdmin', 'otherMaintainer', 'helperElsewhere', 'applicant'];
/**
 * The repository's own customers and helpers are not its staff: on the repository's own routes (settings,
 * money, knowledge, stats) they are refused like strangers, but for the front doors (OPEN_TO_OTHERS).
 */
const NOT_STAFF: WorldRole[] = ['customer', 'orgAdmin', 'helperHere'];
/** Organization routes: everyone who is not a member is outside, including the repository's own people. */
const OUTSIDE_THE_ORG: WorldRole[] = [...OTHER_TENANT, 'maintainer', 'helperHere', 'applicant'];
const NOT_OPERATOR: WorldRole[] = ['customer', 'orgAdmin', 'otherOrgAdmin', 'helperElsewhere', 'helperHere', 'applicant', 'otherMaintainer', 'maintainer'];

// A public https address, as in production: the dev outbox page (every email, to anyone) is not served.
const ctx = await startTestApp({ env: { PUBLIC_URL: 'https://support.example.org' } });
const world = await buildWorld(ctx, { money: true });
const operations = await loadOperations(ctx);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false, allErrors: false }));

/** Table names for the path segment before an {id}: /consulting-requests/{id} -> consulting_requests. */
const TABLE_FOR: Record<string, string> = { tokens: 'api_tokens', sources: 'knowledge_sources', ingestions: 'knowledge_ingestions', answers: 'knowledge_answers', reconciliation: 'reconciliation_runs' };

/** The first tenant's id for the {id} of this path: its ticket, quote, payment, or the newest row of the table the path names. */
async function victimId(path: string): Promise<string> {
  const segment = /\/([\w-]+)\/\{id\}/.exec(path)?.[1] ?? '';
  if (segment === 'tickets') return world.claimedTicketId;
  if (segment === 'quotes') return world.quoteId!;
  if (segment === 'payments') return world.paymentId!;
  if (segment === 'helpers') return world.users.helperHere.id;
  if (segment === 'tokens') {
    const token = await ctx.db.selectFrom('api_tokens').select('id').where('user_id', '=', world.users.customer.id).executeTakeFirst();
    if (token) return token.id;
  }
  const table = TABLE_FOR[segment] ?? segment.replaceAll('-', '_');
  try {
    const row = await ctx.db.selectFrom(table as 'tickets').select('id').orderBy('id', 'desc').executeTakeFirst();
    if (row) return row.id;
  } catch {
    // no such table: an id that exists nowhere still must not succeed for a stranger
  }
  return crypto.randomUUID();
}

async function urlFor(operation: Operation): Promise<string> {
  const [owner, name] = world.repo.split('/');
  const values: Record<string, string> = { owner, name, slug: world.org, country: 'DE' };
  if (pathParameterNames(operation.path).includes('id')) values.id = await victimId(operation.path);
  values.userId = operation.path.includes('/orgs/') ? world.users.customer.id : world.applicantId;
  return fillPath(operation.path, values);
}

/**
 * Values the JSON schema cannot express (the routes check them in code): a currency must be a real one,
 * a time zone a real zone, a time of day "HH:MM". Used where the schema says only "a string".
 */
const HINTS: Record<string, string> = { currency: 'EUR', timeZone: 'Europe/Paris', tz: 'Europe/Paris', start: '09:00', end: '17:00', from: '2026-01-01', to: '2027-01-01', country: 'DE' };

function withHints(schema: JsonSchema): JsonSchema {
  const hinted: JsonSchema = { ...schema };
  if (schema.properties) {
    hinted.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, child]) => [key, key in HINTS && child.type === 'string' && !child.format && !child.pattern ? { const: HINTS[key] } : withHints(child)]),
    );
  }
  if (schema.items) hinted.items = withHints(schema.items);
  if (typeof schema.additionalProperties === 'object') hinted.additionalProperties = withHints(schema.additionalProperties);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (schema[key]) hinted[key] = schema[key].map(withHints);
  return hinted;
}

/** A body the route's schema accepts (the first of a fixed series of samples that validates), so the request reaches the rules behind it. */
function validBody(schema: JsonSchema | undefined): unknown {
  if (!schema) return undefined;
  const validate = ajv.compile(schema);
  const samples = fc.sample(valueFor(withHints(schema)), { numRuns: 200, seed: 42 });
  return samples.find((sample) => validate(sample)) ?? samples[0];
}

async function send(operation: Operation, url: string, body: unknown, role: WorldRole) {
  const token = role === 'anonymous' ? undefined : world.users[role].token;
  const response = await ctx.app.inject({
    method: operation.method,
    url,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      'idempotency-key': crypto.randomUUID(),
    },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.body };
}

describe(`authorization matrix generated from /openapi.json (${operations.length} operations)`, () => {
  after(() => ctx.close());

  test('the lists of reviewed exceptions name operations that exist', () => {
    const names = new Set(operations.map((operation) => operation.name));
    assert.deepEqual([...PUBLIC, ...OPEN_TO_OTHERS].filter((name) => !names.has(name)), []);
  });

  for (const operation of operations) {
    test(operation.name, async (t) => {
      const url = await urlFor(operation);
      const body = validBody(operation.body);
      const problems: string[] = [];
      const unreached: string[] = [];
      const admin = operation.path.startsWith('/api/v1/admin/');
      const tenantScoped = pathParameterNames(operation.path).length > 0;
      const repoRoute = operation.path.startsWith('/api/v1/repos/{owner}/{name}');
      const outsiders = operation.path.includes('/orgs/{slug}')
        ? OUTSIDE_THE_ORG
        : repoRoute
          ? [...OTHER_TENANT, ...NOT_STAFF]
          : OTHER_TENANT;
      const check = (role: WorldRole, response: { status: number; body: string }, allowed: number[] | null) => {
        // The body generated from the schema failed a rule the schema does not show: the request never reached the
        // authorization behind it. Counted, not failed: it proves nothing either way.
        if (allowed && response.status === 400 && !allowed.includes(400)) unreached.push(role);
        else if (allowed && !allowed.includes(response.status)) problems.push(`${role}: ${response.status} (expected ${allowed.join(' or ')}) ${response.body.slice(0, 200)}`);
        const leaked = PRIVATE_MARKERS.find((marker) => response.body.includes(marker));
        if (leaked) problems.push(`${role}: the answer contains "${leaked}"`);
      };

      // Denied requests change nothing, so their order does not matter; nobody allowed is asked here.
      check('anonymous', await send(operation, url, body, 'anonymous'), PUBLIC.has(operation.name) ? null : [401]);
      if (admin) {
        for (const role of NOT_OPERATOR) check(role, await send(operation, url, body, role), [403]);
      } else {
        for (const role of outsiders) {
          const allowed = tenantScoped && !OPEN_TO_OTHERS.has(operation.name) ? [400, 401, 403, 404] : null;
          check(role, await send(operation, url, body, role), allowed);
        }
      }
      assert.deepEqual(problems, [], `${operation.method} ${url}`);
      if (unreached.length) t.diagnostic(`${operation.name}: not reached for ${unreached.join(', ')} (the generated body was refused)`);
    });
  }
});
