import { issueApiToken } from '../../src/modules/auth/auth.service.ts';
import { findOrCreateUser } from '../../src/modules/users/users.repository.ts';
import type { TestContext } from './app.ts';
import { client, type Client } from './http.ts';

export type TestUser = { id: string; email: string; token: string; api: Client };

let sequence = 0;
const unique = () => `${Date.now().toString(36)}${(++sequence).toString(36)}`;

export async function createUser(ctx: TestContext, options: { email?: string; operator?: boolean; githubLogin?: string; name?: string } = {}): Promise<TestUser> {
  const email = options.email ?? `user-${unique()}@example.com`;
  const user = await findOrCreateUser(ctx.db, ctx.clock.now(), { email, displayName: options.name, isOperator: options.operator, githubLogin: options.githubLogin ?? null });
  const { token } = await issueApiToken(ctx.deps, user.id, 'test');
  return { id: user.id, email, token, api: client(ctx, token) };
}

/** A verified repository owned by `maintainer` (created if not given), with the given offerings. */
export async function createRepo(
  ctx: TestContext,
  options: { maintainer?: TestUser; fullName?: string; expert?: boolean; description?: string; topics?: string[]; language?: string } = {},
) {
  const maintainer = options.maintainer ?? (await createUser(ctx));
  const fullName = options.fullName ?? `acme-${unique()}/widget`;
  const created = await maintainer.api.post('/api/v1/repos', {
    fullName,
    description: options.description ?? 'A widget library',
    topics: options.topics ?? ['widgets'],
    language: options.language ?? 'TypeScript',
  });
  if (created.status !== 201) throw new Error(`createRepo: ${created.status} ${JSON.stringify(created.body)}`);
  await ctx.db.updateTable('repos').set({ status: 'verified', verification_method: 'operator', verified_at: ctx.clock.now(), offers_expert: options.expert ?? true }).where('id', '=', created.body.id).execute();
  return { id: created.body.id as string, fullName, maintainer };
}
