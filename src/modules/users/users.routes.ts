import { z } from 'zod';
import { errorResponses, isoDate, timeZone } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import type { UsersService } from './users.service.ts';

const meOut = z
  .object({
    id: z.uuid(),
    email: z.string(),
    displayName: z.string(),
    githubLogin: z.string().nullable(),
    timeZone: z.string(),
    isOperator: z.boolean(),
    createdAt: isoDate,
    orgs: z.array(z.object({ slug: z.string(), name: z.string(), role: z.enum(['admin', 'member']) })),
    maintains: z.array(z.object({ repo: z.string(), role: z.enum(['owner', 'maintainer']) })),
    helps: z.array(z.object({ repo: z.string(), status: z.enum(['applied', 'invited', 'approved', 'rejected', 'removed']) })),
  })
  .meta({ id: 'Me' });

function present({ user, orgs, maintains, helps }: Awaited<ReturnType<UsersService['me']>>) {
  return {
    id: user.id,
    email: user.email,
    displayName: user.display_name,
    githubLogin: user.github_login,
    timeZone: user.time_zone,
    isOperator: user.is_operator,
    createdAt: user.created_at.toISOString(),
    orgs,
    maintains: maintains.map((row) => ({ repo: row.full_name, role: row.role })),
    helps: helps.map((row) => ({ repo: row.full_name, status: row.status })),
  };
}

export function registerUserRoutes(app: App, users: UsersService) {
  app.get('/api/v1/me', {
    schema: { tags: ['me'], summary: 'The signed-in user, with organizations, maintained and helped repositories', response: { 200: meOut, ...errorResponses } },
  }, async (request) => present(await users.me(request.actor)));

  app.patch('/api/v1/me', {
    schema: {
      tags: ['me'],
      summary: 'Change my display name or time zone (the GitHub login comes from GitHub sign-in, never typed in)',
      body: z
        .object({
          displayName: z.string().trim().min(1).max(100),
          timeZone,
        })
        .partial()
        .strict(),
      response: { 200: meOut, ...errorResponses },
    },
  }, async (request) => present(await users.updateProfile(request.actor, request.body)));
}
