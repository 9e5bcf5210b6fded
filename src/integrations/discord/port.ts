import type { ChannelPort, Message } from '../../modules/assistant/assistant.types.ts';
import { ChannelType, type DiscordClient } from './client.ts';
import { discordMessage } from './render.ts';

/** A week: Discord's longest auto-archive, so a ticket's thread stays open while people work on it. */
const ARCHIVE_MINUTES = 10_080;

/**
 * Where the engine's pushes go in Discord: a ticket's messages to its thread, created on first use in the
 * support channel (a forum post in a forum channel, a public thread in a text channel), or in the channel
 * where the conversation began when no support channel is configured; private messages as a DM.
 */
export function discordPort(client: DiscordClient, supportChannelId: string | undefined): ChannelPort {
  const kinds = new Map<string, ChannelType>();

  async function kindOf(channelId: string): Promise<ChannelType> {
    if (!kinds.has(channelId)) kinds.set(channelId, (await client.channel(channelId)).type);
    return kinds.get(channelId)!;
  }

  async function post(channelId: string, messages: Message[], mention?: string) {
    for (const message of messages) await client.postMessage(channelId, discordMessage({ ...message, ephemeral: false }, { mention }));
  }

  return {
    async deliver(conversation, audience, messages) {
      if (audience === 'person') {
        const dm = await client.openDm(conversation.externalUser);
        await post(dm.id, messages);
        return {};
      }
      // Each ticket message pings its customer, so they hear about claims, quotes and resolutions.
      const mention = conversation.externalUser;
      if (conversation.threadId) {
        await post(conversation.threadId, messages, mention);
        return { threadId: conversation.threadId };
      }
      const parent = supportChannelId ?? conversation.channelId;
      const name = (conversation.title ?? 'Support ticket').slice(0, 100);
      if ((await kindOf(parent)) === ChannelType.GuildForum) {
        const [first, ...rest] = messages;
        const thread = await client.startThread(parent, { name, auto_archive_duration: ARCHIVE_MINUTES, message: discordMessage({ ...first, ephemeral: false }, { mention }) });
        await post(thread.id, rest, mention);
        return { threadId: thread.id };
      }
      const thread = await client.startThread(parent, { name, type: ChannelType.PublicThread, auto_archive_duration: ARCHIVE_MINUTES });
      await post(thread.id, messages, mention);
      return { threadId: thread.id };
    },
  };
}
