import { CompiledQuery, type Compilable } from 'kysely';
import type { Queryable } from './database.ts';

/** Where a value goes among a compiled statement's parameters. */
class Slot {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

/**
 * A read that the query builder builds and compiles once per shape, then runs with new values: for
 * statements on every request whose building costs the server more than PostgreSQL spends running them
 * (a ticket with its access check: a tree of some hundred nodes built, frozen and compiled per request).
 *
 * `build` gets stand-ins for the values: strings the statement must carry as parameters unchanged. What
 * chooses the statement's form (an operator sees every ticket) goes in `shape`, never in the values. The
 * first build of each shape checks that every stand-in arrived as a parameter and none was written into
 * the text, and throws otherwise.
 */
export function compileOnce<V extends Record<string, string>, O>(build: (values: V, shape: string) => Compilable<O>) {
  const statements = new Map<string, { sql: string; parameters: unknown[] }>();

  function compile(shape: string, names: string[]) {
    const standIns = Object.fromEntries(names.map((name) => [name, `\u0001${name}\u0001`])) as V;
    const { sql, parameters } = build(standIns, shape).compile();
    const parameterOf = new Map(names.map((name) => [standIns[name as keyof V] as string, new Slot(name)]));
    const mapped = parameters.map((parameter) => parameterOf.get(parameter as string) ?? parameter);
    for (const name of names) {
      if (sql.includes(standIns[name as keyof V] as string)) throw new Error(`compileOnce: the value ${name} was written into the statement; pass it as a parameter or make it part of the shape`);
      if (!mapped.some((parameter) => parameter instanceof Slot && parameter.name === name)) throw new Error(`compileOnce: the value ${name} does not reach the statement`);
    }
    return { sql, parameters: mapped };
  }

  return async (db: Queryable, shape: string, values: V): Promise<O[]> => {
    let statement = statements.get(shape);
    if (!statement) statements.set(shape, (statement = compile(shape, Object.keys(values))));
    const parameters = statement.parameters.map((parameter) => (parameter instanceof Slot ? values[parameter.name] : parameter));
    return (await db.executeQuery(CompiledQuery.raw(statement.sql, parameters))).rows as O[];
  };
}
