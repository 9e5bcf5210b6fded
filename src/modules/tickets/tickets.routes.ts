import { idParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import {
  assignBody,
  createTicketBody,
  eventPage,
  listTicketsQuery,
  messageBody,
  messageOut,
  messagePage,
  pageOnlyQuery,
  queueQuery,
  ratingBody,
  reasonBody,
  resolveBody,
  statusBody,
  ticketErrors,
  ticketOut,
  ticketPage,
} from './tickets.schemas.ts';
import type { TicketsService } from './tickets.service.ts';

const tags = ['tickets'];
const moved = { 200: ticketOut, ...ticketErrors };

export function registerTicketRoutes(app: App, tickets: TicketsService) {
  app.post('/api/v1/tickets', {
    schema: {
      tags,
      summary: 'Open a ticket on a repository, on the AI, community or expert track; approved helpers are notified of expert tickets',
      body: createTicketBody,
      response: { 201: ticketOut, ...ticketErrors },
    },
  }, async (request, reply) => reply.code(201).send(await tickets.create(request.actor, request.body)));

  app.get('/api/v1/tickets', {
    schema: { tags, summary: 'Tickets you can see, newest first', querystring: listTicketsQuery, response: { 200: ticketPage, ...ticketErrors } },
  }, async (request) => tickets.list(request.actor, request.query));

  app.get('/api/v1/tickets/:id', {
    schema: { tags, summary: 'A ticket', params: idParams, response: moved },
  }, async (request) => tickets.get(request.actor, request.params.id));

  app.post('/api/v1/tickets/:id/messages', {
    schema: {
      tags,
      summary: 'Reply on a ticket, or add an internal note for the repository team (a customer reply moves a waiting ticket back in progress)',
      params: idParams,
      body: messageBody,
      response: { 201: messageOut, ...ticketErrors },
    },
  }, async (request, reply) => reply.code(201).send(await tickets.postMessage(request.actor, request.params.id, request.body)));

  app.get('/api/v1/tickets/:id/messages', {
    schema: { tags, summary: 'The conversation, oldest first (internal notes only for the repository team)', params: idParams, querystring: pageOnlyQuery, response: { 200: messagePage, ...ticketErrors } },
  }, async (request) => tickets.messages(request.actor, request.params.id, request.query));

  app.get('/api/v1/tickets/:id/events', {
    schema: { tags, summary: 'Everything that happened to the ticket, oldest first', params: idParams, querystring: pageOnlyQuery, response: { 200: eventPage, ...ticketErrors } },
  }, async (request) => tickets.events(request.actor, request.params.id, request.query));

  app.post('/api/v1/tickets/:id/claim', {
    schema: { tags, summary: 'Claim an open expert ticket (approved helpers); the first claim wins, later ones get 409', params: idParams, response: moved },
  }, async (request) => tickets.claim(request.actor, request.params.id));

  app.post('/api/v1/tickets/:id/release', {
    schema: { tags, summary: 'Give a claimed ticket back to the queue (the assignee or a maintainer)', params: idParams, response: moved },
  }, async (request) => tickets.release(request.actor, request.params.id));

  app.post('/api/v1/tickets/:id/assign', {
    schema: { tags, summary: 'Assign an expert ticket to an approved helper (maintainers)', params: idParams, body: assignBody, response: moved },
  }, async (request) => tickets.assign(request.actor, request.params.id, request.body.userId));

  app.post('/api/v1/tickets/:id/status', {
    schema: { tags, summary: 'Set the working status: in_progress or waiting_on_customer (the assignee)', params: idParams, body: statusBody, response: moved },
  }, async (request) => tickets.setStatus(request.actor, request.params.id, request.body.status));

  app.post('/api/v1/tickets/:id/resolve', {
    schema: { tags, summary: 'Mark resolved with a summary (the assignee or a maintainer; the requester too on community and AI tickets)', params: idParams, body: resolveBody, response: moved },
  }, async (request) => tickets.resolve(request.actor, request.params.id, request.body.summary));

  app.post('/api/v1/tickets/:id/confirm', {
    schema: { tags, summary: 'Confirm the resolution, which closes the ticket (the requester or an admin of its organization)', params: idParams, response: moved },
  }, async (request) => tickets.confirm(request.actor, request.params.id));

  app.post('/api/v1/tickets/:id/reopen', {
    schema: { tags, summary: 'Reopen a resolved or closed ticket (the requester or an admin of its organization)', params: idParams, body: reasonBody, response: moved },
  }, async (request) => tickets.reopen(request.actor, request.params.id, request.body?.reason));

  app.post('/api/v1/tickets/:id/cancel', {
    schema: { tags, summary: 'Withdraw a ticket that is not resolved yet (the requester or an admin of its organization)', params: idParams, body: reasonBody, response: moved },
  }, async (request) => tickets.cancel(request.actor, request.params.id, request.body?.reason));

  app.post('/api/v1/tickets/:id/rating', {
    schema: { tags, summary: 'Rate the help once, after it is resolved (the requester or an admin of its organization)', params: idParams, body: ratingBody, response: moved },
  }, async (request) => tickets.rate(request.actor, request.params.id, request.body));

  app.get('/api/v1/helpers/me/queue', {
    schema: {
      tags: ['tickets', 'helpers'],
      summary: 'My queue across every repository I help (or one of them, with repo): open expert tickets and tickets assigned to me, soonest SLA due first, then urgent first, then oldest first',
      querystring: queueQuery,
      response: { 200: ticketPage, ...ticketErrors },
    },
  }, async (request) => tickets.queue(request.actor, request.query));
}
