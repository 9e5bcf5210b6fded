import { z } from 'zod';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import {
  calendarIdParams,
  calendarOut,
  createCalendarBody,
  createPolicyBody,
  defaultPolicyBody,
  defaultPolicyOut,
  policyIdParams,
  policyOut,
  updateCalendarBody,
  updatePolicyBody,
} from './sla.schemas.ts';
import type { SlaService } from './sla.service.ts';

const tags = ['sla'];
const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;

export function registerSlaRoutes(app: App, sla: SlaService) {
  app.post('/api/v1/repos/:owner/:name/calendars', {
    schema: { tags, summary: 'Create a business-hours calendar: time zone, weekly hours, holidays (maintainers)', params: repoParams, body: createCalendarBody, response: { 201: calendarOut, ...errorResponses } },
  }, async (request, reply) => reply.code(201).send(await sla.createCalendar(request.actor, fullNameOf(request.params), request.body)));

  app.get('/api/v1/repos/:owner/:name/calendars', {
    schema: { tags, summary: "A repository's business-hours calendars", params: repoParams, response: { 200: z.object({ items: z.array(calendarOut) }), ...errorResponses } },
  }, async (request) => ({ items: await sla.listCalendars(request.actor, fullNameOf(request.params)) }));

  app.patch('/api/v1/repos/:owner/:name/calendars/:calendarId', {
    schema: {
      tags,
      summary: "Edit a calendar: name, time zone, weekly hours or holidays; tickets' due times already set stay (maintainers)",
      params: calendarIdParams,
      body: updateCalendarBody,
      response: { 200: calendarOut, ...errorResponses },
    },
  }, async (request) => sla.updateCalendar(request.actor, fullNameOf(request.params), request.params.calendarId, request.body));

  app.delete('/api/v1/repos/:owner/:name/calendars/:calendarId', {
    schema: { tags, summary: 'Delete a calendar no policy or ticket clock counts in; else 409 naming what does (maintainers)', params: calendarIdParams, response: { 204: z.null(), ...errorResponses } },
  }, async (request, reply) => {
    await sla.deleteCalendar(request.actor, fullNameOf(request.params), request.params.calendarId);
    return reply.code(204).send(null);
  });

  app.post('/api/v1/repos/:owner/:name/sla-policies', {
    schema: {
      tags,
      summary: 'Create an SLA policy: first response, next response and resolution targets per priority, in business hours or around the clock (maintainers)',
      params: repoParams,
      body: createPolicyBody,
      response: { 201: policyOut, ...errorResponses },
    },
  }, async (request, reply) => reply.code(201).send(await sla.createPolicy(request.actor, fullNameOf(request.params), request.body)));

  app.get('/api/v1/repos/:owner/:name/sla-policies', {
    schema: { tags, summary: "A repository's SLA policies", params: repoParams, response: { 200: z.object({ items: z.array(policyOut) }), ...errorResponses } },
  }, async (request) => ({ items: await sla.listPolicies(request.actor, fullNameOf(request.params)) }));

  app.patch('/api/v1/repos/:owner/:name/sla-policies/:policyId', {
    schema: {
      tags,
      summary: 'Edit an SLA policy: name, calendar or targets, for tickets opened from now on (maintainers)',
      params: policyIdParams,
      body: updatePolicyBody,
      response: { 200: policyOut, ...errorResponses },
    },
  }, async (request) => sla.updatePolicy(request.actor, fullNameOf(request.params), request.params.policyId, request.body));

  app.delete('/api/v1/repos/:owner/:name/sla-policies/:policyId', {
    schema: {
      tags,
      summary: 'Delete an SLA policy that is not the default and no plan or ticket clock uses; else 409 naming what does (maintainers)',
      params: policyIdParams,
      response: { 204: z.null(), ...errorResponses },
    },
  }, async (request, reply) => {
    await sla.deletePolicy(request.actor, fullNameOf(request.params), request.params.policyId);
    return reply.code(204).send(null);
  });

  app.put('/api/v1/repos/:owner/:name/sla-policies/default', {
    schema: {
      tags,
      summary: 'Choose the SLA policy for expert tickets opened from now on, or null for none (maintainers)',
      params: repoParams,
      body: defaultPolicyBody,
      response: { 200: defaultPolicyOut, ...errorResponses },
    },
  }, async (request) => sla.setDefaultPolicy(request.actor, fullNameOf(request.params), request.body.policyId));
}
