import { z } from 'zod';
import { errorResponses, isoDate, pageQuery } from '../../http/schemas.ts';
import { versionSchema, versionSupportOut } from '../releases/releases.ticket-view.ts';
import { fullNameSchema } from '../repos/repos.schemas.ts';
import { ticketSlaOut } from '../sla/sla.ticket-view.ts';

export const TRACKS = ['ai', 'community', 'expert'] as const;
/** Most urgent first: the order of the helper queue. */
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const CHANNELS = ['web', 'api', 'discord', 'slack', 'github', 'email'] as const;
export const STATUSES = ['open', 'claimed', 'in_progress', 'waiting_on_customer', 'resolved', 'closed', 'cancelled'] as const;

export const TITLE_MAX = 200;
export const BODY_MAX = 20_000;

const markdown = (max: number) => z.string().trim().min(1, 'must not be empty').max(max).describe(`Markdown, at most ${max} characters; raw HTML is shown as text`);

export const createTicketBody = z.object({
  repo: fullNameSchema.describe('The repository, "owner/name"'),
  title: z.string().trim().min(1, 'must not be empty').max(TITLE_MAX),
  body: markdown(BODY_MAX),
  track: z.enum(TRACKS).describe('ai: an answer from the docs; community: free, anyone may answer; expert: a paid, approved helper'),
  priority: z.enum(PRIORITIES).default('normal'),
  channel: z.enum(CHANNELS).default('api').describe('Where the ticket was opened'),
  org: z.string().trim().toLowerCase().max(60).optional().describe('Slug of an organization you are a member of, to open the ticket on its behalf'),
  offeringId: z.uuid().optional().describe("An active offering of the repository: what the customer wants to buy (a fixed price, a session, or a quote)"),
  version: versionSchema.optional(),
});

export const listTicketsQuery = z.object({
  repo: fullNameSchema.optional(),
  status: z.enum(STATUSES).optional(),
  track: z.enum(TRACKS).optional(),
  ...pageQuery,
});

export const pageOnlyQuery = z.object(pageQuery);

export const queueQuery = z.object({
  repo: fullNameSchema.optional().describe('Only the tickets of this repository, "owner/name"'),
  ...pageQuery,
});

export const messageBody = z.object({
  body: markdown(BODY_MAX),
  internal: z.boolean().default(false).describe('An internal note: seen by maintainers, approved helpers and operators, never by the customer'),
  channel: z.enum(CHANNELS).default('api'),
});

export const statusBody = z.object({ status: z.enum(['in_progress', 'waiting_on_customer']) });
export const resolveBody = z.object({ summary: z.string().trim().min(1, 'say in a sentence what solved it').max(5000) });
export const assignBody = z.object({ userId: z.uuid().describe('An approved helper of the repository') });
export const reasonBody = z.object({ reason: z.string().trim().max(2000).optional() }).optional();
export const ratingBody = z.object({
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(2000).default(''),
});

const person = z.object({ id: z.uuid(), displayName: z.string() });

export const ticketOut = z
  .object({
    id: z.uuid(),
    repo: z.string().describe('The repository, "owner/name"'),
    title: z.string(),
    body: z.string(),
    bodyHtml: z.string(),
    track: z.enum(TRACKS),
    priority: z.enum(PRIORITIES),
    channel: z.enum(CHANNELS),
    status: z.enum(STATUSES),
    requester: person,
    org: z.string().nullable().describe('Slug of the organization the ticket was opened for'),
    offeringId: z.uuid().nullable().describe('The offering chosen when the ticket was opened'),
    version: z.string().nullable().describe('The version of the software the ticket is about'),
    versionSupport: versionSupportOut.nullable().describe("How that major version stood in the repository's release windows when the ticket was opened"),
    sla: ticketSlaOut.nullable().describe('The SLA clock, when a policy applies to the ticket'),
    assignee: person.nullable(),
    claimedAt: isoDate.nullable(),
    firstResponseAt: isoDate.nullable(),
    resolvedAt: isoDate.nullable(),
    resolutionSummary: z.string().nullable(),
    confirmedAt: isoDate.nullable(),
    closedAt: isoDate.nullable(),
    cancelledAt: isoDate.nullable(),
    rating: z.object({ score: z.number().int(), comment: z.string(), ratedAt: isoDate }).nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'Ticket' });

export const ticketPage = z.object({ items: z.array(ticketOut), nextCursor: z.string().nullable() });

export const messageOut = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    author: person,
    body: z.string(),
    bodyHtml: z.string(),
    internal: z.boolean(),
    channel: z.string(),
    createdAt: isoDate,
  })
  .meta({ id: 'TicketMessage' });

export const messagePage = z.object({ items: z.array(messageOut), nextCursor: z.string().nullable() });

export const eventOut = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    type: z.string().describe('created, claimed, assigned, released, status_changed, message_added, note_added, resolved, confirmed, reopened, cancelled, rated'),
    actor: person.nullable(),
    data: z.record(z.string(), z.unknown()),
    createdAt: isoDate,
  })
  .meta({ id: 'TicketEvent' });

export const eventPage = z.object({ items: z.array(eventOut), nextCursor: z.string().nullable() });

export const ticketErrors = errorResponses;
export type CreateTicketInput = z.output<typeof createTicketBody>;
export type ListTicketsInput = z.output<typeof listTicketsQuery>;
export type MessageInput = z.output<typeof messageBody>;
export type PageInput = z.output<typeof pageOnlyQuery>;
export type QueueInput = z.output<typeof queueQuery>;
export type RatingInput = z.output<typeof ratingBody>;
