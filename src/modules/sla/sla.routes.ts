import { z } from 'zod';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import { calendarOut, createCalendarBody, createPolicyBody, defaultPolicyBody, defaultPolicyOut, policyOut } from './sla.schemas.ts';
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
