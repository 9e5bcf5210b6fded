import type { Logger } from 'pino';
import type { ChannelPort, Message } from '../../modules/assistant/assistant.types.ts';
import type { SlackClient } from './client.ts';
import type { SlackInstallations } from './installations.ts';
import { threadKey } from './payloads.ts';
import { slackMessage } from './render.ts';

/**
 * Where the engine's pushes go in Slack, with the workspace's own bot token: a ticket's messages to its
 * thread (the first one starts it, in the channel picked at installation, else where /support was run),
 * each mentioning the customer; private messages to the person's direct messages with the app.
 */
export function slackPort(installations: SlackInstallations, logger: Logger): ChannelPort {
  async function post(client: SlackClient, channel: string, threadTs: string | undefined, messages: Message[], mention?: string) {
    let first: string | undefined;
    for (const message of messages) {
      const sent = await client.postMessage({ channel, thread_ts: threadTs ?? first, ...slackMessage({ ...message, ephemeral: false }, { mention }) });
      first ??= threadTs ? undefined : sent.ts;
    }
    return first;
  }

  return {
    async deliver(conversation, audience, messages) {
      const client = await installations.clientFor(conversation.workspace);
      if (!client) {
        logger.warn({ team: conversation.workspace, conversationId: conversation.id }, 'slack: the workspace has not installed the app (or removed it); message not delivered');
        return {};
      }
      // Posting to a user id posts in the app's direct messages with them.
      if (audience === 'person') {
        await post(client, conversation.externalUser, undefined, messages);
        return {};
      }
      if (conversation.threadId) {
        const [channel, ts] = conversation.threadId.split(':');
        await post(client, channel, ts, messages, conversation.externalUser);
        return { threadId: conversation.threadId };
      }
      const channel = (await installations.find(conversation.workspace))?.support_channel_id ?? conversation.channelId;
      const parent = await post(client, channel, undefined, messages, conversation.externalUser);
      return parent ? { threadId: threadKey(channel, parent) } : {};
    },
  };
}
