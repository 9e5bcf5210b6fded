import { publicUrl, type Config } from '../../config.ts';
import type { EmailDraft } from '../mail/mail.service.ts';
import { REPLY_HINT, replyAddress } from '../mail/reply-address.ts';
import type { TicketView } from '../tickets/tickets.service.ts';
import type { PaymentRow } from './payments.repository.ts';
import type { QuoteRow } from './quotes.repository.ts';

/** Minor units as a person reads them: formatMoney(9999, 'EUR') is "€99.99", formatMoney(2500, 'JPY') "¥2,500". */
export function formatMoney(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  // Integer arithmetic until the last step, so 0.1 + 0.2 never shows up on a price.
  const units = Math.abs(amount);
  const major = Math.trunc(units / 10 ** digits);
  const minor = units % 10 ** digits;
  return format.format(Number(`${amount < 0 ? '-' : ''}${major}.${String(minor).padStart(digits, '0')}`));
}

/** Emails about money; dedupe keys name the cause, so a retry queues each one once. */
export function quoteEmail(config: Config, ticket: TicketView, quote: QuoteRow): EmailDraft {
  const replyTo = replyAddress(config, ticket.id, ticket.requester_id);
  return {
    replyTo,
    to: ticket.requester_email,
    subject: `[${ticket.repo_full_name}] A quote for: ${ticket.title}`,
    text:
      `${ticket.assignee_name ?? 'Your helper'} quotes ${formatMoney(quote.amount, quote.currency)} (about ${quote.estimated_minutes} minutes of work):\n\n` +
      `${quote.description}\n\nThe offer stands until ${quote.expires_at.toISOString()}. Accept or decline it on the ticket: ${publicUrl(config)}/tickets/${ticket.id}\n` +
      'Your money is held until you confirm the work is done.' +
      (replyTo ? `\n\nQuestions about the quote? ${REPLY_HINT}` : ''),
    dedupeKey: `quote-sent:${quote.id}`,
  };
}

export function heldEmail(config: Config, ticket: TicketView, payment: PaymentRow): EmailDraft | null {
  if (!ticket.assignee_email || !ticket.assignee_id) return null;
  const replyTo = replyAddress(config, ticket.id, ticket.assignee_id);
  return {
    replyTo,
    to: ticket.assignee_email,
    subject: `[${ticket.repo_full_name}] Paid and held for you: ${ticket.title}`,
    text:
      `The customer paid ${formatMoney(payment.amount, payment.currency)} (${payment.description}). The money is held until they confirm the work, ` +
      `or automatically ${config.ESCROW_GRACE_DAYS} days after you resolve the ticket unless they dispute it: ${publicUrl(config)}/tickets/${ticket.id}` +
      (replyTo ? `\n\n${REPLY_HINT}` : ''),
    dedupeKey: `payment-held:${payment.id}`,
  };
}
