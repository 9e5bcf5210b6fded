import { z } from 'zod';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import { applicationBody, decisionBody, helperList, helperOut, helperStatus, invitationBody } from './helpers.schemas.ts';
import type { HelpersService } from './helpers.service.ts';

const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;
const helperParams = repoParams.extend({ userId: z.uuid() });

export function registerHelperRoutes(app: App, helpers: HelpersService) {
  app.get('/api/v1/repos/:owner/:name/helpers', {
    schema: {
      tags: ['helpers'],
      summary: 'Helpers of a repository: approved ones for everyone (if shown), every application for maintainers',
      params: repoParams,
      querystring: z.object({ status: helperStatus.optional() }),
      response: { 200: helperList, ...errorResponses },
    },
  }, async (request) => ({ items: await helpers.list(request.actor, fullNameOf(request.params), request.query.status) }));

  app.post('/api/v1/repos/:owner/:name/helpers/applications', {
    schema: { tags: ['helpers'], summary: 'Apply to help a repository', params: repoParams, body: applicationBody, response: { 201: helperOut, ...errorResponses } },
  }, async (request, reply) => reply.code(201).send(await helpers.apply(request.actor, fullNameOf(request.params), request.body)));

  app.post('/api/v1/repos/:owner/:name/helpers/invitations', {
    schema: { tags: ['helpers'], summary: 'Invite someone to help, by email (maintainers)', params: repoParams, body: invitationBody, response: { 201: helperOut, ...errorResponses } },
  }, async (request, reply) => reply.code(201).send(await helpers.invite(request.actor, fullNameOf(request.params), request.body.email, request.body.note)));

  app.post('/api/v1/repos/:owner/:name/helpers/invitations/accept', {
    schema: { tags: ['helpers'], summary: 'Accept my invitation to help', params: repoParams, response: { 200: helperOut, ...errorResponses } },
  }, async (request) => helpers.acceptInvitation(request.actor, fullNameOf(request.params)));

  for (const [action, decide] of [
    ['approve', helpers.approve],
    ['reject', helpers.reject],
    ['remove', helpers.remove],
  ] as const) {
    app.post(`/api/v1/repos/:owner/:name/helpers/:userId/${action}`, {
      schema: { tags: ['helpers'], summary: `${action[0].toUpperCase()}${action.slice(1)} a helper (maintainers)`, params: helperParams, body: decisionBody, response: { 200: helperOut, ...errorResponses } },
    }, async (request) => decide(request.actor, fullNameOf(request.params), request.params.userId, request.body?.note));
  }
}
