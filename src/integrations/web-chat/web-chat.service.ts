import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { anonymous } from '../../modules/auth/actor.ts';
import * as conversations from '../../modules/assistant/assistant.repository.ts';
import type { AssistantService } from '../../modules/assistant/assistant.service.ts';
import type { Input, Message, Place } from '../../modules/assistant/assistant.types.ts';
import { queueEmail } from '../../modules/mail/mail.service.ts';
import type { ReposService } from '../../modules/repos/repos.service.ts';
import type { TicketsService } from '../../modules/tickets/tickets.service.ts';
import { chatTokens } from './tokens.ts';
import { transcript, webPort, type TranscriptRow } from './transcript.ts';

/** What a browser sends: the engine's inputs, with the client's id (a resend is taken once) and the pressed label to show. */
export type WebInput =
  | { kind: 'text'; id: string; text: string }
  | { kind: 'button'; id: string; action: string; label?: string }
  | { kind: 'choice'; id: string; action: string; value: string; label?: string }
  | { kind: 'form'; id: string; action: string; fields: Record<string, string>; label?: string };

const VISITOR_NAME = 'Visitor';

/**
 * The web chat (docs/assistant.md): the same conversation engine as Discord, for visitors of a support
 * page or the embeddable widget. A visitor needs no account: starting a conversation issues a signed
 * token that makes the browser its owner. Proving an email (the engine asks before paying) attaches
 * the conversation to that user and mails a link to come back. Replies come back in the response and,
 * with everything pushed later (status updates, quotes, helpers' messages), in the transcript that the
 * live stream (SSE) reads when the database notifies it.
 */
export function createWebChat(deps: Deps, services: { assistant: AssistantService; repos: ReposService; tickets: TicketsService }) {
  const { db, clock, config, notifications } = deps;
  const { assistant, repos, tickets } = services;
  const tokens = chatTokens(deps);
  assistant.registerChannel('web', webPort(db, () => clock.now()));

  const placeOf = (conversation: { external_channel: string }, visitorId: string): Place => ({
    channel: 'web',
    workspace: '',
    channelId: conversation.external_channel,
    threadId: null,
    user: { id: visitorId, name: VISITOR_NAME },
  });

  async function record(conversationId: string, replies: Message[]): Promise<TranscriptRow[]> {
    return (await transcript.append(db, conversationId, clock.now(), replies.map((body) => ({ author: 'assistant' as const, body })))) ?? [];
  }

  /** The conversation a token opens; the token must be this conversation's. */
  async function open(token: string | undefined, conversationId: string) {
    const claims = await tokens.verify(token);
    if (claims.conversationId !== conversationId.toLowerCase()) throw new AppError(403, 'chat_token_mismatch', 'This token belongs to another conversation.');
    const conversation = await conversations.findConversation(db, claims.conversationId);
    if (!conversation || conversation.channel !== 'web' || conversation.external_user !== claims.visitorId) throw notFound('The conversation');
    return { claims, conversation };
  }

  /** Once the visitor proved an email: the conversation is that user's, and a link to come back is mailed. */
  async function afterVerified(conversationId: string, visitorId: string, repoName: string, before: Date | null) {
    const visitor = await conversations.findVisitor(db, visitorId);
    if (!visitor?.email_verified_at || before) return;
    const user = await db.selectFrom('users').select(['email']).where('id', '=', visitor.user_id).executeTakeFirstOrThrow();
    await db.updateTable('conversations').set({ user_id: visitor.user_id }).where('id', '=', conversationId).execute();
    const { token } = await tokens.issue(conversationId, visitorId);
    await queueEmail(db, clock, {
      to: user.email,
      subject: `Your conversation about ${repoName}`,
      text:
        `You can come back to your conversation on Backline, with the helper's replies and your ticket, from this link:\n\n` +
        `${publicUrl(config)}/chat/${repoName}#token=${token}\n\nThe link is yours alone: do not share it. It works for ${config.CHAT_TOKEN_TTL_DAYS} days.`,
      dedupeKey: `web-chat-resume:${conversationId}`,
    });
  }

  return {
    tokens,

    /** A new conversation about a repository, for a new visitor: the assistant's first messages and the token. */
    async start(repoName: string) {
      const found = await repos.access(anonymous, repoName).catch(() => null);
      if (!found || found.repo.status !== 'verified') {
        throw new AppError(404, 'repo_not_found', `There is no repository ${repoName} on Backline; check the data-repo attribute (owner/name).`);
      }
      const visitorId = newId(clock.now().getTime());
      const place: Place = { channel: 'web', workspace: '', channelId: found.repo.full_name, threadId: null, user: { id: visitorId, name: VISITOR_NAME } };
      const replies = await assistant.handle(place, { kind: 'command', id: `web:${visitorId}:start`, name: 'support', options: { repository: found.repo.full_name } });
      const conversation = await conversations.latestConversation(db, place);
      if (!conversation) throw new AppError(400, 'chat_refused', replies[0]?.text ?? 'The conversation could not start.');
      const { token, expiresAt } = await tokens.issue(conversation.id, visitorId);
      return { conversation, token, expiresAt, messages: await record(conversation.id, replies) };
    },

    /** The conversation and its transcript after `after` (0: from the start). */
    async read(token: string | undefined, conversationId: string, after: number) {
      const { conversation } = await open(token, conversationId);
      return { conversation, messages: await transcript.after(db, conversation.id, after) };
    },

    /**
     * One input of the visitor. Text typed while the conversation's ticket is open is a message on the
     * ticket (the helper reads it there); everything else is the engine's.
     */
    async send(token: string | undefined, conversationId: string, input: WebInput) {
      const { claims, conversation } = await open(token, conversationId);
      const shown = input.kind === 'text' ? input.text : (input.label ?? '');
      const recorded = await transcript.append(db, conversation.id, clock.now(), [{ author: 'visitor', inputId: input.id, body: { text: shown } }]);
      if (!recorded) throw new AppError(409, 'input_replayed', `The input ${input.id} was received before; it is handled once. Read the conversation for its answer.`);

      const place = placeOf(conversation, claims.visitorId);
      if (input.kind === 'text' && conversation.ticket_id && conversation.state === 'ticket_open') {
        const who = await assistant.identities.userOf(place);
        try {
          await tickets.postMessage(who.actor, conversation.ticket_id, { body: input.text, internal: false, channel: 'web' });
          return { messages: recorded };
        } catch (error) {
          if (error instanceof AppError && error.status < 500) return { messages: [...recorded, ...(await record(conversation.id, [{ text: error.message, ephemeral: true }]))] };
          throw error;
        }
      }
      const verifiedBefore = (await conversations.findVisitor(db, claims.visitorId))?.email_verified_at ?? null;
      const engineInput: Input = { ...input, id: `web:${conversation.id}:${input.id}` } as Input;
      const replies = await assistant.handle(place, engineInput);
      await afterVerified(conversation.id, claims.visitorId, conversation.external_channel, verifiedBefore);
      return { messages: [...recorded, ...(await record(conversation.id, replies))] };
    },

    /** Transcript entries after `seq`, for the live stream. */
    since: (conversationId: string, seq: number) => transcript.after(db, conversationId, seq),

    /** Calls `listener` when the conversation's transcript may have grown, written by any process; returns the unsubscribe. */
    watch: (conversationId: string, listener: () => void) => notifications.subscribe(conversationId, listener),

    /** Validates a token for a live stream; returns the conversation id. */
    async stream(token: string | undefined, conversationId: string) {
      const { conversation } = await open(token, conversationId);
      return conversation.id;
    },
  };
}

export type WebChat = ReturnType<typeof createWebChat>;
