import { z } from 'zod';
import { isoDate } from '../../http/schemas.ts';
import { TEXT_MAX } from '../../modules/assistant/assistant.messages.ts';

/** The web chat's API shapes (docs/assistant.md, "Web chat"). */

const repoName = z.string().trim().regex(/^[\w.-]{1,100}\/[\w.-]{1,100}$/, 'must be a repository name like owner/name');
const action = z.string().min(1).max(100).describe('The action id of the button, list or form, as the assistant gave it');
const label = z.string().max(200).optional().describe('What the visitor pressed or picked, shown in the transcript');
const inputId = z.string().regex(/^[\w-]{1,64}$/, 'must be 1-64 letters, digits, - or _').describe('Your id of this input (a UUID): the same input sent twice is taken once');

export const startBody = z.object({ repo: repoName.describe('The repository the visitor needs help with') });

export const inputBody = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('text'), id: inputId, text: z.string().min(1).max(TEXT_MAX, `must be at most ${TEXT_MAX} characters; link to a gist or paste for long logs`) }),
    z.object({ kind: z.literal('button'), id: inputId, action, label }),
    z.object({ kind: z.literal('choice'), id: inputId, action, value: z.string().min(1).max(100), label }),
    z.object({
      kind: z.literal('form'),
      id: inputId,
      action,
      label,
      fields: z
        .record(z.string().regex(/^[\w-]{1,40}$/), z.string().max(TEXT_MAX, `must be at most ${TEXT_MAX} characters`))
        .refine((fields) => Object.keys(fields).length <= 10, 'has more than 10 fields'),
    }),
  ]);
// Not a named component: the OpenAPI document has no input variant of a named union to point at.

export const conversationParams = z.object({ id: z.uuid() });
export const readQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).describe('Only entries after this seq (the last one you have)'),
  token: z.string().max(500).optional().describe('The conversation token, for clients that cannot send headers (EventSource)'),
});

const button = z.object({ action: z.string(), label: z.string(), style: z.enum(['primary', 'secondary', 'success', 'danger']).optional() });
const form = z.object({
  action: z.string(),
  title: z.string(),
  fields: z.array(z.object({ id: z.string(), label: z.string(), style: z.enum(['short', 'paragraph']), required: z.boolean(), maxLength: z.number().int(), placeholder: z.string().optional(), value: z.string().optional() })),
});

export const entryOut = z
  .object({
    seq: z.number().int().describe('Order in the conversation; the id of its live event'),
    author: z.enum(['visitor', 'assistant', 'helper']),
    authorName: z.string().nullable(),
    text: z.string().describe('Markdown: **bold** and line breaks'),
    buttons: z.array(button),
    links: z.array(z.object({ label: z.string(), url: z.string() })),
    choices: z.object({ action: z.string(), placeholder: z.string(), options: z.array(z.object({ value: z.string(), label: z.string(), description: z.string().optional() })) }).nullable(),
    form: form.nullable().describe('A form to fill in (an email, a code, a quote): submit it as an input of kind form'),
    createdAt: isoDate,
  })
  .meta({ id: 'WebChatEntry' });

export const conversationOut = z
  .object({ id: z.uuid(), repo: z.string(), state: z.string(), ticketId: z.uuid().nullable(), createdAt: isoDate })
  .meta({ id: 'WebChatConversation' });

export const startedOut = z.object({
  conversation: conversationOut,
  token: z.string().describe('Send it as X-Chat-Token on every call of this conversation; keep it like a password'),
  expiresAt: isoDate,
  messages: z.array(entryOut),
});

export const readOut = z.object({ conversation: conversationOut, messages: z.array(entryOut) });
export const sentOut = z.object({ messages: z.array(entryOut).describe('Your input and the replies to it, as they joined the transcript') });
