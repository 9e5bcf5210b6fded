import { publicUrl, type Config } from '../../config.ts';
import type { EmailDraft } from '../mail/mail.service.ts';
import type { TargetKind } from './sla.ticket-view.ts';

type Ticket = { id: string; title: string; priority: string; repo_full_name: string };
export type Recipient = { userId: string; email: string };

const WORDS: Record<TargetKind, string> = { firstResponse: 'first response', nextResponse: 'next response', resolution: 'resolution' };

/**
 * SLA warnings and escalations. Each dedupe key names the ticket, the target, its due time and the
 * recipient: a retried or repeated job queues each email once, and a target that moved warns anew.
 */
export function slaEmails(config: Config) {
  const link = (ticket: Ticket) => `${publicUrl(config)}/tickets/${ticket.id}`;
  const key = (what: string, ticket: Ticket, target: TargetKind, dueAt: Date, to: Recipient) => `sla-${what}:${ticket.id}:${target}:${dueAt.getTime()}:${to.userId}`;

  return {
    warning: (ticket: Ticket, target: TargetKind, dueAt: Date, targetMinutes: number, to: Recipient): EmailDraft => ({
      to: to.email,
      subject: `[${ticket.repo_full_name}] SLA warning, ${WORDS[target]} due soon: ${ticket.title}`,
      text: `80% of the ${WORDS[target]} target (${targetMinutes} minutes) is used on this ${ticket.priority} ticket. It is due at ${dueAt.toISOString()}.\n\n${link(ticket)}`,
      dedupeKey: key('warning', ticket, target, dueAt, to),
    }),

    breachForTeam: (ticket: Ticket, target: TargetKind, dueAt: Date, to: Recipient): EmailDraft => ({
      to: to.email,
      subject: `[${ticket.repo_full_name}] SLA breached, ${WORDS[target]}: ${ticket.title}`,
      text: `The ${WORDS[target]} target of this ${ticket.priority} ticket passed at ${dueAt.toISOString()} without an answer. Every approved helper and maintainer is told: please take it now.\n\n${link(ticket)}`,
      dedupeKey: key('breach', ticket, target, dueAt, to),
    }),

    breachForCustomer: (ticket: Ticket, target: TargetKind, dueAt: Date, to: Recipient): EmailDraft => ({
      to: to.email,
      subject: `[${ticket.repo_full_name}] We missed the ${WORDS[target]} target on your ticket: ${ticket.title}`,
      text: `The ${WORDS[target]} target on your ticket passed at ${dueAt.toISOString()}. The maintainers and every helper of ${ticket.repo_full_name} have been alerted.\n\n${link(ticket)}`,
      dedupeKey: key('breach', ticket, target, dueAt, to),
    }),
  };
}
