import { toIso } from '../../http/schemas.ts';
import type { IngestionRow, SettingsRow, SourceRow } from './knowledge.repository.ts';

export type SourceConfig = {
  path?: string;
  url?: string;
  ref?: string | null;
  subdir?: string | null;
  entries?: { question: string; answer: string }[];
};

export const configOf = (row: SourceRow) => row.config as SourceConfig;

export function presentSource(row: SourceRow, counts = { documents: 0, passages: 0 }) {
  const config = configOf(row);
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    path: config.path ?? null,
    url: config.url ?? null,
    ref: config.ref ?? null,
    subdir: config.subdir ?? null,
    entries: config.entries ?? null,
    baseUrl: row.base_url,
    scheduleMinutes: row.schedule_minutes,
    documents: counts.documents,
    passages: counts.passages,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function presentIngestion(row: IngestionRow) {
  return {
    id: row.id,
    sourceId: row.source_id,
    trigger: row.trigger,
    status: row.status,
    filesSeen: row.files_seen,
    filesIndexed: row.files_indexed,
    filesUnchanged: row.files_unchanged,
    filesRemoved: row.files_removed,
    passagesAdded: row.passages_added,
    passagesRemoved: row.passages_removed,
    skipped: row.skipped as { path: string; reason: string }[],
    error: row.error,
    startedAt: toIso(row.started_at),
    finishedAt: toIso(row.finished_at),
    createdAt: row.created_at.toISOString(),
  };
}

export function presentSettings(row: SettingsRow | undefined, enabled: boolean, generated: boolean, defaultThreshold: number) {
  return {
    enabled,
    extraInstructions: row?.extra_instructions ?? '',
    sourceIds: row?.source_ids ?? null,
    answerLength: row?.answer_length ?? 'medium',
    threshold: row ? Math.round(row.threshold * 1000) / 1000 : defaultThreshold,
    mode: generated ? ('generated' as const) : ('extractive' as const),
  };
}

export function presentAnswer(answer: { id: string; answer: string; citations: { title: string; url: string }[]; confidence: number; mode: 'extractive' | 'generated'; declined: boolean; handoff: { community: boolean; expert: boolean } }) {
  return {
    id: answer.id,
    answer: answer.answer,
    citations: answer.citations.map((citation) => ({ title: citation.title, url: citation.url })),
    confidence: answer.confidence,
    mode: answer.mode,
    declined: answer.declined,
    handoff: answer.handoff,
  };
}
