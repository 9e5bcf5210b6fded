import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.ts';
import * as core from './migrations/0001_core.ts';
import * as ledger from './migrations/0002_ledger.ts';
import * as offerings from './migrations/0004_offerings.ts';
import * as payments from './migrations/0005_payments.ts';
import * as providerEvents from './migrations/0006_provider_events.ts';
import * as invoices from './migrations/0007_invoices.ts';
import * as payouts from './migrations/0009_payouts.ts';
import * as knowledge from './migrations/0008_knowledge.ts';
import * as slaScheduling from './migrations/0010_sla_scheduling.ts';
import * as directorySearch from './migrations/0011_directory_search.ts';
import * as plans from './migrations/0013_plans.ts';
import * as assistant from './migrations/0012_assistant.ts';
import * as slack from './migrations/0014_slack.ts';
import * as githubApp from './migrations/0015_github_app.ts';
import * as emailChannel from './migrations/0016_email_channel.ts';
import * as taxInclusive from './migrations/0018_tax_inclusive.ts';
import * as stats from './migrations/0019_stats.ts';
import * as webChat from './migrations/0017_web_chat.ts';
import * as emailRequests from './migrations/0020_email_requests.ts';
import * as webChatNotify from './migrations/0021_web_chat_notify.ts';
import * as githubSignIn from './migrations/0022_github_signin.ts';
import * as assignedQueue from './migrations/0023_assigned_queue.ts';
import * as cacheNotify from './migrations/0024_cache_notify.ts';
import * as setBasedStats from './migrations/0025_set_based_stats.ts';
import * as statsOpenedFastPath from './migrations/0026_stats_opened_fast_path.ts';
import * as conversationsCache from './migrations/0027_conversations_cache.ts';
import * as namesCache from './migrations/0028_names_cache.ts';

/** Every migration, in order. Listed here rather than read from disk so the set is fixed at review time. */
const migrations: Record<string, Migration> = {
  '0001_core': core,
  '0002_ledger': ledger,
  '0004_offerings': offerings,
  '0005_payments': payments,
  '0006_provider_events': providerEvents,
  '0007_invoices': invoices,
  '0009_payouts': payouts,
  '0008_knowledge': knowledge,
  '0010_sla_scheduling': slaScheduling,
  '0011_directory_search': directorySearch,
  '0013_plans': plans,
  '0012_assistant': assistant,
  '0014_slack': slack,
  '0015_github_app': githubApp,
  '0016_email_channel': emailChannel,
  '0018_tax_inclusive': taxInclusive,
  '0019_stats': stats,
  '0017_web_chat': webChat,
  '0020_email_requests': emailRequests,
  '0021_web_chat_notify': webChatNotify,
  '0022_github_signin': githubSignIn,
  '0023_assigned_queue': assignedQueue,
  '0024_cache_notify': cacheNotify,
  '0025_set_based_stats': setBasedStats,
  '0026_stats_opened_fast_path': statsOpenedFastPath,
  '0027_conversations_cache': conversationsCache,
  '0028_names_cache': namesCache,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Applies pending migrations. Kysely's migrator holds a row lock while it runs, so several processes
 * starting together against one PostgreSQL apply each migration exactly once.
 */
export async function migrateToLatest(db: Database): Promise<string[]> {
  // Migrations are independent of each other's position, and parallel work lands them out of order
  // (0004 before 0003); applying a missing earlier one later is safe, so it is allowed.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
