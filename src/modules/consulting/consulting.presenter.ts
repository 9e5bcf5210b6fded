import type { QuoteRow, RequestRow, ServiceRow } from './consulting.repository.ts';

export function presentService(row: ServiceRow, repoFullName: string) {
  return {
    id: row.id,
    repo: repoFullName,
    name: row.name,
    description: row.description,
    rates: row.rates,
    typicalHours: row.typical_hours,
    active: row.active,
    createdAt: row.created_at.toISOString(),
  };
}

/** A pending quote past its expiry is shown as expired: nothing has to run to expire it. */
export function presentQuote(row: QuoteRow, now: Date) {
  const expired = row.status === 'pending' && row.expires_at.getTime() <= now.getTime();
  return {
    id: row.id,
    requestId: row.request_id,
    helperId: row.helper_id,
    hours: row.hours,
    amount: row.amount,
    currency: row.currency,
    note: row.note,
    proposedStarts: row.proposed_starts.map((start) => start.toISOString()),
    status: expired ? ('expired' as const) : row.status,
    expiresAt: row.expires_at.toISOString(),
    paymentMethod: row.payment_method,
    paymentId: row.payment_id,
    bookingId: row.booking_id,
    createdAt: row.created_at.toISOString(),
  };
}

export function presentRequest(row: RequestRow, names: { full_name: string; service_name: string; org_slug: string | null }, quotes: QuoteRow[], now: Date) {
  return {
    id: row.id,
    repo: names.full_name,
    service: { id: row.service_id, name: names.service_name },
    ticketId: row.ticket_id,
    org: names.org_slug,
    context: row.context,
    status: row.status,
    quotes: quotes.map((quote) => presentQuote(quote, now)),
    createdAt: row.created_at.toISOString(),
  };
}
