import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import type { Deps } from '../src/deps.ts';
import { systemClock } from '../src/lib/clock.ts';
import type { UserActor } from '../src/modules/auth/actor.ts';
import { createServices } from '../src/services.ts';
import { findOrCreateUser } from '../src/modules/users/users.repository.ts';
import type { Asker } from './eval-ai.ts';

/**
 * The real service on an in-memory PGlite: a verified repository with AI on, the corpus ingested the
 * way the CLI does it, and each question asked through `knowledge.ask` (extractive: no model configured).
 */
export async function serviceAsker(corpus: string): Promise<{ ask: Asker; close: () => Promise<void> }> {
  const handle = await openDatabase({ engine: 'pglite' });
  await migrateToLatest(handle.db);
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const deps: Deps = { config, db: handle.db, engine: handle.engine, notifications: handle.notifications, clock: systemClock, logger: pino({ level: 'silent' }), mail: { name: 'dev-outbox', send: async () => {} }, github: null };
  const services = createServices(deps);
  const user = await findOrCreateUser(handle.db, new Date(), { email: 'eval@example.com', isOperator: true });
  const actor: UserActor = { kind: 'user', userId: user.id, email: user.email, isOperator: true, via: 'token' };
  await services.repos.register(actor, { fullName: 'quarry/quarry', description: 'Job queue', topics: [], language: null });
  await services.repos.verify(actor, 'quarry/quarry', 'verified');
  await services.repos.update(actor, 'quarry/quarry', { offerings: { ai: true } });
  const repo = (await services.repos.access(actor, 'quarry/quarry')).repo;
  const report = await services.knowledge.sources.ingestLocal(repo, { path: corpus });
  if (report.status !== 'succeeded') throw new Error(`ingestion failed: ${report.error}`);
  const ask: Asker = async (question) => {
    const reply = await services.knowledge.ask(actor, 'quarry/quarry', question);
    return { citations: reply.citations, ranked: reply.retrieved, declined: reply.declined };
  };
  return { ask, close: () => handle.close() };
}
