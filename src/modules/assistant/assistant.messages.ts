import { AppError } from '../../errors.ts';
import type { Button, Form, Link, Message } from './assistant.types.ts';

/**
 * Message builders and the checks on what people type. A refusal is an AppError the engine turns into a
 * short private reply; it is thrown before anything changes.
 */

export function refuse(message: string): never {
  throw new AppError(400, 'chat_refused', message);
}

/** A reply only the person who acted sees. */
export const privately = (text: string, extra: Omit<Message, 'text' | 'ephemeral'> = {}): Message => ({ text, ephemeral: true, ...extra });

/** A message for everyone in the ticket's thread. */
export const publicly = (text: string, extra: Omit<Message, 'text' | 'ephemeral'> = {}): Message => ({ text, ephemeral: false, ...extra });

/** Asks the channel to open a form; `text` is for channels that cannot show one. */
export const formMessage = (form: Form, text: string): Message => ({ text, ephemeral: true, form });

export const buttons = (...list: (Button | false | null | undefined)[]): Button[] => list.filter((button): button is Button => Boolean(button));

export const linkList = (...list: (Link | false | null | undefined)[]): Link[] => list.filter((link): link is Link => Boolean(link));

/** Longest text the engine reads from one message or field; more is refused, not cut. */
export const TEXT_MAX = 4000;

/**
 * Text a person typed, trimmed; refused when empty, longer than `max`, or binary: NUL and other control
 * characters (tabs and newlines aside) or replacement characters, which is what a pasted file or a broken
 * encoding looks like.
 */
export function readableText(raw: unknown, what: string, max = TEXT_MAX): string {
  if (typeof raw !== 'string') refuse(`I did not get ${what}; please type it again.`);
  const text = raw.trim();
  if (text.length === 0) refuse(`${capitalize(what)} is empty; please write a few words.`);
  if (text.length > max) refuse(`${capitalize(what)} is ${text.length} characters long; please keep it under ${max} (link to a gist or paste for long logs).`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text)) {
    refuse(`${capitalize(what)} looks like binary data; please describe it in words and paste logs as plain text.`);
  }
  return text;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Several replies as one, for channels that answer an input with a single message (a Discord interaction
 * response): texts in order, every button and link, the last list. A form wins, since it must open alone.
 */
export function mergeMessages(messages: Message[]): Message {
  const form = messages.find((message) => message.form);
  if (form) return form;
  return {
    text: messages.map((message) => message.text).join('\n\n'),
    ephemeral: messages.every((message) => message.ephemeral),
    buttons: messages.flatMap((message) => message.buttons ?? []),
    links: messages.flatMap((message) => message.links ?? []),
    choices: messages.findLast((message) => message.choices)?.choices,
    search: messages.findLast((message) => message.search)?.search,
  };
}
