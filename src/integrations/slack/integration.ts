import type { Deps } from '../../deps.ts';
import { AppError, badRequest } from '../../errors.ts';
import { enqueue, type JobHandlers } from '../../jobs/queue.ts';
import { mergeMessages } from '../../modules/assistant/assistant.messages.ts';
import type { AssistantService } from '../../modules/assistant/assistant.service.ts';
import type { Message } from '../../modules/assistant/assistant.types.ts';
import { respondToSlack, slackErrorCode } from './client.ts';
import { slackInstallations } from './installations.ts';
import { encodeOrigin, eventInput, parseCommand, parseInteraction, type SlackInput } from './payloads.ts';
import { slackPort } from './port.ts';
import { slackMessage, slackModal, slackOptions } from './render.ts';
import { verifySlackRequest } from './verify.ts';

export const INPUT_JOB = 'slack.input';
export const EVENT_JOB = 'slack.event';
export const REPLY_JOB = 'slack.reply';

/** How a reply reaches the person: the interaction's response_url, or a message in a channel (a DM, a thread, privately). */
type Reply = { teamId: string; userId: string; channelId: string; threadTs?: string; responseUrl: string | null; visibility: 'private' | 'channel'; message: Message };
/** What the inbox keeps of a command or an interaction, to read it again in the job. */
type Stored = { surface: 'command'; form: Record<string, string> } | { surface: 'interaction'; payload: unknown };
/** The HTTP answer: a JSON body, or an empty 200 (Slack's acknowledgement; it also closes a submitted modal). */
export type SlackAnswer = object | null;

const replayed = () => new AppError(409, 'interaction_replayed', 'This request was received before; it is handled once.');

function readForm(raw: Buffer): URLSearchParams {
  return new URLSearchParams(raw.toString('utf8'));
}

function readJson(text: string | null, what: string): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw badRequest(`${what} is not JSON.`);
  }
}

function reread(stored: Stored): SlackInput | null {
  if (stored.surface === 'command') return parseCommand(new URLSearchParams(stored.form));
  const parsed = parseInteraction(stored.payload);
  return parsed.kind === 'input' ? parsed : null;
}

/**
 * The Slack adapter (docs/assistant.md): commands, interactions and events in, Block Kit out. Every request
 * is verified on its raw bytes (v0 signature, 5 minutes), stored once, and acknowledged within Slack's
 * 3 seconds: quick steps are answered at once (a modal opens with views.open while its trigger works),
 * slow ones (AI answers, tickets, payments) and every event are handled by durable jobs, which reply
 * through the interaction's response_url or the Web API with the workspace's own token.
 * Null when SLACK_SIGNING_SECRET is unset: the integration is off.
 */
export function createSlackIntegration(deps: Deps, assistant: AssistantService) {
  const { config, db, clock, logger } = deps;
  const secret = config.SLACK_SIGNING_SECRET;
  if (!secret) return null;
  const installations = slackInstallations(deps);
  assistant.registerChannel('slack', slackPort(installations, logger));

  const verify = (raw: Buffer, headers: Record<string, unknown>) => verifySlackRequest(secret, raw, headers, clock.now());

  const replyTo = (slack: SlackInput, message: Message): Reply => ({
    teamId: slack.teamId,
    userId: slack.place.user.id,
    channelId: slack.place.channelId,
    threadTs: slack.place.threadId?.split(':')[1],
    responseUrl: slack.responseUrl,
    visibility: 'private',
    message,
  });

  /** Opens the engine's form as a modal; false when Slack would not (the trigger expired): the text is sent instead. */
  async function openForm(slack: SlackInput, message: Message): Promise<boolean> {
    if (!slack.triggerId || !message.form) return false;
    const client = await installations.clientFor(slack.teamId, { retries: 0, timeoutMs: 2_500 });
    if (!client) return false;
    const origin = encodeOrigin({ channelId: slack.place.channelId, threadId: slack.place.threadId, responseUrl: slack.responseUrl });
    try {
      await client.openView(slack.triggerId, slackModal(message.form, origin));
      return true;
    } catch (error) {
      logger.warn({ err: error, code: slackErrorCode(error) }, 'slack: views.open failed');
      return false;
    }
  }

  /** Stores the input once, then answers it now (quick) or in a job (slow). */
  async function accept(slack: SlackInput, stored: Stored): Promise<SlackAnswer> {
    const event = { provider: 'slack' as const, externalId: slack.id, type: slack.input.kind, payload: stored };
    if (assistant.isSlow(slack.input)) {
      if (!(await assistant.inbox.recordForJob(event, INPUT_JOB, { maxAttempts: 3 }))) throw replayed();
      return null;
    }
    if (!(await assistant.inbox.record(db, { ...event, handled: true }))) throw replayed();
    const message = mergeMessages(await assistant.handle(slack.place, slack.input));
    if (message.form && slack.input.kind === 'form') {
      // A form answered by another form: the open modal becomes the next one.
      const origin = encodeOrigin({ channelId: slack.place.channelId, threadId: slack.place.threadId, responseUrl: slack.responseUrl });
      return { response_action: 'update', view: slackModal(message.form, origin) };
    }
    if (message.form && (await openForm(slack, message))) return null;
    if (stored.surface === 'command') return { response_type: 'ephemeral', ...slackMessage({ ...message, form: undefined }) };
    await enqueue(db, clock, REPLY_JOB, replyTo(slack, { ...message, form: undefined }), { maxAttempts: 5 });
    return null;
  }

  async function deliverReply(reply: Reply): Promise<void> {
    const rendered = slackMessage(reply.message);
    if (reply.responseUrl) return respondToSlack(reply.responseUrl, { response_type: 'ephemeral', replace_original: false, ...rendered });
    const client = await installations.clientFor(reply.teamId);
    if (!client) {
      logger.warn({ team: reply.teamId }, 'slack: the workspace has not installed the app; reply not delivered');
      return;
    }
    if (reply.visibility === 'channel') {
      await client.postMessage({ channel: reply.channelId, thread_ts: reply.threadTs, ...rendered });
      return;
    }
    await client.postEphemeral({ channel: reply.channelId, user: reply.userId, thread_ts: reply.threadTs, ...rendered }).catch(async (error: unknown) => {
      // The app is not in that channel: say it in the person's direct messages with the app instead.
      if (!['not_in_channel', 'channel_not_found'].includes(slackErrorCode(error) ?? '')) throw error;
      await client.postMessage({ channel: reply.userId, ...rendered });
    });
  }

  return {
    installations,

    /** POST /webhooks/slack/commands: `/support` and its subcommands. */
    async receiveCommand(raw: Buffer, headers: Record<string, unknown>): Promise<SlackAnswer> {
      verify(raw, headers);
      const form = readForm(raw);
      return accept(parseCommand(form), { surface: 'command', form: Object.fromEntries(form) });
    },

    /** POST /webhooks/slack/interactions: buttons, selects, modals, and the repository search's options. */
    async receiveInteraction(raw: Buffer, headers: Record<string, unknown>): Promise<SlackAnswer> {
      verify(raw, headers);
      const payload = readJson(readForm(raw).get('payload'), 'The payload field');
      const parsed = parseInteraction(payload);
      // The search's options come with every keystroke and change nothing: answered, never stored.
      if (parsed.kind === 'suggestion') return slackOptions(await assistant.suggestRepos(parsed.typed));
      if (parsed.kind === 'ignored') return null;
      return accept(parsed, { surface: 'interaction', payload });
    },

    /** POST /webhooks/slack/events: the URL check, then every event stored once by its id and handled in a job. */
    async receiveEvent(raw: Buffer, headers: Record<string, unknown>): Promise<SlackAnswer> {
      verify(raw, headers);
      const body = readJson(raw.toString('utf8'), 'The body') as Record<string, unknown> | null;
      if (body?.type === 'url_verification' && typeof body.challenge === 'string') return { challenge: body.challenge };
      if (body?.type !== 'event_callback') return null;
      if (typeof body.event_id !== 'string' || !/^[\w.-]{1,100}$/.test(body.event_id) || typeof body.event !== 'object') throw badRequest('An event callback needs its event_id and event.');
      const eventType = String((body.event as Record<string, unknown>)?.type ?? 'unknown').slice(0, 100);
      // A retry (X-Slack-Retry-Num) of an event we stored is acknowledged and changes nothing.
      await assistant.inbox.recordForJob({ provider: 'slack', externalId: `event:${body.event_id}`, type: eventType, payload: body }, EVENT_JOB, { maxAttempts: 3 });
      return null;
    },

    jobHandlers: {
      /** A slow input: the engine's answer, then its delivery as a job of its own, so a retry never acts twice. */
      [INPUT_JOB]: async ({ eventId }: { eventId: string }) => {
        const event = await assistant.inbox.find(eventId);
        if (!event || event.handled_at) return;
        const slack = reread(event.payload as Stored);
        if (!slack) return;
        const message = mergeMessages(await assistant.handle(slack.place, slack.input));
        await db.transaction().execute(async (trx) => {
          if (!(await assistant.inbox.markHandled(trx, eventId))) return;
          await enqueue(trx, clock, REPLY_JOB, replyTo(slack, { ...message, form: undefined }), { maxAttempts: 5 });
        });
      },

      /** A message to the app in its DM continues the conversation; one in a ticket's thread is added to the ticket. */
      [EVENT_JOB]: async ({ eventId }: { eventId: string }) => {
        const event = await assistant.inbox.find(eventId);
        if (!event || event.handled_at) return;
        const input = eventInput(event.payload);
        let reply: Reply | null = null;
        if (input?.kind === 'uninstalled') await db.deleteFrom('slack_installations').where('team_id', '=', input.teamId).execute();
        if (input?.kind === 'direct') {
          const message = mergeMessages(await assistant.handle(input.place, { kind: 'text', id: event.external_id, text: input.text }));
          reply = { teamId: input.place.workspace, userId: input.place.user.id, channelId: input.place.channelId, responseUrl: null, visibility: 'channel', message: { ...message, form: undefined } };
        }
        if (input?.kind === 'thread') {
          const answer = await assistant.threadMessage(input.place, input.text);
          if (answer?.length) reply = { teamId: input.place.workspace, userId: input.place.user.id, channelId: input.place.channelId, threadTs: input.place.threadId!.split(':')[1], responseUrl: null, visibility: 'private', message: mergeMessages(answer) };
        }
        await db.transaction().execute(async (trx) => {
          if (!(await assistant.inbox.markHandled(trx, eventId))) return;
          if (reply) await enqueue(trx, clock, REPLY_JOB, reply, { maxAttempts: 5 });
        });
      },

      /** response_url works for 30 minutes; the Web API client waits out rate limits. */
      [REPLY_JOB]: async (reply: Reply) => deliverReply(reply),
    } satisfies JobHandlers,
  };
}

export type SlackIntegration = NonNullable<ReturnType<typeof createSlackIntegration>>;
