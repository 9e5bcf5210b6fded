import { badRequest } from '../../errors.ts';
import { UUID_PATTERN } from '../../lib/ids.ts';
import type { Input, Place } from '../../modules/assistant/assistant.types.ts';
import { LINK_ACTION_PREFIX } from './render.ts';

/**
 * Signed Slack requests read into the engine's terms. Only the fields used are read, each checked, so a
 * body that verifies but is not something we understand is a 400 and never reaches the engine.
 */
type Loose = Record<string, any>;
/** Team, user and channel ids: T…, U…/W…, C…/G…/D…. */
const SLACK_ID = /^[A-Z0-9]{2,32}$/;
const TS = /^\d{1,12}\.\d{1,8}$/;

const malformed = (what: string) => badRequest(`This is not a Slack request Backline understands: ${what}.`);
const str = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;
const id = (value: unknown, what: string): string => {
  if (typeof value !== 'string' || !SLACK_ID.test(value)) throw malformed(`no ${what}`);
  return value;
};

/** A thread is the channel and its parent message's timestamp: the thread id the engine keeps. */
export const threadKey = (channel: string, ts: string) => `${channel}:${ts}`;

function place(teamId: string, user: { id: unknown; name?: unknown }, channelId: string, threadTs: unknown): Place {
  const name = str(user.name, 100) ? user.name : 'Slack user';
  return { channel: 'slack', workspace: teamId, channelId, threadId: typeof threadTs === 'string' && TS.test(threadTs) ? threadKey(channelId, threadTs) : null, user: { id: id(user.id, 'user'), name } };
}

/** Where a modal's answer goes: kept in its private_metadata, since a submission has no channel of its own. */
export type ViewOrigin = { channelId: string; threadId: string | null; responseUrl: string | null };
export const encodeOrigin = (origin: ViewOrigin) => JSON.stringify({ c: origin.channelId, t: origin.threadId, r: origin.responseUrl });
function decodeOrigin(metadata: unknown): ViewOrigin {
  try {
    const parsed = JSON.parse(String(metadata)) as Loose;
    if (!SLACK_ID.test(String(parsed.c))) throw new Error('no channel');
    return { channelId: parsed.c, threadId: str(parsed.t, 60) ? parsed.t : null, responseUrl: str(parsed.r, 500) ? parsed.r : null };
  } catch {
    throw malformed('a form Backline did not open');
  }
}

/** Subcommands of /support (Slack apps share one command namespace per workspace, so Backline takes one). */
const SUBCOMMANDS = new Set(['link', 'ticket', 'claim', 'quote', 'log-time', 'resolve']);

/** `/support quote [ticket] 80 EUR 60 What it covers` and the others: the words as the engine's command options. */
function subcommandOptions(name: string, words: string[]): Record<string, string> {
  const options: Record<string, string> = {};
  if (words[0] && UUID_PATTERN.test(words[0])) options.ticket = words.shift()!;
  const [first, second, third, ...rest] = words;
  if (name === 'quote') Object.assign(options, { amount: first ?? '', currency: second ?? '', minutes: third ?? '', description: rest.join(' ') });
  if (name === 'log-time') Object.assign(options, { minutes: first ?? '', note: [second, third, ...rest].filter(Boolean).join(' ') });
  if (name === 'resolve') options.summary = words.join(' ');
  return options;
}

export type SlackInput = { id: string; teamId: string; triggerId: string | null; responseUrl: string | null; place: Place; input: Input };

/** A slash command (form-encoded). `/support owner/name` starts a conversation; `/support claim` and the others act on tickets. */
export function parseCommand(form: URLSearchParams): SlackInput {
  const teamId = id(form.get('team_id'), 'team');
  const triggerId = form.get('trigger_id');
  const command = form.get('command');
  if (!str(triggerId, 200) || !str(command, 33) || !command.startsWith('/')) throw malformed('no command or trigger');
  const text = (form.get('text') ?? '').trim();
  const where = place(teamId, { id: form.get('user_id'), name: form.get('user_name') }, id(form.get('channel_id'), 'channel'), null);
  const [first = '', ...rest] = text.split(/\s+/).filter(Boolean);
  let input: Input;
  if (command !== '/support') input = { kind: 'command', id: triggerId, name: command.slice(1), options: {} };
  else if (SUBCOMMANDS.has(first.toLowerCase())) {
    const name = first.toLowerCase();
    input = { kind: 'command', id: triggerId, name, options: subcommandOptions(name, rest) };
  } else input = { kind: 'command', id: triggerId, name: 'support', options: text ? { repository: text } : {} };
  const responseUrl = form.get('response_url');
  return { id: triggerId, teamId, triggerId, responseUrl: str(responseUrl, 500) ? responseUrl : null, place: where, input };
}

export type ParsedInteraction =
  | { kind: 'suggestion'; teamId: string; typed: string }
  /** Link buttons (their URL opens in the browser) and closed modals: nothing to do. */
  | { kind: 'ignored' }
  | ({ kind: 'input' } & SlackInput);

function valuesOf(view: Loose): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const block of Object.values((view.state?.values ?? {}) as Loose)) {
    for (const [actionId, element] of Object.entries((block ?? {}) as Loose)) {
      if (str(actionId, 255) && typeof element?.value === 'string') fields[actionId] = element.value;
      // An optional field left empty comes back as null: it is an empty answer.
      else if (str(actionId, 255) && element?.value === null) fields[actionId] = '';
    }
  }
  return fields;
}

/** An interaction (`payload=` JSON, form-encoded): a button, a select, a submitted modal, or a search as someone types. */
export function parseInteraction(body: unknown): ParsedInteraction {
  if (!body || typeof body !== 'object') throw malformed('the payload is not a JSON object');
  const payload = body as Loose;
  const teamId = id(payload.team?.id ?? payload.user?.team_id, 'team');
  if (payload.type === 'block_suggestion') return { kind: 'suggestion', teamId, typed: typeof payload.value === 'string' ? payload.value : '' };
  if (payload.type === 'view_closed') return { kind: 'ignored' };
  const user = (payload.user ?? {}) as Loose;
  const who = { id: user.id, name: user.name ?? user.username };
  const triggerId = str(payload.trigger_id, 200) ? payload.trigger_id : null;
  if (payload.type === 'view_submission') {
    const view = (payload.view ?? {}) as Loose;
    if (!str(view.callback_id, 255) || !str(view.id, 64) || !triggerId) throw malformed('a form without its id');
    const origin = decodeOrigin(view.private_metadata);
    const where = { ...place(teamId, who, origin.channelId, null), threadId: origin.threadId };
    return { kind: 'input', id: `view:${view.id}:${triggerId}`, teamId, triggerId, responseUrl: origin.responseUrl, place: where, input: { kind: 'form', id: triggerId, action: view.callback_id, fields: valuesOf(view) } };
  }
  if (payload.type === 'block_actions') {
    const action = (Array.isArray(payload.actions) ? payload.actions[0] : undefined) as Loose | undefined;
    if (!action || !str(action.action_id, 255) || !str(action.action_ts, 40)) throw malformed('an action without its id');
    if (action.action_id.startsWith(LINK_ACTION_PREFIX)) return { kind: 'ignored' };
    const channelId = payload.channel?.id ?? payload.container?.channel_id;
    const where = place(teamId, who, id(channelId, 'channel'), payload.message?.thread_ts ?? payload.container?.thread_ts);
    const eventId = `action:${triggerId ?? `${who.id}:${action.action_ts}`}`;
    const selected = action.selected_option?.value;
    const input: Input = str(selected, 150) ? { kind: 'choice', id: eventId, action: action.action_id, value: selected } : { kind: 'button', id: eventId, action: action.action_id };
    return { kind: 'input', id: eventId, teamId, triggerId, responseUrl: str(payload.response_url, 500) ? payload.response_url : null, place: where, input };
  }
  throw malformed(`an interaction of type ${String(payload.type).slice(0, 30)}`);
}

/** What a stored event asks of us: a message to the assistant (in its DM), a message in a thread, or an uninstall. */
export type SlackEventInput =
  | { kind: 'direct'; place: Place; text: string; ts: string }
  | { kind: 'thread'; place: Place; text: string }
  | { kind: 'uninstalled'; teamId: string };

/** Reads an event_callback. Null for everything Backline does not act on (edits, bots, channel chatter). */
export function eventInput(body: unknown): SlackEventInput | null {
  const callback = (body ?? {}) as Loose;
  const event = (callback.event ?? {}) as Loose;
  const teamId = typeof callback.team_id === 'string' && SLACK_ID.test(callback.team_id) ? callback.team_id : null;
  if (!teamId) return null;
  if (event.type === 'app_uninstalled' || event.type === 'tokens_revoked') return { kind: 'uninstalled', teamId };
  // Edits, deletions, joins and every bot (including our own posts) are not people writing to us.
  if (event.type !== 'message' || event.subtype !== undefined || event.bot_id !== undefined) return null;
  if (typeof event.text !== 'string' || !SLACK_ID.test(String(event.user)) || !SLACK_ID.test(String(event.channel)) || !TS.test(String(event.ts))) return null;
  const inThread = typeof event.thread_ts === 'string' && event.thread_ts !== event.ts;
  const where = place(teamId, { id: event.user }, event.channel, inThread ? event.thread_ts : null);
  if (inThread) return { kind: 'thread', place: where, text: event.text };
  if (event.channel_type === 'im') return { kind: 'direct', place: where, text: event.text, ts: event.ts };
  return null;
}
