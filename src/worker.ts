import { ConfigError, loadConfig } from './config.ts';
import { startRuntime } from './runtime.ts';

/** Job processing in its own process (run with BACKLINE_WORKER=off on the servers). Needs DATABASE_URL. */
async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    throw new ConfigError('The worker shares the database with the server: set DATABASE_URL (the embedded database belongs to one process).');
  }
  const { deps, jobs, handle, services } = await startRuntime(config);
  jobs.start();
  const gateway = await services.discordThreads.start();
  deps.logger.info('worker started');
  const shutdown = async () => {
    await gateway?.stop();
    await jobs.stop();
    await handle.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
