import { buildApp } from './app.ts';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, publicUrl, type Config } from './config.ts';
import type { EmailChannel } from './integrations/email/inbound.ts';
import { startInboundSmtp } from './integrations/email/smtp.ts';
import { seedDemo } from './demo/seed.ts';
import { startRuntime } from './runtime.ts';

/** Entry point: config -> database -> migrations -> app -> listen, with graceful shutdown. */
async function main() {
  const config = loadConfig();
  const demo = config.BACKLINE_DEMO || process.argv.includes('--demo');
  const runtime = await startRuntime(config);
  const { deps, jobs, handle } = runtime;
  if (demo) await seedDemo(deps, runtime.services);
  const { app, services } = await buildApp(deps, runtime.services);
  // The Discord gateway listens where jobs run: one connection per deployment, next to the worker.
  let gateway: { stop(): Promise<void> } | null = null;
  if (config.BACKLINE_WORKER === 'inline') {
    jobs.start();
    gateway = await runtime.services.discordThreads.start();
  }
  const smtp = await inboundSmtp(config, services.email, deps.logger);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'shutting down: draining requests and jobs');
    await app.close(); // stops accepting, waits for in-flight requests
    await smtp?.close();
    await gateway?.stop();
    await jobs.stop();
    await handle.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.PORT, host: config.HOST });
  deps.logger.info(`Backline is running at ${publicUrl(config)} (API docs at /docs)`);
}

/** The SMTP server for email replies, when INBOUND_SMTP_PORT is set and replies are on. */
async function inboundSmtp(config: Config, email: EmailChannel | null, logger: Logger) {
  if (!config.INBOUND_SMTP_PORT) return null;
  if (!email) {
    logger.warn('INBOUND_SMTP_PORT is set but email replies are off (INBOUND_EMAIL_DOMAIN and EMAIL_REPLY_SECRET): no SMTP server');
    return null;
  }
  return startInboundSmtp(email, { port: config.INBOUND_SMTP_PORT, host: config.INBOUND_SMTP_HOST, logger });
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
