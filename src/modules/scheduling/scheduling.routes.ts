import { z } from 'zod';
import { errorResponses, idParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import {
  availabilityBody,
  availabilityOut,
  bookingBody,
  bookingListOut,
  bookingOut,
  bookingsQuery,
  bookingPolicyBody,
  bookingPolicyOut,
  cancelBody,
  rescheduleBody,
  slotsOut,
  slotsQuery,
} from './scheduling.schemas.ts';
import type { SchedulingService } from './scheduling.service.ts';

const tags = ['scheduling'];
const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;
const booking = { 200: bookingOut, ...errorResponses };

export function registerSchedulingRoutes(app: App, scheduling: SchedulingService) {
  app.get('/api/v1/helpers/me/availability', {
    schema: { tags, summary: 'My weekly availability, exceptions, buffer and cancellation notice', response: { 200: availabilityOut, ...errorResponses } },
  }, async (request) => scheduling.getAvailability(request.actor));

  app.put('/api/v1/helpers/me/availability', {
    schema: { tags, summary: 'Publish my availability in my own time zone (approved helpers)', body: availabilityBody, response: { 200: availabilityOut, ...errorResponses } },
  }, async (request) => scheduling.putAvailability(request.actor, request.body));

  app.get('/api/v1/helpers/:id/slots', {
    schema: {
      tags,
      summary: "Free slots of a helper for a session of the given length, in the customer's time zone and in UTC (at most 31 days at once)",
      params: idParams,
      querystring: slotsQuery,
      response: { 200: slotsOut, ...errorResponses },
    },
  }, async (request) => scheduling.slots(request.actor, request.params.id, request.query));

  app.post('/api/v1/bookings', {
    schema: { tags, summary: 'Book a free slot of a helper; a slot taken meanwhile gives 409 slot_taken', body: bookingBody, response: { 201: bookingOut, ...errorResponses } },
  }, async (request, reply) => reply.code(201).send(await scheduling.book(request.actor, request.body)));

  app.get('/api/v1/bookings', {
    schema: {
      tags,
      summary: "The sessions booked about a ticket, soonest first: all of them for its customer, assignee and maintainers, a helper's own for another helper; 404 for anyone else",
      querystring: bookingsQuery,
      response: { 200: bookingListOut, ...errorResponses },
    },
  }, async (request) => scheduling.listForTicket(request.actor, request.query.ticket));

  app.get('/api/v1/bookings/:id', {
    schema: { tags, summary: 'A booking (its helper and customer)', params: idParams, response: booking },
  }, async (request) => scheduling.get(request.actor, request.params.id));

  app.get('/api/v1/bookings/:id.ics', {
    schema: { tags, summary: 'The calendar invitation (iCalendar), in your time zone', params: idParams, response: { 200: z.string(), ...errorResponses } },
  }, async (request, reply) =>
    reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', `attachment; filename="booking-${request.params.id}.ics"`)
      .send(await scheduling.invite(request.actor, request.params.id)));

  app.post('/api/v1/bookings/:id/cancel', {
    schema: { tags, summary: 'Cancel a booking; within the notice period it is recorded as a late cancellation', params: idParams, body: cancelBody, response: booking },
  }, async (request) => scheduling.cancel(request.actor, request.params.id, request.body?.reason));

  app.post('/api/v1/bookings/:id/reschedule', {
    schema: { tags, summary: 'Move a booking to another free slot, until the notice period', params: idParams, body: rescheduleBody, response: booking },
  }, async (request) => scheduling.reschedule(request.actor, request.params.id, request.body));

  app.post('/api/v1/bookings/:id/start', {
    schema: { tags, summary: 'Start metering the session (from 15 minutes before its booked time)', params: idParams, response: booking },
  }, async (request) => scheduling.startSession(request.actor, request.params.id));

  app.post('/api/v1/bookings/:id/stop', {
    schema: { tags, summary: 'Stop metering: the minutes metered are the time since start, rounded up', params: idParams, response: booking },
  }, async (request) => scheduling.stopSession(request.actor, request.params.id));

  app.get('/api/v1/repos/:owner/:name/booking-policy', {
    schema: { tags, summary: "Free-cancellation notice for sessions about the repository's tickets", params: repoParams, response: { 200: bookingPolicyOut, ...errorResponses } },
  }, async (request) => scheduling.getBookingPolicy(request.actor, fullNameOf(request.params)));

  app.put('/api/v1/repos/:owner/:name/booking-policy', {
    schema: { tags, summary: 'Set the free-cancellation notice in hours (maintainers); a helper may set their own', params: repoParams, body: bookingPolicyBody, response: { 200: bookingPolicyOut, ...errorResponses } },
  }, async (request) => scheduling.setBookingPolicy(request.actor, fullNameOf(request.params), request.body.cancelNoticeHours));
}
