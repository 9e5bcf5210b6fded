import { formatMoney } from '../payments/payments.notifications.ts';
import type { TicketView } from '../tickets/tickets.service.ts';
import type { TicketAction } from '../tickets/tickets.state.ts';
import { quoteAction, ticketAction } from './assistant.actions.ts';
import { buttons, publicly } from './assistant.messages.ts';
import type { Button, Message } from './assistant.types.ts';

/** What the ticket's thread shows: the public messages of a ticket's life, with the buttons each step needs. */

const excerpt = (text: string, max = 1500) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Helpers' tools on an expert ticket: the claim button before anyone claims it, the working ones after. */
export function helperButtons(ticket: Pick<TicketView, 'id' | 'status' | 'track' | 'assignee_id'>): Button[] {
  if (ticket.track !== 'expert') return [];
  if (ticket.status === 'open') return [{ action: ticketAction(ticket.id, 'claim'), label: 'Claim', style: 'primary' }];
  if (['claimed', 'in_progress', 'waiting_on_customer'].includes(ticket.status)) {
    return buttons(
      { action: ticketAction(ticket.id, 'quote'), label: 'Send a quote', style: 'secondary' },
      { action: ticketAction(ticket.id, 'time'), label: 'Log time', style: 'secondary' },
      { action: ticketAction(ticket.id, 'resolve'), label: 'Resolve', style: 'success' },
    );
  }
  return [];
}

export function ticketOpened(ticket: TicketView): Message {
  const kind = ticket.track === 'expert' ? 'Expert ticket: approved helpers of the repository may claim it' : 'Community question: anyone may answer in this thread';
  return publicly(`**${ticket.title}** (${ticket.repo_full_name})\n${kind}.\n\n${excerpt(ticket.body)}`, {
    buttons: ticket.track === 'expert' ? helperButtons(ticket) : [{ action: ticketAction(ticket.id, 'resolve'), label: 'Mark answered', style: 'success' }],
  });
}

/** A ticket opened from a thread that is public and has no buttons (a GitHub issue): the link, and how to pay. */
export function ticketOpenedHere(ticket: TicketView, link: string, offerings: { name: string; cost: string }[], linkedAccount: boolean): Message {
  const lines = [`I opened a Backline ticket for this: **${ticket.title}**.`];
  if (ticket.track === 'expert') {
    lines.push(`The approved helpers of ${ticket.repo_full_name} were told; the first to claim it takes it, and I will post here as it moves on.`);
    if (offerings.length) lines.push('', 'Ways to get it done:', ...offerings.slice(0, 10).map((offering) => `- ${offering.name}: ${offering.cost}`), '', 'Pick one and pay on the ticket page, or wait for a quote from the helper. The money is held until you confirm the work is done.');
    else lines.push('', 'The helper who claims it will send a quote; the money is held until you confirm the work is done.');
  } else {
    lines.push('Anyone in the community may answer on the ticket.');
  }
  if (!linkedAccount) lines.push('', 'Your GitHub account is not linked to a Backline account yet: ask for your GitHub login to be set on your Backline account to follow and pay for tickets you open here.');
  return publicly(lines.join('\n'), { links: [{ label: 'Open the ticket', url: link }] });
}

export function quoteSent(quote: { id: string; amount: number; currency: string; description: string; estimatedMinutes: number; expiresAt: string }, helperName: string): Message {
  return publicly(
    `${helperName} quotes **${formatMoney(quote.amount, quote.currency)}** (about ${quote.estimatedMinutes} minutes):\n${excerpt(quote.description, 1000)}\n` +
      `The offer stands until ${quote.expiresAt.slice(0, 10)}. The money is held until you confirm the work is done.`,
    {
      buttons: [
        { action: quoteAction(quote.id, 'accept'), label: 'Accept and pay', style: 'success' },
        { action: quoteAction(quote.id, 'decline'), label: 'Decline', style: 'danger' },
      ],
    },
  );
}

/** A public reply written outside the thread (the web, the API), shown in it under its author's name. */
export const ticketReply = (message: { body: string; authorName: string }): Message => publicly(excerpt(message.body, 3000), { from: { name: message.authorName, role: 'helper' } });
/** A quote row as the quote message shows it. */
export const quoteView = (quote: { id: string; amount: number; currency: string; description: string; estimated_minutes: number; expires_at: Date }) => ({
  id: quote.id,
  amount: quote.amount,
  currency: quote.currency,
  description: quote.description,
  estimatedMinutes: quote.estimated_minutes,
  expiresAt: quote.expires_at.toISOString(),
});

/** A paid live session asks the customer to pick its time (see the `slots` step in assistant.ticket-actions.ts). */
export function paidNotice(payment: { amount: number; currency: string; description: string; kind: string; ticket_id: string | null }): Message {
  const session = payment.kind === 'session' && payment.ticket_id;
  return publicly(
    `Paid: ${formatMoney(payment.amount, payment.currency)} for ${excerpt(payment.description, 200)}. The money is held until the work is confirmed done.` +
      (session ? '\nPick a time for the session: the times are shown in your time zone.' : ''),
    { buttons: session ? [{ action: ticketAction(payment.ticket_id!, 'slots'), label: 'Pick a time', style: 'primary' }] : [] },
  );
}

export const rateButtons = (ticketId: string): Button[] =>
  [1, 2, 3, 4, 5].map((score) => ({ action: ticketAction(ticketId, 'rate', String(score)), label: '★'.repeat(score), style: 'secondary' as const }));

/** The thread's message for a move of the ticket, or null for moves nobody needs to hear about. */
export function ticketNotice(action: TicketAction, ticket: TicketView): Message[] | null {
  switch (action) {
    case 'claim':
    case 'assign':
      return [publicly(`${ticket.assignee_name} is working on this ticket.`, { buttons: helperButtons(ticket) })];
    case 'release':
      return [publicly('The helper handed this ticket back; another approved helper may claim it.', { buttons: helperButtons(ticket) })];
    case 'resolve':
      return [
        publicly(`Marked resolved: ${excerpt(ticket.resolution_summary ?? '', 1000)}\nIf that solved it, confirm it; if not, reopen it.`, {
          buttons: [
            { action: ticketAction(ticket.id, 'confirm'), label: 'Confirm', style: 'success' },
            { action: ticketAction(ticket.id, 'reopen'), label: 'Reopen', style: 'secondary' },
          ],
        }),
      ];
    case 'confirm':
      return [publicly('Confirmed and closed. Thank you!')];
    case 'reopen':
      return [publicly('Reopened: the customer says it is not solved yet.', { buttons: helperButtons(ticket) })];
    case 'cancel':
      return [publicly('The customer cancelled this ticket.')];
    default:
      return null;
  }
}
