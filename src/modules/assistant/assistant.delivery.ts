import type { Queryable } from '../../db/database.ts';
import type { ConversationChannel } from '../../db/types.ts';
import type { Deps } from '../../deps.ts';
import { CACHE_KEYS } from '../../db/notify.ts';
import { enqueue, type JobHandlers } from '../../jobs/queue.ts';
import { notifiedCache, PER_REPOSITORY } from '../../lib/notified-cache.ts';
import type { TicketObserver } from '../tickets/tickets.observers.ts';
import type { TicketView } from '../tickets/tickets.service.ts';
import type { PaymentObserver } from '../payments/payments.context.ts';
import { paidNotice, quoteSent, quoteView, ticketNotice, ticketReply } from './assistant.notices.ts';
import * as store from './assistant.repository.ts';
import type { Audience, ChannelPort, ConversationRef, Message } from './assistant.types.ts';

export const DELIVER_JOB = 'assistant.deliver';

type DeliverPayload = { conversationId: string; audience: Audience; messages: Message[] };

export function conversationRef(row: store.ConversationRow, title: string | null = null): ConversationRef {
  return {
    id: row.id,
    channel: row.channel,
    workspace: row.external_workspace,
    channelId: row.external_channel,
    threadId: row.external_thread,
    externalUser: row.external_user,
    ticketId: row.ticket_id,
    title,
  };
}

/**
 * Messages pushed to a conversation's channel outside a reply: the ticket's thread, status updates,
 * quotes. Each push is a durable job enqueued in the transaction of its cause, so a channel that is
 * down or rate-limiting us gets it later, and a change that rolled back pushes nothing. Channels
 * register their outbound half (`ChannelPort`); a channel that is off drops its pushes with a log line.
 */
export function assistantDelivery(deps: Deps, findTicket: (scope: Queryable, id: string) => Promise<TicketView | undefined>) {
  const { db, clock, logger } = deps;
  const ports = new Map<ConversationChannel, ChannelPort>();

  /**
   * Which conversations a ticket has (most have none: opened on the web or the API), kept per process
   * until a conversation is added, moved to another ticket or removed (migration 0027's trigger, the
   * statement hook of src/db/cache-writes.ts). Every message and move on a ticket asks, so this saves each
   * a round trip. Only what the pushes need is kept; the delivery job reads the conversation afresh.
   */
  const conversationsKept = notifiedCache<Array<Pick<store.ConversationRow, 'id' | 'channel'>>>(deps.notifications, CACHE_KEYS.conversations, {
    capacity: 10_000, // the tickets being talked on at the moment
    maxAgeMs: PER_REPOSITORY.maxAgeMs,
    clock,
  });
  const conversationsOf = async (scope: Queryable, ticketId: string) =>
    (await conversationsKept.get(ticketId, async () => (await store.conversationsOfTicket(scope, ticketId)).map(({ id, channel }) => ({ id, channel })))) ?? [];

  /** `key` makes the push happen once per cause however often the cause is seen (job retries). */
  function push(scope: Queryable, conversationId: string, audience: Audience, messages: Message[], key?: string): Promise<void> {
    const payload: DeliverPayload = { conversationId, audience, messages };
    return enqueue(scope, clock, DELIVER_JOB, payload, { maxAttempts: 10, singletonKey: key ? `assistant:${conversationId}:${key}` : undefined });
  }

  /**
   * Follows every ticket change in its transaction and tells the conversations that opened the ticket:
   * its moves, and the public replies of everyone but the customer (a helper answering on the web reaches
   * the customer's Discord thread or web chat). A reply is not sent back to the channel it was written
   * in: a message mirrored from a Discord thread is in that thread already.
   */
  const ticketObserver: TicketObserver = async (trx, change) => {
    if (change.type === 'message') {
      // Public replies written elsewhere (the web, the API, another chat) appear in the ticket's thread;
      // internal notes never do, and a channel's own messages are not echoed back to it.
      if (change.internal) return;
      for (const conversation of await conversationsOf(trx, change.ticket.id)) {
        if (conversation.channel === change.message.channel) continue;
        await push(trx, conversation.id, 'ticket', [ticketReply({ body: change.message.body, authorName: change.message.author_name })], `message:${change.message.id}`);
      }
      return;
    }
    if (change.type !== 'moved') return;
    const messages = ticketNotice(change.action, change.ticket);
    if (!messages) return;
    for (const conversation of await conversationsOf(trx, change.ticket.id)) {
      await push(trx, conversation.id, 'ticket', messages);
    }
  };

  /** Quotes sent and payments held, wherever they were made (chat, the web, the API), reach the ticket's conversations. */
  const paymentObserver: PaymentObserver = async (trx, change) => {
    const [messages, key] =
      change.type === 'quote_sent'
        ? [[quoteSent(quoteView(change.quote), change.ticket.assignee_name ?? 'Your helper')], `quote:${change.quote.id}`]
        : [[paidNotice(change.payment)], `paid:${change.payment.id}`];
    for (const conversation of await conversationsOf(trx, change.ticket.id)) await push(trx, conversation.id, 'ticket', messages, key);
  };

  async function deliver({ conversationId, audience, messages }: DeliverPayload): Promise<void> {
    const row = await store.findConversation(db, conversationId);
    if (!row) return;
    const port = ports.get(row.channel);
    if (!port) {
      logger.info({ channel: row.channel, conversationId }, 'assistant: channel is off, message not delivered');
      return;
    }
    const ticket = row.ticket_id ? await findTicket(db, row.ticket_id) : undefined;
    const { threadId } = await port.deliver(conversationRef(row, ticket?.title ?? null), audience, messages);
    if (threadId && threadId !== row.external_thread) {
      await store.updateConversation(db, row.id, { external_thread: threadId, updated_at: clock.now() });
    }
  }

  return {
    push,
    /** The ticket's conversations (id and channel), from what this process keeps. */
    conversationsOf,
    ticketObserver,
    paymentObserver,
    registerChannel(channel: ConversationChannel, port: ChannelPort) {
      ports.set(channel, port);
    },
    jobHandlers: { [DELIVER_JOB]: async (payload: DeliverPayload) => deliver(payload) } satisfies JobHandlers,
  };
}

export type AssistantDelivery = ReturnType<typeof assistantDelivery>;
