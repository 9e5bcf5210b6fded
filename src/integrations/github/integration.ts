import { publicUrl } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError, badRequest } from '../../errors.ts';
import type { JobHandlers } from '../../jobs/queue.ts';
import type { AssistantService } from '../../modules/assistant/assistant.service.ts';
import { privately, TEXT_MAX } from '../../modules/assistant/assistant.messages.ts';
import { conversationOfThread } from '../../modules/assistant/assistant.repository.ts';
import type { Message, Place } from '../../modules/assistant/assistant.types.ts';
import { githubSignatureCheck, type GitHubApp } from './client.ts';
import * as installations from './installations.ts';
import { helperCommand, type HelperCommand } from './comments.ts';
import { githubComment, githubPort, issueThread, parseIssueThread } from './port.ts';

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
 * and handled by a job: installations are recorded; a `/support` comment on an issue of a repository
 * registered on Backline opens a ticket whose status is then commented on the issue; later comments on
 * that issue are the commenters' messages on the ticket, and `/claim`, `/quote`, `/log`, `/resolve`
 * are the helper commands, run as the commenter.
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

  /** Who commented where: the issue is the conversation's thread, the commenter its person. */
  function placeOf(payload: Loose): Place {
    const repository = payload.repository as { full_name: string };
    const sender = payload.sender as { id: number; login: string };
    return {
      channel: 'github',
      workspace: String(payload.installation?.id ?? ''),
      channelId: repository.full_name,
      threadId: issueThread(repository.full_name, payload.issue.number),
      user: { id: String(sender.id), name: sender.login },
    };
  }

  /** A comment made now, outside any job's retry (nothing was changed, so posting it twice harms nobody). */
  async function commentNow(place: Place, messages: Message[]): Promise<void> {
    const issue = parseIssueThread(place.threadId);
    if (!messages.length || !app || !place.workspace || !issue) return;
    await app.comment(place.workspace, issue.fullName, issue.issueNumber, messages.map((message) => githubComment(message, null)).join('\n\n'));
  }

  async function onSupport(deliveryId: string, place: Place, payload: Loose): Promise<void> {
    const issue = payload.issue as { number: number; title: string; body: string | null; html_url: string };
    // The ticket is the issue, with what the /support comment added and a link back.
    const extra = String(payload.comment.body).replace(SUPPORT_COMMAND, '').trim();
    const body = [issue.body?.trim() || issue.title, extra, `(From ${issue.html_url})`].filter(Boolean).join('\n\n');
    const answer = await assistant.openHere(place, deliveryId, { repo: place.channelId, title: issue.title, body: body.length > BODY_MAX ? `${body.slice(0, BODY_MAX - 1)}…` : body });
    // Refusals (an unknown repository, a ticket already open) are answered on the issue: they hold nothing private.
    await commentNow(place, answer);
  }

  /**
   * A helper command, run by the engine as the commenter (a Backline account with their GitHub login), so
   * that the tickets and payments services decide who may: an approved helper claims, the assignee quotes,
   * logs time and resolves. Success and refusal are both answered on the issue, addressed to the commenter;
   * a refusal changes nothing. The answer is a durable push keyed by the delivery, so that a retried job
   * does not answer twice.
   */
  async function onHelperCommand(deliveryId: string, place: Place, command: HelperCommand | { usage: string }, ticketConversation: string | undefined): Promise<void> {
    const to = (messages: Message[]) => messages.map((message) => ({ ...message, ephemeral: false, text: `@${place.user.name} ${message.text}` }));
    if (!ticketConversation) return commentNow(place, to([privately('This issue has no Backline ticket yet; comment `/support` to open one.')]));
    const answer = 'usage' in command ? [privately(command.usage)] : await assistant.handle(place, { kind: 'command', id: deliveryId, name: command.name, options: command.options });
    await assistant.pushToThread(db, ticketConversation, to(answer), `reply:${deliveryId}`);
  }

  /**
   * Any other comment on an issue linked to a ticket is the commenter's message on the ticket (the
   * customer, the helper, the repository's team; anyone on a community question). Other people's comments
   * stay on the issue only: an issue is open to everyone, so a refusal is logged, not answered.
   */
  async function onTicketComment(place: Place, payload: Loose): Promise<void> {
    const comment = payload.comment as { body: string; html_url?: string };
    const text = comment.body.length > TEXT_MAX ? `${comment.body.slice(0, TEXT_MAX - 200).trimEnd()}…\n\n(The rest is on GitHub: ${String(comment.html_url ?? '').slice(0, 150)})` : comment.body;
    const refused = await assistant.threadMessage(place, text);
    if (refused?.length) logger.info({ thread: place.threadId, login: place.user.name, reason: refused[0].text }, 'github: comment not mirrored to the ticket');
  }

  async function onComment(deliveryId: string, payload: Loose): Promise<void> {
    // Edits and deletions are not new messages; the app's own comments would loop.
    if (payload.action !== 'created' || byTheApp(payload)) return;
    const place = placeOf(payload);
    const body = String(payload.comment.body);
    if (SUPPORT_COMMAND.test(body)) return onSupport(deliveryId, place, payload);
    const linked = await conversationOfThread(db, 'github', place.threadId!);
    const command = helperCommand(body);
    if (command) return onHelperCommand(deliveryId, place, command, linked?.id);
    if (linked) await onTicketComment(place, payload);
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
