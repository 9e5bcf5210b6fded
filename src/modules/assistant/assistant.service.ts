import type { Queryable } from '../../db/database.ts';
import type { ChatProvider } from '../../db/types.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { jobRow } from '../../jobs/queue.ts';
import { DAY } from '../../lib/clock.ts';
import { GroupCommit } from '../../lib/group-commit.ts';
import { newId } from '../../lib/ids.ts';
import { parseAction, type Action } from './assistant.actions.ts';
import { assistantDelivery } from './assistant.delivery.ts';
import { chatIdentities } from './assistant.identities.ts';
import { expired, isSlowStep, journey } from './assistant.journey.ts';
import type { AssistantServices, Turn } from './assistant.kit.ts';
import { privately, readableText } from './assistant.messages.ts';
import * as store from './assistant.repository.ts';
import { chatEventsRetention } from './assistant.retention.ts';
import { SLOW_TICKET_STEPS, TICKET_COMMANDS, ticketActions } from './assistant.ticket-actions.ts';
import type { Input, Message, Place } from './assistant.types.ts';

/**
 * PostgreSQL's jsonb cannot hold U+0000, which a pasted binary message may contain: it is stored as the
 * replacement character, which the engine refuses as binary text like the NUL itself.
 */
const withoutNul = (_key: string, value: unknown) => (typeof value === 'string' ? value.replaceAll('\u0000', '\ufffd') : value);

type ChatEvent = { provider: ChatProvider; externalId: string; type: string; payload: unknown };

/** A conversation nobody touched for this long has expired: its buttons no longer work. */
const CONVERSATION_TTL_MS = DAY;

/**
 * The assistant's conversation engine, the same for every channel (docs/assistant.md): an input and
 * where it came from in, channel-neutral messages out. Whatever goes wrong with an input (a typo, an
 * expired button, someone pressing what is not theirs, a rule of the services) becomes one short private
 * reply, and nothing changes: refusals are thrown before any write, and the services' rules roll back
 * their own transactions.
 */
export function createAssistantService(deps: Deps, services: AssistantServices) {
  const { db, clock, logger } = deps;

  const chatEventRow = (event: ChatEvent, handled: boolean) => {
    const now = clock.now();
    return { id: newId(now.getTime()), provider: event.provider, external_id: event.externalId, type: event.type, payload: JSON.stringify(event.payload, withoutNul), received_at: now, handled_at: handled ? now : null };
  };
  // Webhook acknowledgements arrive in bursts: those that come while one is being stored are stored together.
  const eventsWithJobs = new GroupCommit((items: store.EventWithJob[]) => store.insertChatEventsWithJobs(db, items));
  const delivery = assistantDelivery(deps, services.tickets.findById);
  const identities = chatIdentities(deps);
  const kit = { ...services, deps, identities, delivery };
  const flow = journey(kit);
  const onTickets = ticketActions(kit);
  const retention = chatEventsRetention(deps);

  async function conversationStep(turn: Turn, action: Action, value: { value?: string; fields?: Record<string, string> }): Promise<Message[]> {
    const conversation = await store.findConversation(db, action.id);
    if (!conversation) return [expired()];
    if (conversation.channel !== turn.place.channel || conversation.external_user !== turn.place.user.id) {
      return [privately('This conversation belongs to someone else. Run /support to start your own.')];
    }
    if (clock.now().getTime() - conversation.updated_at.getTime() > CONVERSATION_TTL_MS) return [expired()];
    return flow.step({ ...turn, conversation }, action.step, value);
  }

  async function typed(turn: Turn, text: string): Promise<Message[]> {
    const conversation = await store.latestConversation(db, turn.place);
    const step = conversation && clock.now().getTime() - conversation.updated_at.getTime() <= CONVERSATION_TTL_MS ? flow.typedStep(conversation.state) : undefined;
    if (!conversation || !step) return [privately('Run /support to ask for help with a repository.')];
    return flow.step({ ...turn, conversation }, step, { text, value: text });
  }

  /** A refusal becomes its message; anything else is logged and answered without internals. */
  function failed(error: unknown, place: Place, kind: string): Message[] {
    if (error instanceof AppError && error.status < 500) return [privately(error.message)];
    logger.error({ err: error, channel: place.channel, input: kind }, 'assistant: input failed');
    return [privately('Something went wrong on our side; nothing was changed. Please try again in a moment.')];
  }

  /** Runs one input as its person; whatever goes wrong becomes one short private reply. */
  async function answering(place: Place, input: Input, work: (turn: Turn) => Promise<Message[]>): Promise<Message[]> {
    try {
      const who = await identities.userOf(place);
      return await work({ place, input, who });
    } catch (error) {
      return failed(error, place, input.kind);
    }
  }

  async function dispatch(turn: Turn): Promise<Message[]> {
    const { input } = turn;
    switch (input.kind) {
      case 'command':
        if (input.name === 'support') return flow.start(turn, input.options.repository);
        if (input.name === 'link') return flow.link(turn);
        return (await onTickets.command(turn, input.name, input.options)) ?? [privately(`I do not know the command /${input.name.slice(0, 32)}. Try /support.`)];
      case 'text':
        return typed(turn, input.text);
      default: {
        const action = parseAction(input.action);
        if (!action) return [expired()];
        const value = input.kind === 'choice' ? { value: input.value } : input.kind === 'form' ? { fields: input.fields } : {};
        if (action.scope === 'c') return conversationStep(turn, action, value);
        const fields = input.kind === 'form' ? input.fields : {};
        const picked = input.kind === 'choice' ? input.value : undefined;
        const answer = action.scope === 't' ? await onTickets.onTicket(turn, action.id, action.step, { arg: action.arg, fields, value: picked }) : await onTickets.onQuote(turn, action.id, action.step);
        return answer ?? [expired()];
      }
    }
  }

  return {
    /** Handles one input; always answers, with at least one message. */
    handle(place: Place, input: Input): Promise<Message[]> {
      return answering(place, input, dispatch);
    },

    /**
     * A message someone wrote in a ticket's thread in chat, added to the ticket as their reply (the
     * tickets service decides who may). Null when the thread is not a ticket's: the channel ignores it.
     * A refusal (someone who may not answer, binary or overlong text) is a private reply, and the
     * ticket is unchanged.
     */
    async threadMessage(place: Place, text: string): Promise<Message[] | null> {
      if (!place.threadId) return null;
      const conversation = await store.conversationOfThread(db, place.channel, place.threadId);
      if (!conversation?.ticket_id) return null;
      try {
        const who = await identities.userOf(place);
        const body = readableText(text, 'your message');
        await services.tickets.postMessage(who.actor, conversation.ticket_id, { body, internal: false, channel: place.channel });
        return [];
      } catch (error) {
        if (error instanceof AppError && error.status === 404) return [privately('Your message was not added to the ticket: only its customer, its helper and the repository team may write to it.')];
        return failed(error, place, 'thread-message');
      }
    },

    /**
     * Opens a ticket in one go where it was asked for, the place's thread becoming the ticket's (a
     * `/support` comment on a GitHub issue). The announcement is pushed to the thread; the answer holds
     * only refusals and notes.
     */
    openHere(place: Place, inputId: string, request: { repo: string; title: string; body: string }): Promise<Message[]> {
      return answering(place, { kind: 'command', id: inputId, name: 'support', options: { repository: request.repo } }, (turn) => flow.openHere(turn, request));
    },

    /** Inputs channels should defer (acknowledge now, answer later): AI answers, tickets, payments, helper actions. */
    isSlow(input: Input): boolean {
      if (input.kind === 'text') return true;
      if (input.kind === 'command') return TICKET_COMMANDS.has(input.name);
      const action = parseAction(input.action);
      if (!action) return false;
      if (action.scope === 'c') return isSlowStep(action.step, input.kind === 'form');
      return SLOW_TICKET_STEPS.has(action.step);
    },

    /** Repository names for autocomplete: verified repositories matching what was typed so far. */
    async suggestRepos(typedSoFar: string): Promise<{ name: string; value: string }[]> {
      const q = typedSoFar.trim().slice(0, 100);
      if (/[\u0000-\u001f]/.test(q)) return [];
      const page = await services.repos.search({ q: q || undefined, limit: 25 });
      return page.items.map((repo) => ({ name: `${repo.fullName}${repo.description ? ` — ${repo.description}` : ''}`.slice(0, 100), value: repo.fullName }));
    },

    /**
     * The chat inbox channels store events in: once per (provider, external id), so that a delivery seen
     * again (a Slack retry, a replayed Discord interaction) is recognized, and handled once.
     */
    inbox: {
      record: (scope: Queryable, event: ChatEvent & { handled: boolean }) => store.insertChatEvent(scope, chatEventRow(event, event.handled)),
      /**
       * Stores a new event with the job that handles it (payload `{ eventId }`) in one statement; false
       * when it was stored before, and then nothing changes.
       */
      recordForJob: (event: ChatEvent, queue: string, options: { maxAttempts: number }) => {
        const row = chatEventRow(event, false);
        const job = jobRow(clock, queue, { eventId: row.id }, options);
        return eventsWithJobs.add({ row, job: { id: job.id, queue, payload: job.payload, max_attempts: job.max_attempts } });
      },
      find: (id: string) => store.findChatEvent(db, id),
      markHandled: (scope: Queryable, id: string) => store.markChatEventHandled(scope, id, clock.now()),
    },

    /** Chat accounts as Backline users: channels that act outside the engine (web chat replies on a ticket) use it. */
    identities,
    registerChannel: delivery.registerChannel,
    /**
     * Posts messages to a conversation's ticket thread through its channel: a durable job enqueued in
     * `scope`, once per `key` (a channel answering an event it may see again, like a GitHub redelivery).
     */
    pushToThread: (scope: Queryable, conversationId: string, messages: Message[], key: string) => delivery.push(scope, conversationId, 'ticket', messages, key),
    ticketObserver: delivery.ticketObserver,
    paymentObserver: delivery.paymentObserver,
    /** The daily deletion of old chat events (CHAT_EVENTS_RETENTION_DAYS). */
    retention,
    jobHandlers: { ...delivery.jobHandlers, ...retention.jobHandlers },
  };
}

export type AssistantService = ReturnType<typeof createAssistantService>;
