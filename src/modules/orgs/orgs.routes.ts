import { z } from 'zod';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { presentOrg } from './orgs.presenter.ts';
import { createOrgBody, invitationBody, invitationOut, memberOut, orgOut, orgParams, updateOrgBody } from './orgs.schemas.ts';
import type { OrgsService } from './orgs.service.ts';

const memberParams = orgParams.extend({ userId: z.uuid() });

export function registerOrgRoutes(app: App, orgs: OrgsService) {
  app.post('/api/v1/orgs', {
    schema: { tags: ['organizations'], summary: 'Create an organization; you become its admin', body: createOrgBody, response: { 201: orgOut, ...errorResponses } },
  }, async (request, reply) => {
    const { org, role } = await orgs.create(request.actor, request.body);
    return reply.code(201).send(presentOrg(org, role));
  });

  app.get('/api/v1/orgs', {
    schema: { tags: ['organizations'], summary: 'Organizations I belong to', response: { 200: z.object({ items: z.array(orgOut) }), ...errorResponses } },
  }, async (request) => ({ items: (await orgs.mine(request.actor)).map((row) => presentOrg(row, row.role)) }));

  app.get('/api/v1/orgs/:slug', {
    schema: { tags: ['organizations'], summary: 'An organization (members)', params: orgParams, response: { 200: orgOut, ...errorResponses } },
  }, async (request) => {
    const { org, role } = await orgs.requireMember(request.actor, request.params.slug);
    return presentOrg(org, role);
  });

  app.patch('/api/v1/orgs/:slug', {
    schema: { tags: ['organizations'], summary: 'Change name and billing details (admins)', params: orgParams, body: updateOrgBody, response: { 200: orgOut, ...errorResponses } },
  }, async (request) => {
    const { org, role } = await orgs.update(request.actor, request.params.slug, request.body);
    return presentOrg(org, role);
  });

  app.get('/api/v1/orgs/:slug/members', {
    schema: { tags: ['organizations'], summary: 'Members (members)', params: orgParams, response: { 200: z.object({ items: z.array(memberOut) }), ...errorResponses } },
  }, async (request) => ({
    items: (await orgs.members(request.actor, request.params.slug)).map((row) => ({
      userId: row.id,
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      joinedAt: row.created_at.toISOString(),
    })),
  }));

  app.patch('/api/v1/orgs/:slug/members/:userId', {
    schema: {
      tags: ['organizations'],
      summary: "Change a member's role (admins)",
      params: memberParams,
      body: z.object({ role: z.enum(['admin', 'member']) }),
      response: { 204: z.null(), ...errorResponses },
    },
  }, async (request, reply) => {
    await orgs.setMemberRole(request.actor, request.params.slug, request.params.userId, request.body.role);
    return reply.code(204).send(null);
  });

  app.delete('/api/v1/orgs/:slug/members/:userId', {
    schema: { tags: ['organizations'], summary: 'Remove a member (admins), or leave (yourself)', params: memberParams, response: { 204: z.null(), ...errorResponses } },
  }, async (request, reply) => {
    await orgs.removeMember(request.actor, request.params.slug, request.params.userId);
    return reply.code(204).send(null);
  });

  app.post('/api/v1/orgs/:slug/invitations', {
    schema: {
      tags: ['organizations'],
      summary: 'Invite someone by email (admins); the email carries the acceptance link',
      params: orgParams,
      body: invitationBody,
      response: { 201: invitationOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const { token: _secret, ...invitation } = await orgs.invite(request.actor, request.params.slug, request.body.email, request.body.role);
    return reply.code(201).send(invitation);
  });

  app.post('/api/v1/invitations/accept', {
    schema: {
      tags: ['organizations'],
      summary: 'Accept an invitation (signed in with the invited email)',
      body: z.object({ token: z.string().min(10).max(200) }),
      response: { 200: z.object({ org: z.string() }), ...errorResponses },
    },
  }, async (request) => ({ org: await orgs.acceptInvitation(request.actor, request.body.token) }));
}
