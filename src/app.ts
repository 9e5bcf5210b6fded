import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyReply } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Deps } from './deps.ts';
import { errorBody } from './errors.ts';
import { authenticate } from './http/authenticate.ts';
import { devOutboxPage, registerDevRoutes } from './http/dev.routes.ts';
import { redactedRequestSerializer } from './http/log-redaction.ts';
import { registerWebApp, type WebApp } from './http/web.ts';
import { handleError } from './http/error-handler.ts';
import { rejectNulCharacters } from './http/nul-guard.ts';
import { registerSecurityHeaders } from './http/security-headers.ts';
import { ExactMemoryStore } from './http/rate-limit-store.ts';
import type { App } from './http/types.ts';
import { registerDiscordRoutes } from './integrations/discord/routes.ts';
import { registerSlackRoutes } from './integrations/slack/routes.ts';
import { registerEmailRoutes } from './integrations/email/routes.ts';
import { registerGitHubRoutes } from './integrations/github/routes.ts';
import { registerWebChatRoutes } from './integrations/web-chat/routes.ts';
import { registerAdminMoneyRoutes } from './modules/admin-money/admin-money.routes.ts';
import { registerAuthRoutes } from './modules/auth/auth.routes.ts';
import { registerChannelRoutes } from './modules/channels/channels.routes.ts';
import { githubSignIn } from './modules/auth/github-signin.ts';
import { registerGitHubSignInRoutes } from './modules/auth/github-signin.routes.ts';
import { registerConsultingRoutes } from './modules/consulting/consulting.routes.ts';
import { registerHelperRoutes } from './modules/helpers/helpers.routes.ts';
import { registerInvoiceRoutes } from './modules/invoices/invoices.routes.ts';
import { registerKnowledgeRoutes } from './modules/knowledge/knowledge.routes.ts';
import { registerLedgerRoutes } from './modules/ledger/ledger.routes.ts';
import { registerOfferingRoutes } from './modules/offerings/offerings.routes.ts';
import { registerOrgRoutes } from './modules/orgs/orgs.routes.ts';
import { registerPayoutRoutes } from './modules/payouts/payouts.routes.ts';
import { registerPlanRoutes } from './modules/plans/plans.routes.ts';
import { registerPaymentRoutes } from './modules/payments/payments.routes.ts';
import { registerProviderWebhookRoutes } from './modules/provider-events/provider-events.routes.ts';
import { registerReleaseRoutes } from './modules/releases/releases.routes.ts';
import { registerRepoRoutes } from './modules/repos/repos.routes.ts';
import { registerSchedulingRoutes } from './modules/scheduling/scheduling.routes.ts';
import { registerSlaRoutes } from './modules/sla/sla.routes.ts';
import { registerStatementRoutes } from './modules/statements/statements.routes.ts';
import { registerStatsRoutes } from './modules/stats/stats.routes.ts';
import { registerTicketRoutes } from './modules/tickets/tickets.routes.ts';
import { registerUserRoutes } from './modules/users/users.routes.ts';
import { createServices, type Services } from './services.ts';

export type BuiltApp = { app: App; services: Services };

/**
 * The Fastify instance with every route, without listening: tests inject requests into it. The server
 * passes the runtime's services, so that its jobs and its routes share one set (caches, group commits,
 * the search thread) instead of building a second one.
 */
export async function buildApp(deps: Deps, services: Services = createServices(deps)): Promise<BuiltApp> {
  const { config } = deps;
  const allowedOrigins = new Set(config.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean));

  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    // Only behind a proxy we run may X-Forwarded-For be believed: otherwise anyone could pick the IP
    // the per-IP rate limits count against.
    trustProxy: config.TRUST_PROXY,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply).code(400).send(errorBody('bad_request', `The request could not be read: ${error.message}`));
    },
  }).withTypeProvider<ZodTypeProvider>();

  // Links sent by email carry secrets in their query string, and Fastify logs every request URL.
  app.addHook('onRoute', (route) => {
    route.logSerializers = { req: redactedRequestSerializer, ...route.logSerializers };
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  let webApp: WebApp | null = null;
  app.setNotFoundHandler((request, reply) => {
    // Page addresses of the web app (/s/owner/name, /portal/…) are answered by its index.html.
    if (webApp?.fallback(request, reply)) return reply;
    return reply.code(404).send(errorBody('not_found', `There is no ${request.method} ${request.url.split('?')[0]}; see /docs for the API.`));
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  registerSecurityHeaders(app);
  await app.register(fastifyCors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
    credentials: false,
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyRateLimit, {
    store: ExactMemoryStore,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: '1 minute',
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz',
    keyGenerator: (request) => request.headers.authorization ?? request.ip,
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return Object.assign(new Error(`Too many requests. Try again in ${seconds} seconds.`), { statusCode: 429 });
    },
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Backline API',
        version: '1',
        description:
          'Paid, community and AI support for open-source projects. Authenticate with `Authorization: Bearer <token>` ' +
          '(create one with `POST /api/v1/me/tokens` or `backline user add --token`). Errors are ' +
          '`{ "error": { "code", "message", "details": [{ "path", "message" }] } }`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    // Schemas registered with an id (`.meta({ id })`) are referenced from the paths: this puts them
    // under components.schemas, without which those references would point nowhere.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.addHook('onRequest', authenticate(services.auth, config, allowedOrigins));
  app.addHook('preValidation', rejectNulCharacters);

  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(deps.db);
      return { ok: true };
    } catch {
      return reply.code(503).send(errorBody('not_ready', 'The database is not reachable.'));
    }
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAuthRoutes(app, services.auth, config);
  registerGitHubSignInRoutes(app, githubSignIn(deps, services.auth), config);
  registerUserRoutes(app, services.users);
  registerOrgRoutes(app, services.orgs);
  registerRepoRoutes(app, services.repos, services.orgs);
  registerHelperRoutes(app, services.helpers);
  registerOfferingRoutes(app, services.offerings);
  registerLedgerRoutes(app, services.ledger);
  registerProviderWebhookRoutes(app, services.providerEvents);
  registerDiscordRoutes(app, services.discord);
  registerSlackRoutes(app, services.slack, config);
  registerGitHubRoutes(app, services.github);
  registerEmailRoutes(app, services.email, config);
  registerWebChatRoutes(app, services.webChat, config);
  registerChannelRoutes(app, services.channels);
  registerInvoiceRoutes(app, services.invoices);
  registerTicketRoutes(app, services.tickets);
  registerSlaRoutes(app, services.sla);
  registerReleaseRoutes(app, services.releases);
  registerSchedulingRoutes(app, services.scheduling);
  registerPlanRoutes(app, services.plans);
  registerConsultingRoutes(app, services.consulting);
  registerKnowledgeRoutes(app, services.knowledge, config);
  registerPayoutRoutes(app, services.payouts);
  registerStatementRoutes(app, services.statements);
  registerStatsRoutes(app, services.stats);
  registerAdminMoneyRoutes(app, services.adminMoney);
  // Only a server that listens starts the daily payout run (tests inject and run payouts when they choose).
  app.addHook('onListen', async () => services.payouts.scheduleNextRun());
  app.addHook('onListen', async () => services.assistant.retention.scheduleNextRun());
  app.addHook('onClose', async () => services.knowledge.close());
  registerPaymentRoutes(app, services.payments);
  if (devOutboxPage(config)) registerDevRoutes(app, deps);
  if (config.WEB_APP) webApp = await registerWebApp(app);

  await app.ready();
  return { app, services };
}
