import { z } from 'zod';
import { emailSchema } from '../auth/auth.service.ts';
import type { App } from '../../http/types.ts';
import type { OrgsService } from '../orgs/orgs.service.ts';
import {
  demandListOut,
  onboardingBody,
  onboardingOut,
  registerRepoBody,
  repoErrors,
  repoOut,
  repoPage,
  repoParams,
  searchQuery,
  updateRepoBody,
} from './repos.schemas.ts';
import type { ReposService } from './repos.service.ts';

const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;
const maintainersOut = z.object({
  items: z.array(z.object({ userId: z.uuid(), displayName: z.string(), githubLogin: z.string().nullable(), role: z.enum(['owner', 'maintainer']) })),
});
const presentMaintainers = (rows: { id: string; display_name: string; github_login: string | null; role: 'owner' | 'maintainer' }[]) => ({
  items: rows.map((row) => ({ userId: row.id, displayName: row.display_name, githubLogin: row.github_login, role: row.role })),
});

export function registerRepoRoutes(app: App, repos: ReposService, orgs: OrgsService) {
  app.post('/api/v1/repos', {
    schema: {
      tags: ['repositories'],
      summary: 'Register (claim) a repository; verified through GitHub when configured, otherwise by an operator',
      body: registerRepoBody,
      response: { 201: repoOut, ...repoErrors },
    },
  }, async (request, reply) => reply.code(201).send(await repos.register(request.actor, request.body)));

  app.get('/api/v1/repos', {
    schema: {
      tags: ['repositories'],
      summary: 'Search the public directory (typo-tolerant), filter by topic, language and offering',
      querystring: searchQuery,
      response: { 200: repoPage, ...repoErrors },
    },
  }, async (request) => repos.search(request.query));

  app.get('/api/v1/repos/:owner/:name', {
    schema: { tags: ['repositories'], summary: 'A repository', params: repoParams, response: { 200: repoOut, ...repoErrors } },
  }, async (request) => repos.get(request.actor, fullNameOf(request.params)));

  app.patch('/api/v1/repos/:owner/:name', {
    schema: {
      tags: ['repositories'],
      summary: 'Change a repository: offerings, currency, commission, description (maintainers)',
      params: repoParams,
      body: updateRepoBody,
      response: { 200: repoOut, ...repoErrors },
    },
  }, async (request) => repos.update(request.actor, fullNameOf(request.params), request.body));

  app.get('/api/v1/repos/:owner/:name/maintainers', {
    schema: { tags: ['repositories'], summary: 'Maintainers of a repository (maintainers)', params: repoParams, response: { 200: maintainersOut, ...repoErrors } },
  }, async (request) => presentMaintainers(await repos.maintainers(request.actor, fullNameOf(request.params))));

  app.post('/api/v1/repos/:owner/:name/maintainers', {
    schema: {
      tags: ['repositories'],
      summary: 'Add a maintainer or change their role (owners)',
      params: repoParams,
      body: z.object({ email: emailSchema, role: z.enum(['owner', 'maintainer']).default('maintainer') }),
      response: { 200: maintainersOut, ...repoErrors },
    },
  }, async (request) => presentMaintainers(await repos.addMaintainer(request.actor, fullNameOf(request.params), request.body.email, request.body.role)));

  app.post('/api/v1/admin/repos/:owner/:name/verify', {
    schema: {
      tags: ['operator'],
      summary: 'Approve (or reject) a repository claim (operators)',
      params: repoParams,
      body: z.object({ decision: z.enum(['verified', 'rejected']).default('verified') }).optional(),
      response: { 200: repoOut, ...repoErrors },
    },
  }, async (request) => repos.verify(request.actor, fullNameOf(request.params), request.body?.decision ?? 'verified'));

  app.get('/api/v1/admin/repo-claims', {
    schema: { tags: ['operator'], summary: 'Repository claims waiting for approval (operators)', response: { 200: z.object({ items: z.array(repoOut) }), ...repoErrors } },
  }, async (request) => ({ items: await repos.listClaims(request.actor) }));

  app.post('/api/v1/onboarding-requests', {
    schema: {
      tags: ['repositories'],
      summary: 'Ask for a repository that is not listed yet; the demand is counted and shown to whoever claims it',
      body: onboardingBody,
      response: { 201: onboardingOut, ...repoErrors },
    },
  }, async (request, reply) => {
    const orgId = request.body.org ? (await orgs.requireMember(request.actor, request.body.org)).org.id : null;
    return reply.code(201).send(await repos.requestOnboarding(request.actor, { fullName: request.body.fullName, note: request.body.note, orgId }));
  });

  app.get('/api/v1/onboarding-requests', {
    schema: { tags: ['operator'], summary: 'Demand for repositories not listed yet, most asked first (operators)', response: { 200: demandListOut, ...repoErrors } },
  }, async (request) => ({ items: await repos.demandList(request.actor) }));
}
