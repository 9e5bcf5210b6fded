/**
 * Rows as objects, built from node-postgres' array rows by a function made once per list of columns.
 *
 * node-postgres builds each row by copying an empty row and then setting every column by name. Across
 * the server's statements those stores see hundreds of object shapes, so V8 runs each through its
 * slowest lookup: about 7% of the server's CPU for a helper queue page (26 rows of 38 columns). A
 * function whose body is an object literal with the columns in order builds the same object in one
 * step: reading a queue page on one connection took the process 0.28 ms of CPU instead of 0.31 (best of
 * twelve interleaved blocks), 0.34 instead of 0.41 (median).
 *
 * The function is made from the column names with `new Function`; every name goes in as a JSON string
 * literal, so no name can change the code. A name the literal cannot carry as an own property
 * (`__proto__` sets the prototype instead) takes the slow path, as do more distinct column lists than
 * MAX_SHAPES (the server's statements have a few hundred; beyond that something makes them up).
 */
type Row = Record<string, unknown>;
type Builder = (values: unknown[]) => Row;

const MAX_SHAPES = 2000;
const builders = new Map<string, Builder>();

export function rowObjects(fields: ReadonlyArray<{ name: string }>, rows: unknown[][]): Row[] {
  const names = fields.map((field) => field.name);
  const build = builderFor(names);
  return rows.map(build);
}

function builderFor(names: string[]): Builder {
  const key = names.join('\u0000');
  let build = builders.get(key);
  if (build) return build;
  build = names.includes('__proto__') || builders.size >= MAX_SHAPES ? slowBuilder(names) : literalBuilder(names);
  if (builders.size < MAX_SHAPES) builders.set(key, build);
  return build;
}

function literalBuilder(names: string[]): Builder {
  const properties = names.map((name, index) => `${JSON.stringify(name)}: values[${index}]`);
  return new Function('values', `return { ${properties.join(', ')} };`) as Builder;
}

/** As node-postgres does it: a later column of the same name wins, and `__proto__` stays a column. */
function slowBuilder(names: string[]): Builder {
  return (values) => {
    const row: Row = {};
    names.forEach((name, index) => Object.defineProperty(row, name, { value: values[index], enumerable: true, writable: true, configurable: true }));
    return row;
  };
}
