import { CompiledQuery, type Compilable } from 'kysely';
import type { Queryable } from './database.ts';

/** Where a value goes among a compiled statement's parameters, and the stand-in for a value that is not a string. */
class Slot {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

/**
 * A statement that the query builder builds and compiles once per shape, then runs with new values: for
 * statements on every request whose building costs the server more than PostgreSQL spends running them
 * (a ticket with its access check: a tree of some hundred nodes built, frozen and compiled per request;
 * a batch of new tickets).
 *
 * `build` gets the database to build with (the first caller's) and stand-ins for the values, which the
 * statement must carry as parameters unchanged: a marked string for a string, an opaque object for
 * anything else (an array a statement unnests). What chooses the statement's form (an operator sees every
 * ticket, which columns a batch sets) goes in `shape`, never in the values. The first build of each shape
 * checks that every stand-in arrived as a parameter and none was written into the text, and throws
 * otherwise.
 */
export function compileOnce<V extends Record<string, unknown>, O>(build: (values: V, shape: string, db: Queryable) => Compilable<O>) {
  const statements = new Map<string, { sql: string; parameters: unknown[] }>();

  function compile(db: Queryable, shape: string, values: V) {
    const names = Object.keys(values);
    const standIns = Object.fromEntries(names.map((name) => [name, typeof values[name] === 'string' ? `\u0001${name}\u0001` : new Slot(name)])) as V;
    const { sql, parameters } = build(standIns, shape, db).compile();
    const parameterOf = new Map<unknown, Slot>(names.map((name) => [standIns[name as keyof V], new Slot(name)]));
    const mapped = parameters.map((parameter) => parameterOf.get(parameter) ?? parameter);
    for (const name of names) {
      const standIn = standIns[name as keyof V];
      if (typeof standIn === 'string' && sql.includes(standIn)) throw new Error(`compileOnce: the value ${name} was written into the statement; pass it as a parameter or make it part of the shape`);
      if (!mapped.some((parameter) => parameter instanceof Slot && parameter.name === name)) throw new Error(`compileOnce: the value ${name} does not reach the statement`);
    }
    return { sql, parameters: mapped };
  }

  return async (db: Queryable, shape: string, values: V): Promise<O[]> => {
    let statement = statements.get(shape);
    if (!statement) statements.set(shape, (statement = compile(db, shape, values)));
    const parameters = statement.parameters.map((parameter) => (parameter instanceof Slot ? values[parameter.name] : parameter));
    return (await db.executeQuery(CompiledQuery.raw(statement.sql, parameters))).rows as O[];
  };
}
