import type { Deps } from '../../deps.ts';
import { notFound } from '../../errors.ts';
import { requireUser, type Actor } from '../auth/actor.ts';
import type { ReposService } from '../repos/repos.service.ts';
import * as repo from './channels.repository.ts';
import { CHANNEL_NAMES, type ChannelName } from './channels.schemas.ts';

/** Which integrations the server runs; decided once at start (an integration without its variables is off). */
export type EnabledChannels = Record<Exclude<ChannelName, 'web'>, boolean>;

/**
 * Where customers can reach a repository: each chat channel's configuration on this server and what
 * it stored about the repository. Only configuration flags and counts: never a token or a secret.
 */
export function createChannelsService(deps: Deps, services: { repos: ReposService; enabled: EnabledChannels }) {
  const { db } = deps;
  const { repos, enabled } = services;

  return {
    async list(actor: Actor, fullName: string) {
      requireUser(actor);
      const access = await repos.access(actor, fullName);
      // Like the stats: nobody else learns how the repository is reached or how much it is used.
      if (!access.role && !access.isOperator) throw notFound(`The repository ${fullName}`);
      const [activity, installation] = await Promise.all([
        repo.conversationsPerChannel(db, access.repo.id),
        enabled.github ? repo.githubInstallationOf(db, access.repo.full_name) : undefined,
      ]);
      const statusOf = (channel: ChannelName) => {
        if (channel === 'web') return 'ready' as const;
        if (!enabled[channel]) return 'off' as const;
        if (channel !== 'github') return 'ready' as const;
        if (!installation) return 'not_installed' as const;
        return installation.suspended_at ? ('suspended' as const) : ('connected' as const);
      };
      return {
        repo: access.repo.full_name,
        items: CHANNEL_NAMES.map((channel) => ({
          channel,
          configured: channel === 'web' || enabled[channel],
          status: statusOf(channel),
          account: channel === 'github' ? (installation?.account_login ?? null) : null,
          conversations: activity.get(channel)?.count ?? 0,
          lastActivityAt: activity.get(channel)?.last?.toISOString() ?? null,
        })),
      };
    },
  };
}

export type ChannelsService = ReturnType<typeof createChannelsService>;
