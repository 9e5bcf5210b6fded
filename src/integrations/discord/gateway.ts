import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { JobHandlers } from '../../jobs/queue.ts';
import { conversationOfThread, forgetThread } from '../../modules/assistant/assistant.repository.ts';
import type { AssistantService } from '../../modules/assistant/assistant.service.ts';
import type { TicketsService } from '../../modules/tickets/tickets.service.ts';
import { BODY_MAX } from '../../modules/tickets/tickets.schemas.ts';
import { connectDiscordGateway, GatewayDispatchEvents, MessageType, type GatewayDispatchPayload } from './client.ts';

export const THREAD_MESSAGE_JOB = 'discord.thread-message';

/** A MESSAGE_CREATE dispatch's message: what is read of it. */
type ThreadMessage = Extract<GatewayDispatchPayload, { t: GatewayDispatchEvents.MessageCreate }>['d'];

/** People's messages; joins, pins, thread starters and the like are Discord's own notices. */
const SPOKEN = new Set<number>([MessageType.Default, MessageType.Reply]);

/**
 * Mirrors what people write in a ticket's Discord thread to the ticket (docs/assistant.md), so the
 * helper's answers and the customer's follow-ups are in the ticket's history and reach email and the
 * web. Messages from bots (ours included) and webhooks are not people's; messages outside ticket
 * threads are never stored. Each message is stored once (chat_events, per message id) and posted in a
 * job, as the person who wrote it: the tickets service decides whether they may (the customer, the
 * assignee, approved helpers; anyone on community tickets). A deleted ticket thread is forgotten, so
 * the ticket's next message opens a new one.
 */
export function discordGateway(deps: Deps, services: { assistant: AssistantService; tickets: TicketsService }) {
  const { db, clock, logger, config } = deps;
  const { assistant, tickets } = services;
  let botUserId: string | null = null;

  async function dispatch(payload: GatewayDispatchPayload): Promise<void> {
    if (payload.t === GatewayDispatchEvents.Ready) {
      botUserId = payload.d.user.id;
      return;
    }
    if (payload.t === GatewayDispatchEvents.ThreadDelete) {
      // A moderator deleted a ticket's thread: the next message about the ticket opens a new one, instead
      // of failing against "Unknown Channel" until its retries run out.
      const forgotten = await forgetThread(db, 'discord', payload.d.id, clock.now());
      if (forgotten) logger.info({ threadId: payload.d.id }, 'discord: a ticket thread was deleted; the next message opens a new one');
      return;
    }
    // THREAD_CREATE and THREAD_UPDATE need nothing: the bot learns its threads' ids when it creates them,
    // and posting in an archived thread reopens it.
    if (payload.t !== GatewayDispatchEvents.MessageCreate) return;
    const message = payload.d;
    if (message.author.bot || message.author.id === botUserId || message.webhook_id || !SPOKEN.has(message.type)) return;
    const conversation = await conversationOfThread(db, 'discord', message.channel_id);
    if (!conversation?.ticket_id) return;
    await assistant.inbox.recordForJob({ provider: 'discord', externalId: `message:${message.id}`, type: 'message_create', payload: message }, THREAD_MESSAGE_JOB, { maxAttempts: 5 });
  }

  async function mirror(message: ThreadMessage): Promise<void> {
    const conversation = await conversationOfThread(db, 'discord', message.channel_id);
    if (!conversation?.ticket_id) return;
    const attachments = (message.attachments ?? []).map((attachment) => attachment.url);
    const body = [message.content.trim(), ...attachments].filter(Boolean).join('\n').slice(0, BODY_MAX);
    if (!body) return;
    const name = [message.member?.nick, message.author.global_name, message.author.username].find((candidate) => candidate) ?? 'Discord user';
    const who = await assistant.identities.userOf({ channel: 'discord', workspace: message.guild_id ?? '', channelId: message.channel_id, threadId: message.channel_id, user: { id: message.author.id, name } });
    try {
      await tickets.postMessage(who.actor, conversation.ticket_id, { body, internal: false, channel: 'discord' });
    } catch (error) {
      // Someone the ticket's rules do not let reply (a bystander on an expert ticket), or a closed ticket.
      if (error instanceof AppError && error.status < 500) {
        logger.info({ ticketId: conversation.ticket_id, code: error.code }, 'discord: thread message not mirrored to the ticket');
        return;
      }
      throw error;
    }
  }

  return {
    dispatch,

    /** Connects when DISCORD_BOT_TOKEN is set; null (with one log line) when it is not. */
    async start(): Promise<{ stop(): Promise<void> } | null> {
      if (!config.DISCORD_BOT_TOKEN) {
        logger.info('Discord gateway is off: DISCORD_BOT_TOKEN is unset (thread messages are not mirrored to tickets)');
        return null;
      }
      const connection = await connectDiscordGateway({ token: config.DISCORD_BOT_TOKEN, api: config.DISCORD_API_URL }, dispatch, (error) => logger.error({ err: error }, 'discord gateway: error'));
      logger.info('Discord gateway connected: thread messages are mirrored to tickets');
      return connection;
    },

    jobHandlers: {
      [THREAD_MESSAGE_JOB]: async ({ eventId }: { eventId: string }) => {
        const event = await assistant.inbox.find(eventId);
        if (!event || event.handled_at) return;
        await mirror(event.payload as ThreadMessage);
        await assistant.inbox.markHandled(db, eventId);
      },
    } satisfies JobHandlers,
  };
}

export type DiscordGateway = ReturnType<typeof discordGateway>;
