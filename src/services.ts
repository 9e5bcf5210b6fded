import type { Deps } from './deps.ts';
import { discordGateway } from './integrations/discord/gateway.ts';
import { createDiscordIntegration } from './integrations/discord/integration.ts';
import { createSlackIntegration } from './integrations/slack/integration.ts';
import { createWebChat } from './integrations/web-chat/web-chat.service.ts';
import { createStripeIntegration, stripeClientFromConfig } from './integrations/stripe/integration.ts';
import { stripeWebhookAdapter } from './integrations/stripe/webhook.ts';
import type { JobHandlers } from './jobs/queue.ts';
import { createAdminMoneyService } from './modules/admin-money/admin-money.service.ts';
import { createEmailChannel } from './integrations/email/inbound.ts';
import { createGitHubIntegration } from './integrations/github/integration.ts';
import { createAssistantService } from './modules/assistant/assistant.service.ts';
import { createAuthService } from './modules/auth/auth.service.ts';
import { createChannelsService } from './modules/channels/channels.service.ts';
import { createConsultingService } from './modules/consulting/consulting.service.ts';
import { createHelpersService } from './modules/helpers/helpers.service.ts';
import { createInvoicesService } from './modules/invoices/invoices.service.ts';
import { createKnowledgeService } from './modules/knowledge/knowledge.service.ts';
import { createLedgerService } from './modules/ledger/ledger.service.ts';
import { createOfferingsService } from './modules/offerings/offerings.service.ts';
import { createOrgsService } from './modules/orgs/orgs.service.ts';
import { createPayoutsService } from './modules/payouts/payouts.service.ts';
import { createPlansService } from './modules/plans/plans.service.ts';
import { createPaymentsService } from './modules/payments/payments.service.ts';
import { createProviderEventsService } from './modules/provider-events/provider-events.service.ts';
import { createReleasesService } from './modules/releases/releases.service.ts';
import { createReposService } from './modules/repos/repos.service.ts';
import { createSchedulingService } from './modules/scheduling/scheduling.service.ts';
import { createSlaService } from './modules/sla/sla.service.ts';
import { createStatementsService } from './modules/statements/statements.service.ts';
import { createStatsService } from './modules/stats/stats.service.ts';
import { createTicketJobHandlers } from './modules/tickets/tickets.jobs.ts';
import { createTicketsService } from './modules/tickets/tickets.service.ts';
import { createUsersService } from './modules/users/users.service.ts';

/** Every domain service, wired once per process from the same dependencies. */
export function createServices(deps: Deps) {
  const auth = createAuthService(deps);
  const orgs = createOrgsService(deps);
  const repos = createReposService(deps);
  const users = createUsersService(deps);
  const helpers = createHelpersService(deps, repos);
  const offerings = createOfferingsService(deps, repos, helpers);
  const tickets = createTicketsService(deps, { repos, helpers, orgs, offerings, users });
  const ledger = createLedgerService(deps);
  const stripeClient = stripeClientFromConfig(deps.config);
  /** Null when STRIPE_SECRET_KEY is unset: card payments through Stripe are off. */
  const stripe = stripeClient ? createStripeIntegration(deps, stripeClient) : null;
  /** Provider webhooks; the payments domain subscribes with providerEvents.setPaymentEventSink(sink). */
  const providerEvents = createProviderEventsService(deps, [stripeWebhookAdapter(stripeClient, deps.config.STRIPE_WEBHOOK_SECRET)]);
  /** Takes card payments through Stripe when it is configured, through the embedded sandbox otherwise. */
  const invoices = createInvoicesService(deps, orgs);
  const payments = createPaymentsService(deps, { ledger, offerings, repos, tickets, invoices, stripe: stripe?.provider ?? null });
  providerEvents.setPaymentEventSink(payments.eventSink);
  const payouts = createPayoutsService(deps, { ledger, repos, stripe });
  const statements = createStatementsService(deps, { ledger, payouts });
  const adminMoney = createAdminMoneyService(deps, stripe);
  const knowledge = createKnowledgeService(deps, { repos, tickets });
  /** The maintainer dashboard: read-only, over the daily rollups the database keeps. */
  const stats = createStatsService(deps, { repos, knowledge });
  /** SLA clocks start in the statement that opens a ticket and move inside each change's transaction. */
  const sla = createSlaService(deps, { repos, helpers, findTicket: tickets.findById });
  tickets.observe(sla.ticketObserver);
  tickets.contributeToCreation(sla.creationContributor);
  const releases = createReleasesService(deps, repos);
  const scheduling = createSchedulingService(deps, { repos, helpers, tickets });
  /** Support plans: billed through payments and invoices; new tickets they cover are linked and get the plan's SLA. */
  const plans = createPlansService(deps, { repos, orgs, sla, payments, ledger });
  tickets.contributeToCreation(plans.creationContributor);
  /** Consulting requests are worked as expert tickets; an accepted quote is paid and booked in one transaction. */
  const consulting = createConsultingService(deps, { repos, tickets, payments, scheduling, plans });
  /** The conversation engine behind every chat channel; it tells conversations about their tickets' moves. */
  const assistant = createAssistantService(deps, { auth, repos, tickets, knowledge, offerings, payments, scheduling });
  tickets.observe(assistant.ticketObserver);
  payments.observe(assistant.paymentObserver);
  /** Null when DISCORD_PUBLIC_KEY is unset: the Discord integration is off. */
  const discord = createDiscordIntegration(deps, assistant);
  /** Null when SLACK_SIGNING_SECRET is unset: the Slack integration is off. */
  const slack = createSlackIntegration(deps, assistant);
  /** Null when GITHUB_WEBHOOK_SECRET is unset: the GitHub App's webhooks are off. */
  const github = createGitHubIntegration(deps, assistant, deps.githubApp ?? null);
  /** Null when INBOUND_EMAIL_DOMAIN or EMAIL_REPLY_SECRET is unset: replies by email are off. */
  const email = createEmailChannel(deps, { tickets, assistant });
  /** Mirrors people's messages in tickets' Discord threads to the tickets; connected where jobs run (see runtime.ts). */
  const discordThreads = discordGateway(deps, { assistant, tickets });
  /** The web chat of support pages and the widget: always on, it needs no provider. */
  const webChat = createWebChat(deps, { assistant, repos, tickets });
  /** What the maintainer settings show about the channels above: on or off here, linked to the repository or not. */
  const channels = createChannelsService(deps, { repos, enabled: { discord: discord !== null, slack: slack !== null, github: github !== null, email: email !== null } });
  /** Job queues the domains own, merged into the worker's handler table. */
  const jobHandlers: JobHandlers = { ...createTicketJobHandlers(deps, helpers), ...providerEvents.jobHandlers, ...payments.jobHandlers, ...payouts.jobHandlers, ...knowledge.jobHandlers, ...sla.jobHandlers, ...scheduling.jobHandlers, ...plans.jobHandlers, ...assistant.jobHandlers, ...discord?.jobHandlers, ...discordThreads.jobHandlers, ...slack?.jobHandlers, ...github?.jobHandlers, ...email?.jobHandlers };
  return { auth, orgs, repos, users, helpers, offerings, ledger, tickets, invoices, stripe, providerEvents, payments, payouts, statements, stats, adminMoney, knowledge, sla, releases, scheduling, plans, consulting, assistant, discord, discordThreads, webChat, slack, github, email, channels, jobHandlers };
}

export type Services = ReturnType<typeof createServices>;
