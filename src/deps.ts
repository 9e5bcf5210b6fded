import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database, Engine } from './db/database.ts';
import type { NotificationHub } from './db/notify.ts';
import type { MailTransport } from './integrations/email/client.ts';
import type { GitHubApp, GitHubPermissions } from './integrations/github/client.ts';
import type { Clock } from './lib/clock.ts';

/** Side effects a service may use, passed in so that a test chooses real or fake per dependency. */
export type Deps = {
  config: Config;
  db: Database;
  engine: Engine;
  /** The database's notifications (LISTEN/NOTIFY) in this process: live streams subscribe here. */
  notifications: NotificationHub;
  clock: Clock;
  logger: Logger;
  mail: MailTransport;
  /** Set when GITHUB_TOKEN is configured: verifies repository claims against GitHub. */
  github: GitHubPermissions | null;
  /** Set when GITHUB_APP_ID and GITHUB_PRIVATE_KEY are configured: comments on issues as the GitHub App. */
  githubApp?: GitHubApp | null;
  /**
   * Addresses outbound fetches of user-given URLs may reach although they are private (docs pages,
   * Git clones). Tests set it to reach their loopback fakes; nothing in the configuration sets it.
   */
  ssrfAllowList?: readonly string[];
};
