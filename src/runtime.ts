import os from 'node:os';
import path from 'node:path';
import type { Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { Deps } from './deps.ts';
import { devOutboxTransport, smtpTransport } from './integrations/email/client.ts';
import { githubAppFromConfig, githubPermissions } from './integrations/github/client.ts';
import { createJobHandlers } from './jobs/handlers.ts';
import { JobRunner } from './jobs/queue.ts';
import { systemClock } from './lib/clock.ts';
import { createLogger } from './logger.ts';
import { createServices, type Services } from './services.ts';

export type Runtime = { deps: Deps; handle: DatabaseHandle; services: Services; jobs: JobRunner };

/** Opens the database named by the configuration, applies migrations and wires the dependencies. */
export async function startRuntime(config: Config): Promise<Runtime> {
  const logger = createLogger(config.LOG_LEVEL);
  const handle = config.DATABASE_URL
    ? await openDatabase({ engine: 'postgres', url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, preparedStatements: config.DATABASE_PREPARED_STATEMENTS, logger })
    : await openDatabase({ engine: 'pglite', dataDir: path.resolve(config.BACKLINE_DATA_DIR), logger });
  logger.info({ engine: handle.engine }, handle.engine === 'pglite' ? `embedded PostgreSQL (PGlite) in ${config.BACKLINE_DATA_DIR}` : 'PostgreSQL');
  const applied = await migrateToLatest(handle.db);
  if (applied.length) logger.info({ applied }, 'migrations applied');

  const mail = config.SMTP_URL ? smtpTransport(config.SMTP_URL, config.MAIL_FROM) : devOutboxTransport(logger);
  if (!config.SMTP_URL) logger.info('SMTP_URL is unset: mail is kept in the dev outbox at /dev/mail');
  const githubApp = githubAppFromConfig(config);
  const github = githubApp?.permissions ?? (config.GITHUB_TOKEN ? githubPermissions(config.GITHUB_TOKEN, config.GITHUB_API_URL) : null);
  if (!github) logger.info('GitHub integration is off (GITHUB_APP_ID/GITHUB_PRIVATE_KEY and GITHUB_TOKEN unset): repository claims wait for an operator');

  const deps: Deps = { config, db: handle.db, engine: handle.engine, notifications: handle.notifications, clock: systemClock, logger, mail, github, githubApp };
  const services = createServices(deps);
  const jobs = new JobRunner({
    db: handle.db,
    clock: systemClock,
    handlers: createJobHandlers(deps, services),
    logger,
    workerId: `${os.hostname()}:${process.pid}`,
  });
  return { deps, handle, services, jobs };
}
