import { newId } from '../../lib/ids.ts';
import { formatMoney } from '../payments/payments.notifications.ts';
import { TITLE_MAX } from '../tickets/tickets.schemas.ts';
import { conversationAction } from './assistant.actions.ts';
import type { PendingVerification } from './assistant.identities.ts';
import type { AssistantKit, Turn } from './assistant.kit.ts';
import { formMessage, privately, readableText, refuse } from './assistant.messages.ts';
import { ticketOpened } from './assistant.notices.ts';
import { paymentMessage } from './assistant.pay.ts';
import * as store from './assistant.repository.ts';
import type { Form, Message } from './assistant.types.ts';

/**
 * The customer's way through a conversation, one state at a time:
 *
 *   choosing_repo -> describing -> answered (AI) -> choosing_track -> verifying -> entering_code
 *     -> choosing_offering -> ticket_open; community questions go choosing_track -> ticket_open.
 *
 * Each step is allowed only from the states listed in STEPS; a press on a button of an earlier step
 * finds the conversation elsewhere and is answered as expired. Steps that open tickets or payments first
 * move the conversation to 'opening' with a compare-and-set, so a double press opens one ticket.
 */
export type ConversationData = {
  repo?: string;
  title?: string;
  body?: string;
  answerId?: string;
  verify?: PendingVerification;
  /** Codes mailed in this conversation, limited so that nobody uses it to mail strangers. */
  codesSent?: number;
};

type Step = (turn: Turn & { conversation: store.ConversationRow }, value: StepValue) => Promise<Message[]>;
type StepValue = { text?: string; value?: string; fields?: Record<string, string> };

const dataOf = (row: store.ConversationRow) => (row.data ?? {}) as ConversationData;

const describeForm = (conversationId: string): Form => ({
  action: conversationAction(conversationId, 'describe'),
  title: 'Describe the problem',
  fields: [
    { id: 'title', label: 'In one line', style: 'short', required: true, maxLength: TITLE_MAX, placeholder: 'Retries stop after the first failure' },
    { id: 'body', label: 'What happens, what you expected, versions', style: 'paragraph', required: true, maxLength: 4000 },
  ],
});

const emailForm = (conversationId: string): Form => ({
  action: conversationAction(conversationId, 'email'),
  title: 'Your email address',
  fields: [{ id: 'email', label: 'Email (for receipts and the ticket)', style: 'short', required: true, maxLength: 254, placeholder: 'name@example.com' }],
});

const codeForm = (conversationId: string): Form => ({
  action: conversationAction(conversationId, 'code'),
  title: 'Confirm your email',
  fields: [{ id: 'code', label: 'The six-digit code we emailed you', style: 'short', required: true, maxLength: 6 }],
});

export function journey(kit: AssistantKit) {
  const { deps, repos, tickets, knowledge, offerings, payments, identities, delivery } = kit;
  const { db, clock } = deps;

  async function save(row: store.ConversationRow, state: string, changes: { data?: ConversationData; repo_id?: string; ticket_id?: string } = {}) {
    await store.updateConversation(db, row.id, { state, ...changes, data: changes.data as Record<string, unknown> | undefined, updated_at: clock.now() });
  }

  /** Moves the conversation on only if it is still where it was: the guard against double presses. */
  async function take(row: store.ConversationRow, from: string): Promise<void> {
    if (!(await store.moveConversationIfState(db, row.id, from, 'opening', clock.now()))) refuse('I am already on it; give me a moment.');
  }

  /** The repository as this person may see it; unknown ones get suggestions instead. */
  async function findRepo(turn: Turn, name: string) {
    const found = /^[\w.-]+\/[\w.-]+$/.test(name) ? await repos.access(turn.who.actor, name).catch(() => null) : null;
    if (found?.repo.status === 'verified') return found.repo;
    const similar = await repos.search({ q: name.slice(0, 100), limit: 3 });
    const names = similar.items.map((item) => item.fullName);
    refuse(`I do not know the repository "${name.slice(0, 100)}".${names.length ? ` Did you mean ${names.join(', ')}?` : ' Check the spelling, or pick one from the list as you type.'}`);
  }

  async function chooseRepo(row: store.ConversationRow, repo: { id: string; full_name: string }): Promise<Message[]> {
    await save(row, 'describing', { repo_id: repo.id, data: { ...dataOf(row), repo: repo.full_name } });
    return [formMessage(describeForm(row.id), `What is the problem with ${repo.full_name}? Reply with one message: the first line as its title.`)];
  }

  async function trackChoice(turn: Turn & { conversation: store.ConversationRow }, lead: Message[] = []): Promise<Message[]> {
    const repo = await repos.access(turn.who.actor, dataOf(turn.conversation).repo!).then((found) => found.repo);
    const options = [
      repo.offers_community && { action: conversationAction(turn.conversation.id, 'community'), label: 'Ask the community (free)', style: 'secondary' as const },
      repo.offers_expert && { action: conversationAction(turn.conversation.id, 'expert'), label: 'Get an expert (paid)', style: 'primary' as const },
    ].filter((option) => option !== false);
    if (options.length === 0) {
      await save(turn.conversation, 'done');
      return [...lead, privately(`${repo.full_name} offers no human support at the moment; its maintainers can turn it on.`)];
    }
    await save(turn.conversation, 'choosing_track');
    return [...lead, privately('How would you like to continue?', { buttons: options })];
  }

  const described: Step = async (turn, { fields }) => {
    const title = readableText(fields?.title, 'the title', TITLE_MAX);
    const body = readableText(fields?.body, 'the description');
    const data = { ...dataOf(turn.conversation), title, body };
    await save(turn.conversation, 'describing', { data });
    const conversation = { ...turn.conversation, data: data as Record<string, unknown> };
    const { repo } = await repos.access(turn.who.actor, data.repo!);
    if (!repo.offers_ai) return trackChoice({ ...turn, conversation });
    const answer = await knowledge.ask(turn.who.actor, repo.full_name, `${title}\n${body}`.slice(0, 1000));
    if (answer.declined) return trackChoice({ ...turn, conversation }, [privately(answer.answer)]);
    await save(conversation, 'answered', { data: { ...data, answerId: answer.id } });
    return [
      privately(answer.answer, {
        links: answer.citations.slice(0, 5).map((citation) => ({ label: citation.title.slice(0, 80) || citation.url, url: citation.url })),
        buttons: [
          { action: conversationAction(turn.conversation.id, 'solved'), label: 'That solved it', style: 'success' },
          { action: conversationAction(turn.conversation.id, 'unsolved'), label: 'I still need help', style: 'secondary' },
        ],
      }),
    ];
  };

  async function feedback(turn: Turn & { conversation: store.ConversationRow }, helpful: boolean) {
    const { answerId } = dataOf(turn.conversation);
    if (answerId) await knowledge.feedback(turn.who.actor, answerId, helpful);
  }

  /** Opens the ticket, links it to the conversation and posts it to its thread, in one transaction with the push. */
  async function openTicket(turn: Turn & { conversation: store.ConversationRow }, track: 'community' | 'expert', offeringId: string | undefined) {
    const data = dataOf(turn.conversation);
    const ticket = await tickets.create(turn.who.actor, {
      repo: data.repo!,
      title: data.title!,
      body: data.body!,
      track,
      priority: 'normal',
      channel: turn.place.channel,
      offeringId,
    });
    const view = (await tickets.findById(db, ticket.id))!;
    await db.transaction().execute(async (trx) => {
      await store.updateConversation(trx, turn.conversation.id, { state: 'ticket_open', ticket_id: ticket.id, updated_at: clock.now() });
      await delivery.push(trx, turn.conversation.id, 'ticket', [ticketOpened(view)], `opened:${ticket.id}`);
    });
    return ticket;
  }

  /** Runs `work` after taking the step; gives the step back when it fails, so the person can try again. */
  async function opening<T>(row: store.ConversationRow, from: string, work: () => Promise<T>): Promise<T> {
    await take(row, from);
    try {
      return await work();
    } catch (error) {
      await store.moveConversationIfState(db, row.id, 'opening', from, clock.now());
      throw error;
    }
  }

  const STEPS: Record<string, { from: string[]; run: Step }> = {
    repo: {
      from: ['choosing_repo'],
      run: async (turn, { value }) => chooseRepo(turn.conversation, await findRepo(turn, value ?? '')),
    },
    describe: {
      from: ['describing'],
      // Pressed as a button (or typed): open the form again. Submitted: the description.
      run: async (turn, value) => {
        if (value.fields) return described(turn, value);
        if (value.text === undefined) return [formMessage(describeForm(turn.conversation.id), 'Describe the problem in one message: the first line as its title.')];
        const text = readableText(value.text, 'your message');
        return described(turn, { fields: { title: text.split('\n')[0].slice(0, TITLE_MAX), body: text } });
      },
    },
    solved: {
      from: ['answered'],
      run: async (turn) => {
        await feedback(turn, true);
        await save(turn.conversation, 'done');
        return [privately('Glad that helped! Run /support whenever you need more.')];
      },
    },
    unsolved: {
      from: ['answered'],
      run: async (turn) => {
        await feedback(turn, false);
        return trackChoice(turn);
      },
    },
    community: {
      from: ['choosing_track'],
      run: async (turn) => {
        await opening(turn.conversation, 'choosing_track', () => openTicket(turn, 'community', undefined));
        return [privately('I posted your question where the community answers; follow the thread for replies.')];
      },
    },
    expert: {
      from: ['choosing_track'],
      run: async (turn) => {
        if (turn.who.verified) return offeringChoice(turn);
        await save(turn.conversation, 'verifying');
        return [formMessage(emailForm(turn.conversation.id), 'Experts are paid: what is your email address, for receipts and the ticket? Reply with it.')];
      },
    },
    email: {
      from: ['verifying', 'entering_code'],
      run: async (turn, { fields, text }) => {
        if (!fields && text === undefined) return [formMessage(emailForm(turn.conversation.id), 'What is your email address?')];
        const data = dataOf(turn.conversation);
        const verify = await identities.sendCode(turn.conversation.id, fields?.email ?? text ?? '', data.codesSent ?? 0);
        await save(turn.conversation, 'entering_code', { data: { ...data, verify, codesSent: verify.sent } });
        return [privately(`I emailed a six-digit code to ${verify.email}. Enter it to go on.`, { buttons: [{ action: conversationAction(turn.conversation.id, 'code'), label: 'Enter the code', style: 'primary' }] })];
      },
    },
    code: {
      from: ['entering_code'],
      run: async (turn, { fields, text }) => {
        if (!fields && text === undefined) return [formMessage(codeForm(turn.conversation.id), 'Reply with the six-digit code we emailed you.')];
        const data = dataOf(turn.conversation);
        const checked = await identities.checkCode(turn.place, turn.conversation.id, data.verify!, fields?.code ?? text ?? '');
        if (!checked.ok) {
          await save(turn.conversation, checked.pending ? 'entering_code' : 'verifying', { data: { ...data, verify: checked.pending } });
          const retry = checked.pending
            ? { action: conversationAction(turn.conversation.id, 'code'), label: 'Enter the code', style: 'primary' as const }
            : { action: conversationAction(turn.conversation.id, 'email'), label: 'Send a new code', style: 'secondary' as const };
          return [privately(checked.reason, { buttons: [retry] })];
        }
        const who = await identities.userOf(turn.place);
        const confirmed = privately(`Thanks, ${who.actor.email} is confirmed: your chat account now acts as that Backline account.`);
        if (!data.repo) {
          await save(turn.conversation, 'done', { data: { ...data, verify: undefined } });
          return [confirmed];
        }
        await save(turn.conversation, 'choosing_track', { data: { ...data, verify: undefined } });
        return offeringChoice({ ...turn, who }, [confirmed]);
      },
    },
    offering: {
      from: ['choosing_offering'],
      run: async (turn, { value }) => {
        const data = dataOf(turn.conversation);
        const listed = await offerings.list(turn.who.actor, data.repo!);
        const offering = listed.find((candidate) => candidate.id === value && candidate.active);
        if (value !== 'quote' && !offering) refuse('That offering is no longer available; pick another one.');
        const ticket = await opening(turn.conversation, 'choosing_offering', () => openTicket(turn, 'expert', offering?.id));
        const lead = 'Your ticket is open; every approved helper was told, and the first to claim it takes it.';
        if (!offering || offering.kind === 'quote') return [privately(`${lead} They will send you a quote here.`)];
        const bought = await payments.purchase(turn.who.actor, ticket.id, { offeringId: offering.id, currency: offering.currency }, `assistant:${turn.conversation.id}:purchase`);
        return [await paymentMessage(kit, turn.who, (bought.body as { payment: { url: string | null; amount: number; currency: string; status: string } }).payment, lead)];
      },
    },
  };

  async function offeringChoice(turn: Turn & { conversation: store.ConversationRow }, lead: Message[] = []): Promise<Message[]> {
    const listed = (await offerings.list(turn.who.actor, dataOf(turn.conversation).repo!)).filter((offering) => offering.active);
    const options = listed.map((offering) => {
      const price = offering.prices[0];
      const cost = !price ? 'priced by quote' : 'price' in price && price.price !== undefined ? formatMoney(price.price, price.currency) : 'initialFee' in price ? `${formatMoney(price.initialFee!, price.currency)} + ${formatMoney(price.perMinuteRate!, price.currency)}/min` : '';
      return { value: offering.id, label: offering.name.slice(0, 100), description: cost.slice(0, 100) };
    });
    if (!listed.some((offering) => offering.kind === 'quote')) options.push({ value: 'quote', label: 'Ask for a quote', description: 'A helper looks at it and names a price' });
    await save(turn.conversation, 'choosing_offering');
    return [...lead, privately('What would you like?', { choices: { action: conversationAction(turn.conversation.id, 'offering'), placeholder: 'Choose an offering', options: options.slice(0, 25) } })];
  }

  /** The text a person types continues the step their conversation is at, where typing makes sense. */
  const TYPED: Record<string, string> = { choosing_repo: 'repo', describing: 'describe', verifying: 'email', entering_code: 'code' };

  async function create(turn: Turn, state: string): Promise<store.ConversationRow> {
    const now = clock.now();
    const row: store.ConversationRow = {
      id: newId(now.getTime()),
      channel: turn.place.channel,
      external_workspace: turn.place.workspace,
      external_channel: turn.place.channelId,
      external_thread: turn.place.threadId,
      external_user: turn.place.user.id,
      user_id: turn.who.actor.userId,
      state,
      repo_id: null,
      ticket_id: null,
      data: {},
      created_at: now,
      updated_at: now,
    };
    await store.insertConversation(db, { ...row, data: '{}' });
    return row;
  }

  return {
    /** /support: a new conversation, at the repository if one was given. */
    async start(turn: Turn, repoName: string | undefined): Promise<Message[]> {
      const repo = repoName ? await findRepo(turn, readableText(repoName, 'the repository name', 140)) : null;
      const row = await create(turn, 'choosing_repo');
      if (repo) return chooseRepo(row, repo);
      return [privately('Which repository do you need help with? Reply with its name, like owner/name.', { search: { action: conversationAction(row.id, 'repo'), placeholder: 'Search repositories' } })];
    },

    /** /link: proves an email, so that a helper's or maintainer's chat account acts as their Backline account. */
    async link(turn: Turn): Promise<Message[]> {
      const row = await create(turn, 'verifying');
      return [formMessage(emailForm(row.id), 'What is the email address of your Backline account? Reply with it.')];
    },

    /** A step of a conversation, from a button, a list, a form, or typed text. */
    async step(turn: Turn & { conversation: store.ConversationRow }, name: string, value: StepValue): Promise<Message[]> {
      const step = STEPS[name];
      if (!step || !step.from.includes(turn.conversation.state)) return [expired()];
      return step.run(turn, value);
    },

    /** Typed text: the step the conversation waits for, if it waits for text at all. */
    typedStep: (state: string): string | undefined => TYPED[state],
  };
}

/**
 * Steps that take more than a moment (an AI answer, a ticket, a payment): channels defer them and follow
 * up. The others answer in place, which a step that opens a form must (Discord opens modals only so).
 */
export const isSlowStep = (name: string, submitted: boolean) => (name === 'describe' && submitted) || name === 'community' || name === 'offering';

export const expired = () => privately('That button is from an earlier step and has expired. Run /support to start again.');
