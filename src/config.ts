import { z } from 'zod';
import { parseEncryptionKey } from './lib/encryption.ts';

/**
 * Every environment variable Backline reads, with its default and one line of documentation.
 * The README's configuration table is generated from `configDocs` (`npm run backline -- config`),
 * so the doc strings here are the single source of truth.
 */
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');
const bps = z.coerce.number().int().min(0).max(10_000);
/** http(s) only: z.url() alone takes 'localhost:3000' as a URL whose scheme is 'localhost:'. */
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const variables = {
  PORT: [z.coerce.number().int().min(0).max(65_535).default(3000), 'HTTP port the server listens on.'],
  HOST: [z.string().default('0.0.0.0'), 'Interface the server binds to.'],
  PUBLIC_URL: [httpUrl.optional(), 'Public base URL used in links sent by email (default http://localhost:PORT).'],
  DATABASE_URL: [z.string().optional(), 'PostgreSQL connection string. Unset: embedded PGlite in BACKLINE_DATA_DIR.'],
  BACKLINE_DATA_DIR: [z.string().default('./data'), 'Folder of the embedded database (PGlite) when DATABASE_URL is unset.'],
  DATABASE_POOL_SIZE: [z.coerce.number().int().min(1).max(200).default(10), 'Connections per process to PostgreSQL.'],
  DATABASE_PREPARED_STATEMENTS: [
    bool.default(true),
    'Prepare repeated statements on each PostgreSQL connection (half the database CPU); turn off behind a pooler in transaction mode.',
  ],
  BACKLINE_DEMO: [bool.default(false), 'Seed the demo data set at start (same as `npm start -- --demo`).'],
  BACKLINE_WORKER: [
    z.enum(['inline', 'off']).default('inline'),
    '`inline` runs the job worker inside the server process; `off` leaves jobs to `npm run worker`.',
  ],
  LOG_LEVEL: [z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'Log level.'],
  SESSION_TTL_HOURS: [z.coerce.number().int().min(1).max(24 * 90).default(24 * 14), 'How long a sign-in session lasts.'],
  SESSION_ROTATE_HOURS: [
    z.coerce.number().int().min(1).default(24),
    'A session older than this is replaced by a fresh one on its next use.',
  ],
  MAGIC_LINK_TTL_MINUTES: [z.coerce.number().int().min(1).max(24 * 60).default(15), 'How long a sign-in link works.'],
  COOKIE_SECURE: [bool.optional(), 'Send the session cookie only over HTTPS (default: on when PUBLIC_URL is https).'],
  BODY_LIMIT_BYTES: [z.coerce.number().int().min(1024).default(1_048_576), 'Largest accepted request body.'],
  RATE_LIMIT_PER_MINUTE: [z.coerce.number().int().min(1).default(300), 'Requests per minute per client on the API.'],
  SIGNIN_RATE_LIMIT_PER_HOUR: [z.coerce.number().int().min(1).default(10), 'Sign-in links per hour per email and per IP.'],
  TRUST_PROXY: [bool.default(false), 'Believe X-Forwarded-For (set it only behind your own reverse proxy).'],
  DEV_MAIL_PAGE: [bool.optional(), 'Serve the dev outbox at /dev/mail (default: when SMTP_URL is unset and PUBLIC_URL is not https).'],
  WEB_APP: [bool.default(true), 'Serve the web app (built into web/dist) at / and its pages; off: the API alone.'],
  CORS_ORIGINS: [z.string().default(''), 'Comma-separated origins allowed to call the API from a browser (support sites).'],
  SMTP_URL: [z.string().optional(), 'SMTP server for outgoing mail (smtp://user:pass@host:587). Unset: dev outbox at /dev/mail.'],
  MAIL_FROM: [z.string().default('Backline <support@backline.localhost>'), 'From address of outgoing mail.'],
  GITHUB_TOKEN: [z.string().optional(), 'Token used to check repository permissions on GitHub when verifying claims.'],
  GITHUB_API_URL: [httpUrl.default('https://api.github.com'), 'GitHub REST API base URL (GitHub Enterprise or a test fake).'],
  GITHUB_APP_ID: [z.string().regex(/^\d{1,20}$/, 'must be the numeric App ID').optional(), 'App ID of the GitHub App: with GITHUB_PRIVATE_KEY, the app comments on issues and checks maintainers with installation tokens.'],
  GITHUB_PRIVATE_KEY: [z.string().transform((key) => key.replaceAll('\\n', '\n')).pipe(z.string().regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'must be the PEM private key of the GitHub App')).optional(), 'Private key of the GitHub App (PEM; newlines may be written as \\n).'],
  GITHUB_WEBHOOK_SECRET: [z.string().min(16, 'must be at least 16 characters').optional(), 'Webhook secret of the GitHub App, which signs its deliveries. Unset: POST /webhooks/github is off.'],
  GITHUB_CLIENT_ID: [z.string().optional(), 'Client ID of the GitHub App: with GITHUB_CLIENT_SECRET, people can sign in with GitHub (callback URL PUBLIC_URL/auth/github/callback); the webhook and comments do not need it.'],
  GITHUB_CLIENT_SECRET: [z.string().optional(), 'Client secret of the GitHub App, with GITHUB_CLIENT_ID (it also signs the sign-in state).'],
  GITHUB_WEB_URL: [httpUrl.default('https://github.com'), "GitHub's web address, where people authorize the sign-in and codes are exchanged (GitHub Enterprise or a test fake)."],
  INBOUND_EMAIL_DOMAIN: [z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i, 'must be a domain name such as reply.example.com').optional(), 'Domain of reply addresses (reply+<token>@this domain) and repository support addresses (support+<owner>.<name>@this domain); its mail must reach the inbound SMTP port or POST /webhooks/email. Unset: email replies are off.'],
  EMAIL_REPLY_SECRET: [z.string().min(32, 'must be at least 32 characters').optional(), 'Key that signs reply addresses (ticket and person); changing it voids the addresses already sent.'],
  INBOUND_SMTP_PORT: [z.coerce.number().int().min(1).max(65_535).optional(), 'Port of the SMTP server that receives replies (25 behind MX, or any port your forwarder uses). Unset: no SMTP server.'],
  INBOUND_SMTP_HOST: [z.string().default('0.0.0.0'), 'Interface the inbound SMTP server binds to.'],
  INBOUND_EMAIL_WEBHOOK_SECRET: [z.string().min(16, 'must be at least 16 characters').optional(), 'Shared secret of POST /webhooks/email (Authorization: Bearer <secret>), for providers that post raw MIME. Unset: that endpoint is off.'],
  INBOUND_EMAIL_MAX_BYTES: [z.coerce.number().int().min(10_240).max(26_214_400).default(1_048_576), 'Largest inbound reply accepted (whole message, attachments included).'],
  INBOUND_EMAIL_TRUSTED_AUTHSERV_IDS: [
    z.string().default('').transform((list) => list.split(',').map((id) => id.trim().toLowerCase()).filter(Boolean)).refine((ids) => ids.every((id) => /^[a-z0-9][a-z0-9.-]{0,252}$/.test(id)), 'must be host names such as mx.google.com, comma-separated'),
    'Comma-separated authserv-ids (mx.google.com) whose Authentication-Results headers are believed: a mail to a support address with dmarc=pass, or dkim=pass for its From domain, from one of them opens its ticket at once; any other is held until its sender confirms by a link. Empty: every request is held.',
  ],
  INBOUND_EMAIL_REQUESTS_PER_HOUR: [z.coerce.number().int().min(1).max(10_000).default(10), 'Support requests by email (held or opened) accepted per sender address per hour (a `+tag` counts as its address); more are refused (450 over SMTP, 429 over HTTP).'],
  DISCORD_PUBLIC_KEY: [z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the 64 hex characters of the application\'s public key').optional(), "Public key of the Discord application (hex), which signs its interactions. Unset: the Discord integration is off."],
  DISCORD_APPLICATION_ID: [z.string().regex(/^\d{1,20}$/, 'must be the numeric application id').optional(), 'Id of the Discord application; the command registration script needs it.'],
  DISCORD_BOT_TOKEN: [z.string().optional(), 'Bot token of the Discord application: posts ticket threads, registers the commands, and (where jobs run) listens on the gateway to mirror thread messages to tickets.'],
  DISCORD_SUPPORT_CHANNEL_ID: [z.string().regex(/^\d{1,20}$/, 'must be a numeric channel id').optional(), 'Forum or text channel where each ticket gets its thread. Unset: threads open in the channel where /support was run.'],
  DISCORD_API_URL: [httpUrl.default('https://discord.com/api'), 'Discord API base URL; set only to point at a local fake in tests.'],
  SLACK_SIGNING_SECRET: [z.string().min(1).optional(), "Signing secret of the Slack app (Basic Information), which signs its requests. Unset: the Slack integration is off."],
  SLACK_CLIENT_ID: [z.string().regex(/^\d+\.\d+$/, 'must be the Client ID shown on the app page, like 1234567890.1234567890').optional(), 'Client ID of the Slack app, for installing it in workspaces (OAuth).'],
  SLACK_CLIENT_SECRET: [z.string().min(1).optional(), 'Client Secret of the Slack app, for installing it in workspaces (OAuth).'],
  SLACK_API_URL: [httpUrl.default('https://slack.com/api/'), 'Slack Web API base URL; set only to point at a local fake in tests.'],
  TOKEN_ENCRYPTION_KEY: [z.string().optional(), 'Key that encrypts stored provider tokens (Slack bot tokens) with AES-256-GCM: 32 random bytes as hex or base64 (`openssl rand -hex 32`). Required with SLACK_SIGNING_SECRET.'],
  CHAT_TOKEN_SECRET: [z.string().min(32, 'must be at least 32 characters').optional(), 'Key that signs web chat conversation tokens. Unset: a random key is made once and kept in the database.'],
  CHAT_TOKEN_TTL_DAYS: [z.coerce.number().int().min(1).max(365).default(30), 'How long a web chat conversation token (and the link mailed to come back) works.'],
  CHAT_STREAM_POLL_SECONDS: [z.coerce.number().int().min(1).max(3600).default(30), 'How often an open web chat stream reads its transcript in case a database notification was missed; notifications deliver at once.'],
  CHAT_EVENTS_RETENTION_DAYS: [z.coerce.number().int().min(1).max(3650).default(30), 'Chat events (Discord interactions, Slack events: message text and short-lived tokens) older than this are deleted daily.'],
  STRIPE_SECRET_KEY: [z.string().optional(), 'Stripe secret key (sk_live_… or sk_test_…). Unset: card payments through Stripe are off.'],
  STRIPE_WEBHOOK_SECRET: [z.string().optional(), 'Signing secrets of the Stripe webhook endpoints (whsec_…), comma-separated: the account endpoint and the Connect endpoint. Unset: POST /webhooks/stripe refuses every event.'],
  STRIPE_API_HOST: [z.string().optional(), 'Stripe API host; set only to point at a local fake Stripe in tests (default api.stripe.com).'],
  STRIPE_API_PORT: [z.coerce.number().int().min(1).max(65_535).optional(), 'Stripe API port; for a local fake Stripe only (default 443).'],
  STRIPE_API_PROTOCOL: [z.enum(['https', 'http']).default('https'), 'Stripe API protocol; `http` only for a local fake Stripe.'],
  PLATFORM_FEE_BPS: [bps.default(500), 'Platform fee in basis points of each payment.'],
  COMMISSION_BPS_DEFAULT: [bps.default(1000), 'Repository commission for new repositories, in basis points.'],
  COMMISSION_BPS_MIN: [bps.default(0), 'Lowest commission a maintainer may set.'],
  COMMISSION_BPS_MAX: [bps.default(3000), 'Highest commission a maintainer may set.'],
  ESCROW_GRACE_DAYS: [z.coerce.number().int().min(0).max(90).default(5), 'Days after resolution before a ticket auto-confirms.'],
  PLATFORM_LEGAL_NAME: [z.string().trim().min(1).optional(), 'Legal name of the seller on invoices (the platform). Invoicing is off until it and PLATFORM_COUNTRY are set.'],
  PLATFORM_ADDRESS: [z.string().default(''), 'Postal address of the seller on invoices; separate lines with "|" (Hauptstr. 1|10115 Berlin).'],
  PLATFORM_COUNTRY: [z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE').optional(), "Seller's country (ISO 3166-1 alpha-2): decides domestic VAT and EU reverse charge."],
  PLATFORM_VAT_ID: [z.string().trim().toUpperCase().regex(/^[A-Z]{2}[A-Z0-9+*.]{2,13}$/, 'must be a VAT id such as DE123456789').optional(), "Seller's VAT id, printed on invoices."],
  PLATFORM_IBAN: [z.string().transform((iban) => iban.replace(/\s+/g, '').toUpperCase()).pipe(z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/, 'must be an IBAN such as DE89370400440532013000')).optional(), 'IBAN that invoices ask buyers to pay by bank transfer.'],
  PLATFORM_BIC: [z.string().trim().toUpperCase().regex(/^[A-Z0-9]{8}(?:[A-Z0-9]{3})?$/, 'must be a BIC of 8 or 11 characters').optional(), 'BIC of that bank account.'],
  NET_TERMS_DAYS: [z.coerce.number().int().min(0).max(365).default(30), 'Days an invoice gives to pay by bank transfer, unless the invoice says otherwise.'],
  PAYOUT_MINIMUM: [z.coerce.number().int().min(1).default(5000), 'Smallest payout, in minor units of any currency (5000 = 50.00 EUR); a payee may only raise it for themselves.'],
  PAYOUT_MINIMUMS: [z.string().regex(/^([A-Z]{3}=\d+)(,[A-Z]{3}=\d+)*$/, 'must look like JPY=5000,KWD=20').optional(), 'Per-currency exceptions to PAYOUT_MINIMUM, in minor units (JPY=5000,KWD=20).'],
  PAYOUT_SCHEDULE_DEFAULT: [z.enum(['weekly', 'monthly']).default('weekly'), 'How often helpers and repositories are paid out until they choose.'],
  LLM_BASE_URL: [httpUrl.optional(), 'OpenAI-compatible API for generated AI answers (https://api.openai.com/v1, Ollama http://localhost:11434/v1, vLLM, llama.cpp). Unset: extractive answers.'],
  LLM_API_KEY: [z.string().optional(), 'API key sent to LLM_BASE_URL (local servers usually need none).'],
  LLM_MODEL: [z.string().default('gpt-4o-mini'), 'Chat model that writes generated answers.'],
  EMBEDDINGS_MODEL: [z.string().optional(), 'Embeddings model at LLM_BASE_URL; set it to add vector search to keyword search (hybrid retrieval).'],
  LLM_TIMEOUT_MS: [z.coerce.number().int().min(100).max(120_000).default(15_000), 'How long an answer waits for the model before falling back to an extractive answer.'],
  ASK_RATE_LIMIT_PER_MINUTE: [z.coerce.number().int().min(1).default(20), 'Questions per minute per client on POST /api/v1/repos/{owner}/{name}/ask.'],
  KNOWLEDGE_MAX_FILE_BYTES: [z.coerce.number().int().min(1024).default(2_097_152), 'Largest docs file ingested; larger files are skipped with a reason in the ingestion report.'],
  KNOWLEDGE_MAX_FILES: [z.coerce.number().int().min(1).default(5000), 'Most files ingested from one source (and most entries read from an uploaded archive).'],
  KNOWLEDGE_MAX_UPLOAD_BYTES: [z.coerce.number().int().min(1024).default(20_971_520), 'Largest uploaded docs archive (tar, tar.gz or zip).'],
  KNOWLEDGE_MAX_UNPACKED_BYTES: [z.coerce.number().int().min(1024).default(104_857_600), 'Most bytes an uploaded archive may unpack to (zip bomb guard).'],
  KNOWLEDGE_GIT_TIMEOUT_SECONDS: [z.coerce.number().int().min(5).max(3600).default(120), 'Time limit of a git clone of a docs repository.'],
  KNOWLEDGE_FETCH_TIMEOUT_MS: [z.coerce.number().int().min(500).max(120_000).default(10_000), 'Time limit of fetching a docs page by URL.'],
  BOOKING_CANCEL_NOTICE_HOURS: [z.coerce.number().int().min(0).max(720).default(24), 'Bookings cancel or move free of charge until this many hours before they start, unless the helper or the repository sets its own notice.'],
  BOOKING_MIN_NOTICE_MINUTES: [z.coerce.number().int().min(0).max(10_080).default(60), 'The earliest a session may be booked from now; sooner slots are not offered.'],
} as const;

type Variables = typeof variables;
export type Config = { [K in keyof Variables]: z.output<Variables[K][0]> };

export const configDocs = Object.entries(variables).map(([name, [schema, doc]]) => ({
  name,
  doc,
  defaultValue: defaultOf(schema),
}));

function defaultOf(schema: z.ZodType): string {
  const parsed = schema.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return '';
  return String(parsed.data);
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const shape = Object.fromEntries(Object.entries(variables).map(([name, [schema]]) => [name, schema]));
  const input = Object.fromEntries(Object.keys(variables).map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data as Config;
  if (config.SESSION_ROTATE_HOURS >= config.SESSION_TTL_HOURS) {
    // Otherwise sessions expire before they are ever rotated, and rotation silently never happens.
    throw new ConfigError('Invalid configuration: SESSION_ROTATE_HOURS must be below SESSION_TTL_HOURS');
  }
  if (config.COMMISSION_BPS_MIN > config.COMMISSION_BPS_MAX) {
    throw new ConfigError('Invalid configuration: COMMISSION_BPS_MIN is above COMMISSION_BPS_MAX');
  }
  if (config.COMMISSION_BPS_DEFAULT < config.COMMISSION_BPS_MIN || config.COMMISSION_BPS_DEFAULT > config.COMMISSION_BPS_MAX) {
    throw new ConfigError('Invalid configuration: COMMISSION_BPS_DEFAULT must lie between COMMISSION_BPS_MIN and COMMISSION_BPS_MAX');
  }
  if (config.SLACK_SIGNING_SECRET) {
    const missing = (['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'TOKEN_ENCRYPTION_KEY'] as const).filter((name) => !config[name]);
    // Each workspace installs the app by OAuth, and its token is only ever stored encrypted.
    if (missing.length) throw new ConfigError(`Invalid configuration: SLACK_SIGNING_SECRET is set, so the Slack integration also needs ${missing.join(', ')}`);
  }
  if (Boolean(config.GITHUB_CLIENT_ID) !== Boolean(config.GITHUB_CLIENT_SECRET)) {
    throw new ConfigError('Invalid configuration: GitHub sign-in needs both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET');
  }
  if (config.TOKEN_ENCRYPTION_KEY) {
    try {
      parseEncryptionKey(config.TOKEN_ENCRYPTION_KEY);
    } catch (error) {
      throw new ConfigError(`Invalid configuration:\n  TOKEN_ENCRYPTION_KEY: ${(error as Error).message}`);
    }
  }
  return config;
}

export function publicUrl(config: Config): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
}

export function cookieSecure(config: Config): boolean {
  return config.COOKIE_SECURE ?? publicUrl(config).startsWith('https://');
}
