import pino, { type Logger } from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Deps } from '../../src/deps.ts';
import type { MailTransport, OutgoingEmail } from '../../src/integrations/email/client.ts';
import { openDatabase } from '../../src/db/database.ts';
import { githubAppFromConfig, type GitHubPermissions } from '../../src/integrations/github/client.ts';
import { createJobHandlers } from '../../src/jobs/handlers.ts';
import { JobRunner } from '../../src/jobs/queue.ts';
import { FakeClock } from '../../src/lib/clock.ts';
import { freshDatabase } from './database.ts';

export type TestContext = Awaited<ReturnType<typeof startTestApp>>;

export type TestOptions = {
  env?: Record<string, string>;
  github?: GitHubPermissions | null;
  /** Replaces the silent logger, e.g. to capture what the app writes to its logs. */
  logger?: Logger;
  /** Private addresses that fetching user-given URLs may reach: the loopback fakes of a test. */
  ssrfAllowList?: readonly string[];
  /** PostgreSQL only: a second app process on another app's database instead of a fresh one (close it first). */
  sameDatabaseAs?: { url?: string };
};

/** The whole app on a fresh database, with a fake clock, a mail transport that records, and a job runner to drain. */
export async function startTestApp(options: TestOptions = {}) {
  const shared = options.sameDatabaseAs?.url;
  if (options.sameDatabaseAs && !shared) throw new Error('Only a PostgreSQL database can be shared by two app instances.');
  const handle = shared ? { ...(await openDatabase({ engine: 'postgres', url: shared })), url: shared } : await freshDatabase();
  const config: Config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000', SIGNIN_RATE_LIMIT_PER_HOUR: '1000', ...options.env });
  const clock = new FakeClock();
  const sent: OutgoingEmail[] = [];
  const mail: MailTransport = { name: 'dev-outbox', send: async (email) => void sent.push(email) };
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // With GITHUB_APP_ID and GITHUB_PRIVATE_KEY in `env` (and GITHUB_API_URL at a fake), the app and its permission checks are real.
  const githubApp = githubAppFromConfig(config);
  const deps: Deps = { config, db: handle.db, engine: handle.engine, notifications: handle.notifications, clock, logger, mail, github: options.github ?? githubApp?.permissions ?? null, githubApp, ssrfAllowList: options.ssrfAllowList };
  const { app, services } = await buildApp(deps);
  const jobs = new JobRunner({ db: handle.db, clock, handlers: createJobHandlers(deps, services), logger, workerId: 'test' });
  return {
    app,
    services,
    deps,
    db: handle.db,
    /** PostgreSQL only: the database's address, for another process (or app instance) to share it. */
    url: handle.url,
    clock,
    jobs,
    sent,
    async close() {
      await app.close();
      await handle.close();
    },
  };
}
