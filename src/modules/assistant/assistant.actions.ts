import { UUID_PATTERN } from '../../lib/ids.ts';

/**
 * Ids of the buttons, lists and forms the engine hands out. They name what they act on, so a press is
 * understood without any state in the channel: `c:` a step of a conversation, `t:` a ticket, `q:` a quote.
 * They stay under Discord's 100-character custom_id limit. Anything else a channel sends back is treated
 * as an expired component.
 */
export type Scope = 'c' | 't' | 'q';
export type Action = { scope: Scope; id: string; step: string; arg: string | null };

export const conversationAction = (id: string, step: string, arg?: string) => encode('c', id, step, arg);
export const ticketAction = (id: string, step: string, arg?: string) => encode('t', id, step, arg);
export const quoteAction = (id: string, step: string, arg?: string) => encode('q', id, step, arg);

function encode(scope: Scope, id: string, step: string, arg?: string): string {
  return arg === undefined ? `${scope}:${id}:${step}` : `${scope}:${id}:${step}:${arg}`;
}

const STEP = /^[a-z][a-z-]{0,19}$/;
const ARG = /^[\w-]{1,40}$/;

export function parseAction(raw: string): Action | null {
  if (typeof raw !== 'string' || raw.length > 100) return null;
  const [scope, id, step, arg, ...rest] = raw.split(':');
  if (rest.length || (scope !== 'c' && scope !== 't' && scope !== 'q') || !UUID_PATTERN.test(id ?? '') || !STEP.test(step ?? '')) return null;
  if (arg !== undefined && !ARG.test(arg)) return null;
  return { scope, id: id.toLowerCase(), step, arg: arg ?? null };
}
