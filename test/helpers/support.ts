import assert from 'node:assert/strict';
import type { TestContext } from './app.ts';
import { createRepo, createUser, type TestUser } from './factories.ts';

/** Factories for SLA, release window and scheduling tests, through the public API. */

export type Repo = Awaited<ReturnType<typeof createRepo>>;

export async function approvedHelper(ctx: TestContext, repo: Repo, helper?: TestUser): Promise<TestUser> {
  const user = helper ?? (await createUser(ctx));
  assert.equal((await user.api.post(`/api/v1/repos/${repo.fullName}/helpers/applications`, { pitch: 'I run this library in production.' })).status, 201);
  assert.equal((await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/helpers/${user.id}/approve`, {})).status, 200);
  return user;
}

export async function openTicket(customer: TestUser, repo: Repo, fields: Record<string, unknown> = {}) {
  const created = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Memory leak', body: 'It grows.', track: 'expert', ...fields });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; status: string } & Record<string, any>;
}

const nineToFive = [{ start: '09:00', end: '17:00' }];
export const OFFICE_WEEK = { monday: nineToFive, tuesday: nineToFive, wednesday: nineToFive, thursday: nineToFive, friday: nineToFive };

/** A Paris office calendar (Monday to Friday, 09:00-17:00) and a policy on it, made the repository's default. */
export async function businessHoursPolicy(repo: Repo, targets: Record<string, Record<string, number>>, holidays: string[] = []) {
  const calendar = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/calendars`, { name: 'Paris office', timeZone: 'Europe/Paris', weeklyHours: OFFICE_WEEK, holidays });
  assert.equal(calendar.status, 201, JSON.stringify(calendar.body));
  const policy = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/sla-policies`, { name: 'Business', calendarId: calendar.body.id, targets });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
  assert.equal((await repo.maintainer.api.put(`/api/v1/repos/${repo.fullName}/sla-policies/default`, { policyId: policy.body.id })).status, 200);
  return { calendarId: calendar.body.id as string, policyId: policy.body.id as string };
}

/** Emails sent since `from` (an index into ctx.sent) whose subject contains `text`. */
export const sentSince = (ctx: TestContext, from: number, text: string) => ctx.sent.slice(from).filter((email) => email.subject.includes(text));
