import { AppError } from '../../errors.ts';
import { UUID_PATTERN } from '../../lib/ids.ts';
import { formatMoney } from '../payments/payments.notifications.ts';
import { ESTIMATE_MAX_MINUTES } from '../payments/payments.schemas.ts';
import { authorize } from '../tickets/tickets.policy.ts';
import { ticketAction } from './assistant.actions.ts';
import type { AssistantKit, Turn } from './assistant.kit.ts';
import { formMessage, privately, publicly, readableText, refuse } from './assistant.messages.ts';
import { findUserById } from '../users/users.repository.ts';
import { DAY } from '../../lib/clock.ts';
import { helperButtons, rateButtons } from './assistant.notices.ts';
import { paymentMessage } from './assistant.pay.ts';
import * as store from './assistant.repository.ts';
import type { Form, Message } from './assistant.types.ts';

type Fields = Record<string, string | undefined>;

/** Sessions booked from chat: an hour, within the next week. */
const SESSION_MINUTES = 60;
const SLOT_DAYS = 7;

/** "99.99" in EUR is 9999 minor units, "2500" in JPY is 2500; integer arithmetic only, never floats. */
export function parseAmount(raw: string | undefined, currency: string): number {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const text = (raw ?? '').trim().replace(',', '.');
  const match = /^(\d{1,9})(?:\.(\d+))?$/.exec(text);
  if (!match || (match[2] ?? '').length > digits) refuse(`"${text.slice(0, 20)}" is not an amount in ${currency}; write it like ${digits ? '99.50' : '2500'}.`);
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0);
}

function wholeNumber(raw: string | undefined, what: string, max: number): number {
  const text = (raw ?? '').trim();
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > max) refuse(`${what} must be a whole number from 1 to ${max}.`);
  return Number(text);
}

/**
 * What helpers and customers do to a ticket from chat: claim, quote, log time, resolve; accept or decline
 * a quote, confirm, reopen, rate. Each goes through the tickets and payments services as the person who
 * pressed or typed, so their rules decide: who may, from which status, once.
 */
export function ticketActions(kit: AssistantKit) {
  const { deps, tickets, payments } = kit;

  const quoteForm = (ticketId: string, currency: string): Form => ({
    action: ticketAction(ticketId, 'quoted'),
    title: 'Send a quote',
    fields: [
      { id: 'amount', label: `Price in ${currency}`, style: 'short', required: true, maxLength: 12, placeholder: '99.00' },
      { id: 'currency', label: 'Currency', style: 'short', required: true, maxLength: 3, value: currency },
      { id: 'minutes', label: 'Estimated minutes of work', style: 'short', required: true, maxLength: 5, placeholder: '60' },
      { id: 'description', label: 'What the price covers', style: 'paragraph', required: true, maxLength: 2000 },
    ],
  });

  const timeForm = (ticketId: string): Form => ({
    action: ticketAction(ticketId, 'timed'),
    title: 'Log time',
    fields: [
      { id: 'minutes', label: 'Minutes', style: 'short', required: true, maxLength: 4, placeholder: '30' },
      { id: 'note', label: 'What you did (optional)', style: 'paragraph', required: false, maxLength: 2000 },
    ],
  });

  const resolveForm = (ticketId: string): Form => ({
    action: ticketAction(ticketId, 'resolved'),
    title: 'Resolve the ticket',
    fields: [{ id: 'summary', label: 'What solved it, in a sentence', style: 'paragraph', required: true, maxLength: 2000 }],
  });

  /** A ticket the person may not see is a 404 to the services; in chat, say who may act instead. */
  async function asSeen<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AppError && error.status === 404) refuse('Only the person who opened this ticket and approved helpers of its repository can act on it.');
      throw error;
    }
  }

  const access = (turn: Turn, ticketId: string) => tickets.access(turn.who.actor, ticketId);

  /** The currency a quote is likely in: the ticket's offering's, else the repository's. */
  async function currencyOf(turn: Turn, ticket: { repo_full_name: string; offering_id: string | null }): Promise<string> {
    const offering = ticket.offering_id ? (await kit.offerings.list(turn.who.actor, ticket.repo_full_name)).find((candidate) => candidate.id === ticket.offering_id) : undefined;
    return offering?.currency ?? (await kit.repos.access(turn.who.actor, ticket.repo_full_name)).repo.currency;
  }

  /** Sends a form only to someone who may submit it, so nobody fills one in to be refused at the end. */
  async function formFor(turn: Turn, ticketId: string, permission: 'quote' | 'time' | 'resolve'): Promise<Message[]> {
    const { ticket, relation } = await access(turn, ticketId);
    if (permission === 'resolve') authorize('resolve', relation, ticket);
    else if (!relation.assignee) refuse(`Only the helper assigned to this ticket may ${permission === 'quote' ? 'send a quote' : 'log time'}; claim it first.`);
    if (permission === 'quote') return [formMessage(quoteForm(ticketId, await currencyOf(turn, ticket)), 'Send the quote with /quote.')];
    if (permission === 'time') return [formMessage(timeForm(ticketId), 'Log time with /log-time.')];
    return [formMessage(resolveForm(ticketId), 'Resolve it with /resolve.')];
  }

  async function quote(turn: Turn, ticketId: string, fields: Fields): Promise<Message[]> {
    const currency = (fields.currency ?? '').trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency) || !Intl.supportedValuesOf('currency').includes(currency)) refuse('The currency must be a code such as EUR or USD.');
    const created = await payments.quotes.create(turn.who.actor, ticketId, {
      amount: parseAmount(fields.amount, currency),
      currency,
      description: readableText(fields.description, 'the description', 2000),
      estimatedMinutes: wholeNumber(fields.minutes, 'The estimate', ESTIMATE_MAX_MINUTES),
    });
    // The ticket's threads hear of it from the payments domain (assistant.delivery.ts), like a quote sent on the web.
    return [privately(`Quote of ${formatMoney(created.amount, created.currency)} sent; the customer can accept it in the thread.`)];
  }

  /** The customer's session time: the assignee's free slots for the next week, shown in the customer's profile time zone. */
  async function slotChoice(turn: Turn, ticketId: string): Promise<Message[]> {
    const { ticket, relation } = await access(turn, ticketId);
    if (!relation.customer) refuse('Only the customer of this ticket picks the session time.');
    if (!ticket.assignee_id) refuse('No helper has claimed this ticket yet; once one has, press "Pick a time" again.');
    const now = deps.clock.now().getTime();
    const found = await kit.scheduling.slots(turn.who.actor, ticket.assignee_id, { from: new Date(now).toISOString(), to: new Date(now + SLOT_DAYS * DAY).toISOString(), minutes: SESSION_MINUTES });
    if (found.items.length === 0) refuse(`${ticket.assignee_name} has no free time in the next ${SLOT_DAYS} days; agree on a time with them in the conversation.`);
    const label = new Intl.DateTimeFormat('en', { timeZone: found.timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    return [
      privately(`Pick a time for your ${SESSION_MINUTES}-minute session with ${ticket.assignee_name}; times are in ${found.timeZone} (change it in your profile).`, {
        choices: {
          action: ticketAction(ticketId, 'book'),
          placeholder: 'Choose a time',
          options: found.items.slice(0, 25).map((slot) => ({ value: slot.startUtc, label: label.format(new Date(slot.startUtc)) })),
        },
      }),
    ];
  }

  /** Books the picked slot with the assignee; the scheduling module mails both the calendar invite. */
  async function book(turn: Turn, ticketId: string, start: string | undefined): Promise<Message[]> {
    if (!start || Number.isNaN(Date.parse(start))) refuse('Pick one of the offered times.');
    const { ticket, relation } = await access(turn, ticketId);
    if (!relation.customer || !ticket.assignee_id) refuse('Only the customer of a claimed ticket books its session.');
    const tz = (await findUserById(deps.db, turn.who.actor.userId))?.time_zone ?? 'UTC';
    const booking = await kit.scheduling.book(turn.who.actor, { helperId: ticket.assignee_id, ticketId, start, minutes: SESSION_MINUTES, tz });
    const when = `${booking.startForCustomer.replace('T', ' ').slice(0, 16)} (${booking.customerTimeZone})`;
    await deps.db.transaction().execute(async (trx) => {
      for (const conversation of await kit.delivery.conversationsOf(trx, ticketId)) {
        await kit.delivery.push(trx, conversation.id, 'ticket', [publicly(`Session booked: ${when}, ${booking.minutes} minutes with ${ticket.assignee_name}. The calendar invitation is in your email.`)], `booking:${booking.id}`);
      }
    });
    return [privately(`Booked for ${when}. The calendar invitation is on its way by email.`)];
  }

  const STEPS: Record<string, (turn: Turn, ticketId: string, value: { arg: string | null; fields: Fields; value?: string }) => Promise<Message[]>> = {
    slots: (turn, id) => slotChoice(turn, id),
    book: (turn, id, { value }) => book(turn, id, value),
    claim: async (turn, id) => {
      const ticket = await tickets.claim(turn.who.actor, id);
      return [privately(`You claimed "${ticket.title}". Talk to the customer in its thread; your tools:`, { buttons: helperButtons({ id, status: 'claimed', track: 'expert', assignee_id: null }) })];
    },
    quote: (turn, id) => formFor(turn, id, 'quote'),
    quoted: (turn, id, { fields }) => quote(turn, id, fields),
    time: (turn, id) => formFor(turn, id, 'time'),
    timed: async (turn, id, { fields }) => {
      const entry = await payments.logTime(turn.who.actor, id, { minutes: wholeNumber(fields.minutes, 'Minutes', 1440), note: fields.note?.trim() ? readableText(fields.note, 'the note', 2000) : '' });
      return [privately(`Logged ${entry.minutes} minutes.`)];
    },
    resolve: (turn, id) => formFor(turn, id, 'resolve'),
    resolved: async (turn, id, { fields }) => {
      await tickets.resolve(turn.who.actor, id, readableText(fields.summary, 'the summary', 2000));
      return [privately('Marked resolved; the customer is asked to confirm.')];
    },
    confirm: async (turn, id) => {
      await tickets.confirm(turn.who.actor, id);
      return [privately('Thank you for confirming. How was the help?', { buttons: rateButtons(id) })];
    },
    reopen: async (turn, id) => {
      await tickets.reopen(turn.who.actor, id, 'Reopened from chat');
      return [privately('Reopened; the helper was told.')];
    },
    rate: async (turn, id, { arg }) => {
      const score = Number(arg);
      if (!Number.isInteger(score) || score < 1 || score > 5) refuse('A rating is from 1 to 5 stars.');
      await tickets.rate(turn.who.actor, id, { score, comment: '' });
      return [privately(`Thanks for rating it ${'★'.repeat(score)}.`)];
    },
  };

  const QUOTE_STEPS: Record<string, (turn: Turn, quoteId: string) => Promise<Message[]>> = {
    accept: async (turn, id) => {
      try {
        const accepted = await payments.quotes.accept(turn.who.actor, id, `chat:${turn.place.channel}:${turn.input.id}`);
        const { payment } = accepted.body as { payment: { url: string | null; amount: number; currency: string; status: string } };
        return [await paymentMessage(kit, turn.who, payment, 'Quote accepted.')];
      } catch (error) {
        if (error instanceof AppError && error.status === 404) refuse('Only the person who opened this ticket can accept its quote.');
        throw error;
      }
    },
    decline: async (turn, id) => {
      try {
        await payments.quotes.decline(turn.who.actor, id);
      } catch (error) {
        if (error instanceof AppError && (error.status === 404 || error.status === 403)) refuse('Only the person who opened this ticket can decline its quote.');
        throw error;
      }
      return [privately('Quote declined; the helper may send another one.')];
    },
  };

  /** The ticket a helper command means: the one named, or the one whose thread the command was typed in. */
  async function ticketOf(turn: Turn, named: string | undefined): Promise<string> {
    const given = named?.trim();
    if (given) {
      if (!UUID_PATTERN.test(given)) refuse(`"${given.slice(0, 40)}" is not a ticket id; type the command in the ticket's thread, or give its id.`);
      return given.toLowerCase();
    }
    const thread = turn.place.threadId ?? turn.place.channelId;
    const conversation = await store.conversationOfThread(deps.db, turn.place.channel, thread);
    if (!conversation?.ticket_id) refuse("Type this in a ticket's thread, or give the ticket's id.");
    return conversation.ticket_id;
  }

  return {
    steps: new Set([...Object.keys(STEPS)]),
    quoteSteps: new Set(Object.keys(QUOTE_STEPS)),

    async onTicket(turn: Turn, ticketId: string, step: string, value: { arg: string | null; fields: Fields; value?: string }): Promise<Message[] | null> {
      const run = STEPS[step];
      return run ? asSeen(() => run(turn, ticketId, value)) : null;
    },

    async onQuote(turn: Turn, quoteId: string, step: string): Promise<Message[] | null> {
      const run = QUOTE_STEPS[step];
      return run ? run(turn, quoteId) : null;
    },

    /** The helper commands and /ticket: the same steps, with the fields typed as command options. */
    async command(turn: Turn, name: string, options: Fields): Promise<Message[] | null> {
      const step = { claim: 'claim', quote: 'quoted', 'log-time': 'timed', resolve: 'resolved' }[name];
      if (step) {
        const ticketId = await ticketOf(turn, options.ticket);
        return asSeen(() => STEPS[step](turn, ticketId, { arg: null, fields: options }));
      }
      if (name !== 'ticket') return null;
      const ticketId = await ticketOf(turn, options.ticket);
      const { ticket, relation } = await asSeen(() => access(turn, ticketId));
      const who = ticket.assignee_name ? `, with ${ticket.assignee_name}` : '';
      const tools = relation.assignee || (relation.helper && ticket.status === 'open') ? helperButtons(ticket) : [];
      return [privately(`**${ticket.title}** (${ticket.repo_full_name}): ${ticket.status.replaceAll('_', ' ')}${who}.`, { buttons: tools })];
    },
  };
}

export const SLOW_TICKET_STEPS = new Set(['slots', 'book', 'claim', 'quoted', 'timed', 'resolved', 'confirm', 'reopen', 'rate', 'accept', 'decline']);
/** The commands that act on tickets: each goes through a service, so channels defer them. */
export const TICKET_COMMANDS = new Set(['ticket', 'claim', 'quote', 'log-time', 'resolve']);
