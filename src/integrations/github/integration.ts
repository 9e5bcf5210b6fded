import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError, badRequest } from '../../errors.ts';
import type { JobHandlers } from '../../jobs/queue.ts';
import type { AssistantService } from '../../modules/assistant/assistant.service.ts';
import type { Place } from '../../modules/assistant/assistant.types.ts';
import { githubSignatureCheck, type GitHubApp } from './client.ts';
import * as installations from './installations.ts';
import { githubComment, githubPort, issueThread } from './port.ts';

export const GITHUB_EVENT_JOB = 'github.event';

/** The longest issue text taken into a ticket; the issue itself stays the full record. */
const BODY_MAX = 4000;
const DELIVERY_ID = /^[0-9a-f-]{1,64}$/i;
const SUPPORT_COMMAND = /^\s*\/support\b/i;

type Loose = Record<string, any>;

const rejected = (message: string) => new AppError(401, 'invalid_signature', message);

/**
 * The GitHub App adapter (docs/assistant.md): webhook deliveries in, issue comments out. A delivery is
 * verified on its raw bytes (X-Hub-Signature-256), stored once per X-GitHub-Delivery, answered at once
 * and handled by a job: installations are recorded, and a `/support` comment on an issue of a
 * repository registered on Backline opens a ticket whose status is then commented on the issue.
 * Null when GITHUB_WEBHOOK_SECRET is unset. Comments need the app (GITHUB_APP_ID, GITHUB_PRIVATE_KEY).
 */
export function createGitHubIntegration(deps: Deps, assistant: AssistantService, app: GitHubApp | null) {
  const { config, db, clock, logger } = deps;
  if (!config.GITHUB_WEBHOOK_SECRET) return null;
  const verify = githubSignatureCheck(config.GITHUB_WEBHOOK_SECRET);
  const ticketLink = (id: string) => `${publicUrl(config)}/tickets/${id}`;
  if (app) assistant.registerChannel('github', githubPort(app, ticketLink, logger));

  /** The app's own comments (its status updates) come back as events too; answering them would loop. */
  const byTheApp = (payload: Loose) =>
    (app && String(payload.comment?.performed_via_github_app?.id ?? '') === app.appId) || payload.sender?.type === 'Bot' || payload.comment?.user?.type === 'Bot';

  async function onInstallation(event: string, payload: Loose): Promise<void> {
    const installation = payload.installation as installations.Installation;
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      if (event === 'installation') {
        if (payload.action === 'deleted') return installations.setInstallationState(trx, installation.id, { deleted_at: now }, now);
        if (payload.action === 'suspend') return installations.setInstallationState(trx, installation.id, { suspended_at: now }, now);
        if (payload.action === 'unsuspend') return installations.setInstallationState(trx, installation.id, { suspended_at: null }, now);
        await installations.saveInstallation(trx, installation, now);
        await installations.addRepos(trx, installation.id, payload.repositories ?? [], now);
        return;
      }
      await installations.saveInstallation(trx, installation, now);
      await installations.addRepos(trx, installation.id, payload.repositories_added ?? [], now);
      await installations.removeRepos(trx, installation.id, (payload.repositories_removed ?? []).map((repo: installations.InstalledRepo) => repo.id));
    });
  }

  async function onComment(deliveryId: string, payload: Loose): Promise<void> {
    if (payload.action !== 'created' || byTheApp(payload) || !SUPPORT_COMMAND.test(String(payload.comment?.body ?? ''))) return;
    const repository = payload.repository as { full_name: string };
    const issue = payload.issue as { number: number; title: string; body: string | null; html_url: string };
    const sender = payload.sender as { id: number; login: string };
    const place: Place = {
      channel: 'github',
      workspace: String(payload.installation?.id ?? ''),
      channelId: repository.full_name,
      threadId: issueThread(repository.full_name, issue.number),
      user: { id: String(sender.id), name: sender.login },
    };
    // The ticket is the issue, with what the /support comment added and a link back.
    const extra = String(payload.comment.body).replace(SUPPORT_COMMAND, '').trim();
    const body = [issue.body?.trim() || issue.title, extra, `(From ${issue.html_url})`].filter(Boolean).join('\n\n');
    const answer = await assistant.openHere(place, deliveryId, { repo: repository.full_name, title: issue.title, body: body.length > BODY_MAX ? `${body.slice(0, BODY_MAX - 1)}…` : body });
    // Refusals (an unknown repository, a ticket already open) are answered on the issue: they hold nothing private.
    if (answer.length && app && place.workspace) {
      await app.comment(place.workspace, repository.full_name, issue.number, answer.map((message) => githubComment(message, null)).join('\n\n'));
    }
  }

  return {
    /** False without GITHUB_APP_ID and GITHUB_PRIVATE_KEY: deliveries are received, but nothing is commented. */
    canComment: app !== null,

    /** Verifies and stores one delivery; GitHub only needs a 2xx within 10 seconds, the work is a job. */
    async receive(raw: Buffer, headers: Record<string, unknown>): Promise<{ received: true; duplicate: boolean }> {
      const signature = headers['x-hub-signature-256'];
      if (typeof signature !== 'string' || !signature.startsWith('sha256=')) throw rejected('The delivery is not signed (X-Hub-Signature-256).');
      if (!(await verify(raw.toString('utf8'), signature))) throw rejected('The signature does not match the delivery.');
      const deliveryId = headers['x-github-delivery'];
      const event = headers['x-github-event'];
      if (typeof deliveryId !== 'string' || !DELIVERY_ID.test(deliveryId) || typeof event !== 'string' || !/^[a-z_]{1,64}$/.test(event)) {
        throw badRequest('A GitHub delivery has X-GitHub-Delivery and X-GitHub-Event headers.');
      }
      let payload: unknown;
      try {
        payload = JSON.parse(raw.toString('utf8'));
      } catch {
        throw badRequest('The body is not JSON (set the webhook content type to application/json).');
      }
      if (!payload || typeof payload !== 'object') throw badRequest('The body is not a JSON object.');
      if (event === 'ping') return { received: true, duplicate: false };
      const stored = await assistant.inbox.recordForJob({ provider: 'github', externalId: deliveryId, type: event, payload }, GITHUB_EVENT_JOB, { maxAttempts: 5 });
      return { received: true, duplicate: !stored };
    },

    jobHandlers: {
      [GITHUB_EVENT_JOB]: async ({ eventId }: { eventId: string }) => {
        const stored = await assistant.inbox.find(eventId);
        if (!stored || stored.handled_at) return;
        const payload = stored.payload as Loose;
        if (!isEventShape(stored.type, payload)) logger.warn({ type: stored.type, eventId }, 'github: event without the fields it needs, ignored');
        else if (stored.type === 'installation' || stored.type === 'installation_repositories') await onInstallation(stored.type, payload);
        else if (stored.type === 'issue_comment') await onComment(stored.external_id, payload);
        await assistant.inbox.markHandled(db, eventId);
      },
    } satisfies JobHandlers,
  };
}

/** The fields each handled event is read for, checked before anything acts on them. */
function isEventShape(type: string, payload: Loose): boolean {
  const installation = payload.installation;
  if (type === 'installation' || type === 'installation_repositories') {
    return Number.isSafeInteger(installation?.id) && typeof installation?.account?.login === 'string' && typeof payload.action === 'string';
  }
  if (type === 'issue_comment') {
    return (
      typeof payload.action === 'string' &&
      typeof payload.comment?.body === 'string' &&
      Number.isSafeInteger(payload.issue?.number) &&
      typeof payload.issue?.title === 'string' &&
      typeof payload.repository?.full_name === 'string' &&
      Number.isSafeInteger(payload.sender?.id) &&
      typeof payload.sender?.login === 'string'
    );
  }
  return true;
}

export type GitHubIntegration = NonNullable<ReturnType<typeof createGitHubIntegration>>;
