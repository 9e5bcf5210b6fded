import { publicUrl, type Config } from '../../config.ts';
import type { EmailDraft } from '../mail/mail.service.ts';
import type { TicketView } from './tickets.repository.ts';

/**
 * The emails a ticket sends. Each dedupe key names the cause (the ticket and helper, or the event),
 * so a retried job or a repeated request queues the email once.
 */
export function ticketEmails(config: Config) {
  const link = (ticket: TicketView) => `${publicUrl(config)}/tickets/${ticket.id}`;
  const subject = (ticket: TicketView, what: string) => `[${ticket.repo_full_name}] ${what}: ${ticket.title}`;

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
      text: `${ticket.assignee_name} took your ticket and will answer you here: ${link(ticket)}`,
      dedupeKey: `ticket-claimed:${ticket.id}:${eventId}`,
    }),

    assigned: (ticket: TicketView, eventId: string): EmailDraft => ({
      to: ticket.assignee_email!, // read back after the assignment, so it is set
      subject: subject(ticket, 'Assigned to you'),
      text: `The maintainers of ${ticket.repo_full_name} assigned this ticket to you: ${link(ticket)}`,
      dedupeKey: `ticket-assigned:${ticket.id}:${eventId}`,
    }),

    resolved: (ticket: TicketView, eventId: string): EmailDraft => ({
      to: ticket.requester_email,
      subject: subject(ticket, 'Resolved'),
      text: `Your ticket was marked resolved:\n\n${ticket.resolution_summary}\n\nIf that solved it, confirm it and rate the help; if not, reopen it: ${link(ticket)}`,
      dedupeKey: `ticket-resolved:${ticket.id}:${eventId}`,
    }),
  };
}

export type TicketEmails = ReturnType<typeof ticketEmails>;
