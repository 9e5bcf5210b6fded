import fc from 'fast-check';
import type { TestContext } from './app.ts';

/**
 * The API as its OpenAPI document describes it, and fast-check arbitraries that build requests from
 * it: values that follow each JSON schema (valid-ish: patterns, formats, bounds, enums) and hostile
 * ones (wrong types, junk strings, malformed JSON). Tests that walk every operation read the routes
 * from here, so a route added anywhere is covered without touching them.
 */

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

export type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema: JsonSchema };

export type Operation = {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path template, e.g. /api/v1/tickets/{id}. */
  path: string;
  name: string;
  parameters: Parameter[];
  /** The JSON body's schema; undefined when the operation takes no JSON body. */
  body?: JsonSchema;
  bodyRequired: boolean;
};

export async function loadOperations(ctx: TestContext): Promise<Operation[]> {
  const response = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
  const document = JSON.parse(response.body) as { paths: Record<string, Record<string, any>> };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const upper = method.toUpperCase() as Operation['method'];
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(upper)) continue;
      operations.push({
        method: upper,
        path,
        name: `${upper} ${path}`,
        parameters: (operation.parameters ?? []) as Parameter[],
        body: operation.requestBody?.content?.['application/json']?.schema,
        bodyRequired: Boolean(operation.requestBody?.required),
      });
    }
  }
  return operations;
}

/** The names of a path template's parameters, in order: /a/{owner}/{name} -> [owner, name]. */
export const pathParameterNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_whole, name: string) => values[name] ?? 'missing');
}

const LIMIT = 40;

/** Values that follow the schema closely enough to get past validation much of the time. */
export function valueFor(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  if (!schema) return fc.jsonValue({ maxDepth: 2 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map(valueFor));
  if (schema.allOf?.length) return valueFor(Object.assign({}, ...schema.allOf));
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => valueFor({ ...schema, type })));
  switch (schema.type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({ min: Math.ceil(lowerBound(schema)), max: Math.floor(upperBound(schema)) });
    case 'number':
      return fc.double({ min: lowerBound(schema), max: upperBound(schema), noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valueFor(schema.items), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, Math.max(schema.minItems ?? 0, 4)) });
    case 'object':
      return objectFor(schema);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function lowerBound(schema: JsonSchema): number {
  return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000_000);
}

function upperBound(schema: JsonSchema): number {
  return schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000_000);
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const isoDate = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time') return isoDate.map((date) => date.toISOString());
  if (schema.format === 'date') return isoDate.map((date) => date.toISOString().slice(0, 10));
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'uri') return fc.webUrl();
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).map((value) => value.slice(0, schema.maxLength ?? value.length));
  const minLength = schema.minLength ?? 0;
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? LIMIT, LIMIT)), unit: 'grapheme' });
}

function objectFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  if (Object.keys(properties).length === 0) {
    return typeof schema.additionalProperties === 'object' ? fc.dictionary(fc.string({ maxLength: 12 }), valueFor(schema.additionalProperties), { maxKeys: 4 }) : fc.constant({});
  }
  const shape = Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, valueFor(child)]));
  return fc.record(shape, { requiredKeys: (schema.required ?? []).filter((key) => key in shape) });
}

/** Strings a hostile or careless client sends where an id, a slug or a number is expected. */
export const junkString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ maxLength: 30, unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '..',
    '%',
    '\u0000',
    '-1',
    '0',
    '1e309',
    'NaN',
    'null',
    'undefined',
    '[]',
    '{}',
    'true',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '9'.repeat(400),
    'a'.repeat(5_000),
    'ü'.repeat(300),
    '2026-02-30',
    '2026-13-01T25:61:00Z',
  ),
);

/** A JSON body that is wrong: another type, a field of the right object spoiled, or nothing like it. */
export function invalidBodyFor(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const spoiled = schema?.properties
    ? fc
        .tuple(valueFor(schema) as fc.Arbitrary<Record<string, unknown>>, fc.constantFrom(...Object.keys(schema.properties)), fc.oneof(junkString, fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 63), 1.5, 1e308)))
        .map(([body, key, value]) => ({ ...(typeof body === 'object' && body ? body : {}), [key]: value }))
    : fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    spoiled,
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom({ __proto__: { admin: true } }, JSON.parse('{"__proto__": {"isOperator": true}}'), { constructor: { prototype: { x: 1 } } }, [], null, 'text', 0),
  );
}

/** A raw request body that is not JSON at all, sent with a JSON content type. */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('{', '{"a":', '[1,2', 'nul', '{"a":1}}', '\u0000', '{"a":"\ud800"}'), fc.string({ maxLength: 20 }));
