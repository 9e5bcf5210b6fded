import Fastify from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { newId } from '../../src/lib/ids.ts';

/**
 * The same-run baseline: a bare Fastify server on the same database driver, with one route doing one
 * indexed insert and one doing one read by primary key. Nothing else: no auth, no validation, no rules.
 */
export async function startBaseline(db: Database) {
  await sql`CREATE TABLE IF NOT EXISTS bench_baseline (id uuid PRIMARY KEY, title text NOT NULL, created_at timestamptz NOT NULL)`.execute(db);
  const app = Fastify();
  let lastId = newId();
  await sql`INSERT INTO bench_baseline VALUES (${lastId}, 'seed', now())`.execute(db);
  app.post('/insert', async (request) => {
    const id = newId();
    await sql`INSERT INTO bench_baseline (id, title, created_at) VALUES (${id}, ${(request.body as { title: string }).title}, now())`.execute(db);
    lastId = id;
    return { id };
  });
  app.get('/read', async () => {
    const result = await sql`SELECT id, title FROM bench_baseline WHERE id = ${lastId}`.execute(db);
    return result.rows[0];
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}
