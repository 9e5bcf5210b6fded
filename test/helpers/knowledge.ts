import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from './app.ts';
import { createRepo, createUser, type TestUser } from './factories.ts';

/** A temporary docs folder with the given files; removed by the returned cleanup. */
export function docsFolder(files: Record<string, string | Buffer>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backline-docs-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const RETRIES_DOC = '# Retries\n\nFailed jobs are retried.\n\n## Backoff\n\nSet `backoff` to `exponential` to double the delay between attempts. The delay starts at one second.\n\n## Dead letters\n\nJobs that fail for good move to the dead-letter queue.\n';
export const INSTALL_DOC = '# Installation\n\nRun `npm install quarry`. Quarry needs Node.js 18 or later and PostgreSQL 12.\n';

/** A verified repository with AI on, and an operator, who may add folders on the server as sources. */
export async function knowledgeRepo(ctx: TestContext) {
  const operator = await createUser(ctx, { operator: true });
  const { fullName, maintainer } = await createRepo(ctx);
  const on = await maintainer.api.put(`/api/v1/repos/${fullName}/ai-settings`, { enabled: true });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  return { fullName, maintainer, operator };
}

/** Adds a source through the API and runs its queued ingestion; returns the source and the report. */
export async function addSource(ctx: TestContext, user: TestUser, fullName: string, body: Record<string, unknown>) {
  const created = await user.api.post(`/api/v1/repos/${fullName}/knowledge/sources`, body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await ctx.jobs.drain();
  const reports = await user.api.get(`/api/v1/repos/${fullName}/knowledge/ingestions`);
  const report = reports.body.items.find((item: { sourceId: string }) => item.sourceId === created.body.id);
  return { source: created.body, report };
}
