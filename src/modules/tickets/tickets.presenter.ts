import { toIso } from '../../http/schemas.ts';
import { versionSupportOf } from '../releases/releases.ticket-view.ts';
import { presentTicketSla } from '../sla/sla.ticket-view.ts';
import type { EventView, ListNames, MessageView, TicketRowView } from './tickets.repository.ts';

/** A ticket with the names shown beside it: a single ticket's read carries them (pass it twice), a list's rows get them from the caches. */
export function presentTicket(row: TicketRowView, names: ListNames) {
  const createdAt = row.created_at.toISOString();
  return {
    id: row.id,
    repo: names.repo_full_name,
    title: row.title,
    body: row.body,
    bodyHtml: row.body_html,
    track: row.track,
    priority: row.priority,
    channel: row.channel,
    status: row.status,
    requester: { id: row.requester_id, displayName: names.requester_name },
    org: names.org_slug,
    offeringId: row.offering_id,
    version: row.version,
    versionSupport: versionSupportOf(row.version_major, row.release_windows ?? [], createdAt.slice(0, 10)),
    sla: presentTicketSla(row),
    assignee: row.assignee_id && names.assignee_name !== null ? { id: row.assignee_id, displayName: names.assignee_name } : null,
    claimedAt: toIso(row.claimed_at),
    firstResponseAt: toIso(row.first_response_at),
    resolvedAt: toIso(row.resolved_at),
    resolutionSummary: row.resolution_summary,
    confirmedAt: toIso(row.confirmed_at),
    closedAt: toIso(row.closed_at),
    cancelledAt: toIso(row.cancelled_at),
    rating:
      row.rating_score !== null && row.rated_at !== null
        ? { score: row.rating_score, comment: row.rating_comment ?? '', ratedAt: row.rated_at.toISOString() }
        : null,
    createdAt,
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentMessage(row: MessageView) {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    author: { id: row.author_id, displayName: row.author_name },
    body: row.body,
    bodyHtml: row.body_html,
    internal: row.internal,
    channel: row.channel,
    createdAt: row.created_at.toISOString(),
  };
}

export function presentEvent(row: EventView) {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    type: row.type,
    actor: row.actor_id && row.actor_name !== null ? { id: row.actor_id, displayName: row.actor_name } : null,
    data: (row.data ?? {}) as Record<string, unknown>,
    createdAt: row.created_at.toISOString(),
  };
}
