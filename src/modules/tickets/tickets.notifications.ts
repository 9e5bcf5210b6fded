import { publicUrl, type Config } from '../../config.ts';
import type { EmailDraft } from '../mail/mail.service.ts';
import { REPLY_HINT, replyAddress } from '../mail/reply-address.ts';
import type { MessageView, TicketView } from './tickets.repository.ts';

/**
 * The emails a ticket sends. Each dedupe key names the cause (the ticket and helper, or the event),
 * so a retried job or a repeated request queues the email once.
 */
export function ticketEmails(config: Config) {
  const link = (ticket: TicketView) => `${publicUrl(config)}/tickets/${ticket.id}`;
  const subject = (ticket: TicketView, what: string) => `[${ticket.repo_full_name}] ${what}: ${ticket.title}`;
  /** The signed address that turns a reply to this email into a message on the ticket from `userId`. */
  const replyable = (ticket: TicketView, userId: string, text: string) => {
    const replyTo = replyAddress(config, ticket.id, userId);
    return { replyTo, text: replyTo ? `${text}\n\n${REPLY_HINT}` : text };
  };

  return {
    openedForHelper: (ticket: TicketView, helper: { user_id: string; email: string }): EmailDraft => ({
      to: helper.email,
      subject: subject(ticket, `New ${ticket.priority} expert ticket`),
      text: `A customer asked for an expert on ${ticket.repo_full_name} (priority ${ticket.priority}).\n\n${ticket.title}\n\n${ticket.body}\n\nThe first approved helper to claim it is assigned: ${link(ticket)}`,
      dedupeKey: `ticket-opened:${ticket.id}:${helper.user_id}`,
    }),

    claimed: (ticket: TicketView, eventId: string): EmailDraft => ({
      to: ticket.requester_email,
      subject: subject(ticket, 'An expert is on it'),
      ...replyable(ticket, ticket.requester_id, `${ticket.assignee_name} took your ticket and will answer you here: ${link(ticket)}`),
      dedupeKey: `ticket-claimed:${ticket.id}:${eventId}`,
    }),

    assigned: (ticket: TicketView, eventId: string): EmailDraft => ({
      to: ticket.assignee_email!, // read back after the assignment, so it is set
      subject: subject(ticket, 'Assigned to you'),
      ...replyable(ticket, ticket.assignee_id!, `The maintainers of ${ticket.repo_full_name} assigned this ticket to you: ${link(ticket)}`),
      dedupeKey: `ticket-assigned:${ticket.id}:${eventId}`,
    }),

    message: (ticket: TicketView, message: MessageView, to: { userId: string; email: string }): EmailDraft => ({
      to: to.email,
      subject: subject(ticket, `${message.author_name} wrote`),
      ...replyable(ticket, to.userId, `${message.author_name} wrote on ${link(ticket)}:\n\n${message.body}`),
      dedupeKey: `ticket-message:${message.id}:${to.userId}`,
    }),

    resolved: (ticket: TicketView, eventId: string): EmailDraft => ({
      to: ticket.requester_email,
      subject: subject(ticket, 'Resolved'),
      ...replyable(ticket, ticket.requester_id, `Your ticket was marked resolved:\n\n${ticket.resolution_summary}\n\nIf that solved it, confirm it and rate the help; if not, reopen it: ${link(ticket)}`),
      dedupeKey: `ticket-resolved:${ticket.id}:${eventId}`,
    }),
  };
}

export type TicketEmails = ReturnType<typeof ticketEmails>;
