import path from 'node:path';
import type { Insertable } from 'kysely';
import type { KnowledgePassagesTable } from '../../db/types.ts';
import type { Deps } from '../../deps.ts';
import type { LlmClient } from '../../integrations/llm/client.ts';
import { newId } from '../../lib/ids.ts';
import type { IndexCache } from './knowledge.cache.ts';
import { chunkDocument } from './knowledge.chunking.ts';
import * as store from './knowledge.repository.ts';
import { sha256 } from './knowledge.text.ts';
import type { SourceDocument, Skipped } from './sources/files.ts';

export type Progress = (done: number, total: number) => void;

export type ApplyInput = {
  repoId: string;
  sourceId: string;
  ingestionId: string;
  documents: SourceDocument[];
  skipped: Skipped[];
  /** True when `documents` is the whole source: documents not in it were deleted and leave the index. */
  complete: boolean;
  onProgress?: Progress;
};

/** The skipped list a report keeps: enough to act on, bounded so a huge repository cannot bloat a row. */
const MAX_SKIPPED_IN_REPORT = 500;
const EMBEDDING_BATCH = 64;

function linkOf(document: SourceDocument, anchor: string): string {
  const base = document.link ?? document.path;
  return anchor ? `${base}#${anchor}` : base;
}

/**
 * Writes what changed in a source since its last ingestion, in one transaction: a document whose
 * content hash is unchanged is skipped, a changed one has its passages replaced, a vanished one is
 * removed. The repository's index version goes up in the same transaction when anything changed,
 * so every process's cached index reloads. The ingestion report is completed in it too.
 */
export async function applyDocuments(deps: Deps, llm: LlmClient | null, cache: IndexCache, input: ApplyInput) {
  const { db, clock, logger } = deps;
  const existing = new Map((await store.documentsOf(db, input.sourceId)).map((row) => [row.path, row]));
  const seen = new Set<string>();
  type PassageRow = Insertable<KnowledgePassagesTable> & { embedding: number[] | null };
  const changed: { id: string; path: string; hash: string; passages: PassageRow[] }[] = [];
  let unchanged = 0;
  input.documents.forEach((document, position) => {
    seen.add(document.path);
    // The link is part of the hash: a new base URL must re-link passages whose text did not change.
    const hash = sha256(`${document.link ?? document.path}\n${document.content}`);
    if (existing.get(document.path)?.content_hash === hash) unchanged++;
    else {
      const id = newId();
      const sections = chunkDocument(document.format ? `${path.basename(document.path, path.extname(document.path))}${document.format}` : document.path, document.content);
      const passages = sections.map((section, index) => ({
        id: newId(),
        repo_id: input.repoId,
        source_id: input.sourceId,
        document_id: id,
        position: index,
        title_path: section.titlePath,
        anchor: section.anchor,
        url: linkOf(document, section.anchor),
        text: section.text,
        content_hash: sha256(`${section.titlePath.join('\n')}\n${section.text}`),
        embedding: null,
      }));
      changed.push({ id, path: document.path, hash, passages });
    }
    input.onProgress?.(position + 1, input.documents.length);
  });
  const newPassages = changed.flatMap((document) => document.passages);
  if (llm?.embed && newPassages.length) await addEmbeddings(llm.embed, newPassages, logger);

  const removedIds = input.complete ? [...existing.values()].filter((row) => !seen.has(row.path)).map((row) => row.id) : [];
  const replacedIds = changed.map((document) => existing.get(document.path)?.id).filter((id): id is string => Boolean(id));
  const now = clock.now();
  await db.transaction().execute(async (trx) => {
    const passagesRemoved = await store.deleteDocuments(trx, [...replacedIds, ...removedIds]);
    for (const document of changed) {
      await store.insertDocument(trx, { id: document.id, repo_id: input.repoId, source_id: input.sourceId, path: document.path, content_hash: document.hash, updated_at: now });
    }
    await store.insertPassages(trx, newPassages);
    if (changed.length || removedIds.length) await store.bumpIndexVersion(trx, input.repoId, now);
    await store.updateIngestion(trx, input.ingestionId, {
      status: 'succeeded',
      files_seen: input.documents.length + input.skipped.length,
      files_indexed: changed.length,
      files_unchanged: unchanged,
      files_removed: removedIds.length,
      passages_added: newPassages.length,
      passages_removed: passagesRemoved,
      skipped: JSON.stringify(input.skipped.slice(0, MAX_SKIPPED_IN_REPORT)),
      finished_at: now,
    });
  });
  cache.invalidate();
}

/** Vectors for hybrid retrieval; when the embeddings endpoint fails, the passages are still indexed by keyword. */
async function addEmbeddings(embed: (texts: string[]) => Promise<number[][]>, passages: { title_path: string[]; text: string; embedding: number[] | null }[], logger: Deps['logger']) {
  try {
    for (let start = 0; start < passages.length; start += EMBEDDING_BATCH) {
      const batch = passages.slice(start, start + EMBEDDING_BATCH);
      const vectors = await embed(batch.map((passage) => `${passage.title_path.join(' › ')}\n${passage.text}`));
      batch.forEach((passage, index) => (passage.embedding = vectors[index] ?? null));
    }
  } catch (error) {
    logger.warn({ err: error }, 'embeddings failed: passages are indexed for keyword search only');
    for (const passage of passages) passage.embedding = null;
  }
}
