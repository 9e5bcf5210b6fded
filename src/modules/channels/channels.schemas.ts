import { z } from 'zod';
import { isoDate } from '../../http/schemas.ts';

export const CHANNEL_NAMES = ['discord', 'slack', 'github', 'email', 'web'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/**
 * off: the server has no configuration for it; ready: customers can use it for this repository (Discord,
 * Slack, email and the web chat are platform-wide: anyone picks the repository); connected: the GitHub App
 * is installed on this repository; not_installed: the GitHub App exists but not on this repository;
 * suspended: its installation is suspended on GitHub.
 */
export const channelStatus = z.enum(['off', 'ready', 'connected', 'not_installed', 'suspended']);

export const channelOut = z
  .object({
    channel: z.enum(CHANNEL_NAMES),
    configured: z.boolean().describe('The server has this integration configured'),
    status: channelStatus,
    account: z.string().nullable().describe('GitHub: the account the app is installed on; null for other channels'),
    conversations: z.number().int().describe('Conversations about this repository held in this channel'),
    lastActivityAt: isoDate.nullable(),
  })
  .meta({ id: 'RepoChannel' });

export const channelsOut = z.object({ repo: z.string(), items: z.array(channelOut) });
