import { z } from 'zod';
import { errorResponses, isoDate } from '../../http/schemas.ts';
import { repoParams } from '../repos/repos.schemas.ts';

const httpsOrHttp = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2000);
const schedule = z.number().int().min(15).max(43_200).nullable().describe('Re-ingest every this many minutes; null: only when triggered');
const baseUrl = httpsOrHttp.nullable().describe('Links to passages are this URL + the file path + #anchor, e.g. https://github.com/o/n/blob/main/docs/');
const faqEntry = z.object({ question: z.string().trim().min(3).max(500), answer: z.string().trim().min(1).max(10_000) });
const name = z.string().trim().min(1).max(200);

export const createSourceBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('path'), name: name.optional(), path: z.string().min(1).max(1000), baseUrl: baseUrl.optional(), scheduleMinutes: schedule.optional() }).describe('A folder on the server (operators; the CLI for maintainers)'),
  z.object({
    kind: z.literal('git'),
    name: name.optional(),
    url: z.string().min(1).max(2000).describe('https:// URL of a Git repository (file:// for operators)'),
    ref: z.string().regex(/^[\w./-]{1,200}$/, 'must be a branch or tag name').optional(),
    subdir: z.string().regex(/^[\w./ -]{1,500}$/, 'must be a relative folder').refine((value) => !value.split('/').includes('..'), 'must stay inside the repository').optional(),
    baseUrl: baseUrl.optional(),
    scheduleMinutes: schedule.optional(),
  }),
  z.object({ kind: z.literal('archive'), name, baseUrl: baseUrl.optional() }).describe('Then upload a .tar, .tar.gz or .zip to /sources/{id}/archive'),
  z.object({ kind: z.literal('url'), name: name.optional(), url: httpsOrHttp, scheduleMinutes: schedule.optional() }),
  z.object({ kind: z.literal('faq'), name: name.default('FAQ'), entries: z.array(faqEntry).min(1).max(500), baseUrl: baseUrl.optional() }),
  z.object({ kind: z.literal('tickets'), name: name.default('Resolved tickets') }).describe('Resolved tickets whose requester consented, personal data removed'),
]);

export const updateSourceBody = z
  .object({ name, baseUrl, scheduleMinutes: schedule, ref: z.string().regex(/^[\w./-]{1,200}$/), entries: z.array(faqEntry).min(1).max(500) })
  .partial()
  .strict();

export const sourceParams = repoParams.extend({ id: z.uuid() });

export const sourceOut = z
  .object({
    id: z.uuid(),
    kind: z.enum(['path', 'git', 'archive', 'url', 'faq', 'tickets']),
    name: z.string(),
    path: z.string().nullable(),
    url: z.string().nullable(),
    ref: z.string().nullable(),
    subdir: z.string().nullable(),
    entries: z.array(faqEntry).nullable(),
    baseUrl: z.string().nullable(),
    scheduleMinutes: z.number().int().nullable(),
    documents: z.number().int(),
    passages: z.number().int(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'KnowledgeSource' });

export const ingestionOut = z
  .object({
    id: z.uuid(),
    sourceId: z.uuid().nullable(),
    trigger: z.enum(['api', 'cli', 'schedule', 'upload']),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    filesSeen: z.number().int(),
    filesIndexed: z.number().int(),
    filesUnchanged: z.number().int(),
    filesRemoved: z.number().int(),
    passagesAdded: z.number().int(),
    passagesRemoved: z.number().int(),
    skipped: z.array(z.object({ path: z.string(), reason: z.string() })).describe('Files not indexed, with the reason'),
    error: z.string().nullable(),
    startedAt: isoDate.nullable(),
    finishedAt: isoDate.nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'KnowledgeIngestion' });

export const askBody = z.object({ question: z.string().trim().min(3, 'ask a question of at least 3 characters').max(1000) });

export const citationOut = z.object({ title: z.string(), url: z.string() });

export const answerOut = z
  .object({
    id: z.uuid().describe('Send feedback to POST /api/v1/answers/{id}/feedback'),
    answer: z.string(),
    citations: z.array(citationOut),
    confidence: z.number().min(0).max(1).describe('From the retrieval scores; under the threshold the answer is declined'),
    mode: z.enum(['extractive', 'generated']),
    declined: z.boolean().describe('True when the docs do not cover the question: ask the community or an expert instead'),
    handoff: z.object({ community: z.boolean(), expert: z.boolean() }).describe('The other kinds of help this repository offers'),
  })
  .meta({ id: 'Answer' });

export const feedbackBody = z.object({ helpful: z.boolean() });
export const feedbackOut = z.object({ id: z.uuid(), helpful: z.boolean() });

export const settingsBody = z
  .object({
    enabled: z.boolean().describe('AI answers on or off (the repository offering "ai")'),
    extraInstructions: z.string().trim().max(2000),
    sourceIds: z.array(z.uuid()).max(100).nullable().describe('Answer from these sources only; null: all'),
    answerLength: z.enum(['short', 'medium', 'long']),
    // Kept to 3 decimals: the column is a 4-byte real, where a value as small as 5e-324 would underflow.
    threshold: z
      .number()
      .min(0)
      .max(1)
      .transform((value) => Math.round(value * 1000) / 1000)
      .describe('Confidence under which the answer is declined, kept to 3 decimals'),
  })
  .partial()
  .strict();

export const settingsOut = z
  .object({
    enabled: z.boolean(),
    extraInstructions: z.string(),
    sourceIds: z.array(z.uuid()).nullable(),
    answerLength: z.enum(['short', 'medium', 'long']),
    threshold: z.number(),
    mode: z.enum(['extractive', 'generated']).describe('generated when the platform has a language model configured'),
  })
  .meta({ id: 'AiSettings' });

export const statsQuery = z.object({
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().describe('Start (inclusive); default 30 days before `to`'),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional().describe('End (exclusive); default now'),
});

export const statsOut = z
  .object({
    from: isoDate,
    to: isoDate,
    questions: z.number().int(),
    answered: z.number().int(),
    declined: z.number().int(),
    helpful: z.number().int(),
    unhelpful: z.number().int(),
    deflectionRate: z.number().describe('Answers marked helpful over all questions: resolved by AI without a human'),
    topUnanswered: z.array(z.object({ question: z.string(), count: z.number().int(), lastAskedAt: isoDate })).describe('Declined or unhelpful questions: what to document next'),
  })
  .meta({ id: 'AiStats' });

export const consentBody = z.object({ consent: z.boolean() });
export const consentOut = z.object({ ticketId: z.uuid(), consent: z.boolean(), consentedAt: isoDate.nullable() });

export const knowledgeErrors = { ...errorResponses, 413: errorResponses[400] };

export type CreateSourceInput = z.output<typeof createSourceBody>;
export type UpdateSourceInput = z.output<typeof updateSourceBody>;
export type SettingsInput = z.output<typeof settingsBody>;
