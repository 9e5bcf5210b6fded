import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type {
  KnowledgeAnswersTable,
  KnowledgeIngestionsTable,
  KnowledgePassagesTable,
  KnowledgeSettingsTable,
  KnowledgeSourcesTable,
} from '../../db/types.ts';
import type { IndexedPassage } from './knowledge.index.ts';

export type SourceRow = Selectable<KnowledgeSourcesTable>;
export type IngestionRow = Selectable<KnowledgeIngestionsTable>;
export type AnswerRow = Selectable<KnowledgeAnswersTable>;
export type SettingsRow = Selectable<KnowledgeSettingsTable>;

export async function findSettings(db: Queryable, repoId: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('knowledge_settings').selectAll().where('repo_id', '=', repoId).executeTakeFirst();
}

export async function upsertSettings(db: Queryable, repoId: string, changes: Updateable<KnowledgeSettingsTable> & { updated_at: Date }) {
  await db
    .insertInto('knowledge_settings')
    .values({ repo_id: repoId, source_ids: null, ...changes })
    .onConflict((oc) => oc.column('repo_id').doUpdateSet(changes))
    .execute();
}

/** In the transaction that changed the passages: processes whose cached index is older reload it. */
export async function bumpIndexVersion(trx: Queryable, repoId: string, now: Date): Promise<void> {
  await sql`
    INSERT INTO knowledge_settings (repo_id, index_version, updated_at) VALUES (${repoId}, 1, ${now})
    ON CONFLICT (repo_id) DO UPDATE SET index_version = knowledge_settings.index_version + 1`.execute(trx);
}

export async function insertSource(db: Queryable, row: Insertable<KnowledgeSourcesTable>) {
  await db.insertInto('knowledge_sources').values(row).execute();
}

export async function listSources(db: Queryable, repoId: string): Promise<SourceRow[]> {
  return db.selectFrom('knowledge_sources').selectAll().where('repo_id', '=', repoId).orderBy('created_at').orderBy('id').execute();
}

export async function findSource(db: Queryable, repoId: string, id: string): Promise<SourceRow | undefined> {
  return db.selectFrom('knowledge_sources').selectAll().where('repo_id', '=', repoId).where('id', '=', id).executeTakeFirst();
}

export async function findSourceById(db: Queryable, id: string): Promise<SourceRow | undefined> {
  return db.selectFrom('knowledge_sources').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateSource(db: Queryable, id: string, changes: Updateable<KnowledgeSourcesTable>) {
  await db.updateTable('knowledge_sources').set(changes).where('id', '=', id).execute();
}

/** Deletes the source; its documents and passages go with it (ON DELETE CASCADE). Returns the passages removed. */
export async function deleteSource(trx: Queryable, id: string): Promise<number> {
  const { count } = await trx
    .selectFrom('knowledge_passages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('source_id', '=', id)
    .executeTakeFirstOrThrow();
  await trx.deleteFrom('knowledge_sources').where('id', '=', id).execute();
  return Number(count);
}

export async function documentsOf(db: Queryable, sourceId: string) {
  return db.selectFrom('knowledge_documents').select(['id', 'path', 'content_hash']).where('source_id', '=', sourceId).execute();
}

export async function deleteDocuments(trx: Queryable, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const { count } = await trx
    .selectFrom('knowledge_passages')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('document_id', 'in', ids)
    .executeTakeFirstOrThrow();
  await trx.deleteFrom('knowledge_documents').where('id', 'in', ids).execute();
  return Number(count);
}

export async function insertDocument(trx: Queryable, row: { id: string; repo_id: string; source_id: string; path: string; content_hash: string; updated_at: Date }) {
  await trx.insertInto('knowledge_documents').values(row).execute();
}

/** Batches keep each statement under PostgreSQL's 65,535 bind parameters. */
export async function insertPassages(trx: Queryable, rows: Insertable<KnowledgePassagesTable>[]) {
  for (let start = 0; start < rows.length; start += 500) {
    await trx.insertInto('knowledge_passages').values(rows.slice(start, start + 500)).execute();
  }
}

export async function passagesForIndex(db: Queryable, repoId: string): Promise<IndexedPassage[]> {
  const rows = await db
    .selectFrom('knowledge_passages')
    .select(['id', 'source_id', 'title_path', 'url', 'text', 'embedding'])
    .where('repo_id', '=', repoId)
    .orderBy('source_id')
    .orderBy('document_id')
    .orderBy('position')
    .execute();
  return rows.map((row) => ({ id: row.id, sourceId: row.source_id, titlePath: row.title_path, url: row.url, text: row.text, embedding: row.embedding }));
}

export async function passageCounts(db: Queryable, repoId: string): Promise<Map<string, { documents: number; passages: number }>> {
  const rows = await db
    .selectFrom('knowledge_passages')
    .select((eb) => ['source_id', eb.fn.count<number>('document_id').distinct().as('documents'), eb.fn.countAll<number>().as('passages')])
    .where('repo_id', '=', repoId)
    .groupBy('source_id')
    .execute();
  return new Map(rows.map((row) => [row.source_id, { documents: Number(row.documents), passages: Number(row.passages) }]));
}

export async function insertIngestion(db: Queryable, row: Insertable<KnowledgeIngestionsTable>) {
  await db.insertInto('knowledge_ingestions').values(row).execute();
}

export async function updateIngestion(db: Queryable, id: string, changes: Updateable<KnowledgeIngestionsTable>) {
  await db.updateTable('knowledge_ingestions').set(changes).where('id', '=', id).execute();
}

export async function findIngestion(db: Queryable, id: string): Promise<IngestionRow | undefined> {
  return db.selectFrom('knowledge_ingestions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listIngestions(db: Queryable, repoId: string, limit: number): Promise<IngestionRow[]> {
  return db.selectFrom('knowledge_ingestions').selectAll().where('repo_id', '=', repoId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export type AnswerInsert = Insertable<KnowledgeAnswersTable>;

/** Several answers in one statement (the group commit's write): one result per row, in order. */
export async function insertAnswers(db: Queryable, rows: AnswerInsert[]): Promise<void[]> {
  await db.insertInto('knowledge_answers').values(rows).execute();
  return rows.map(() => undefined);
}

export async function findAnswer(db: Queryable, id: string): Promise<AnswerRow | undefined> {
  return db.selectFrom('knowledge_answers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setFeedback(db: Queryable, id: string, helpful: boolean, at: Date) {
  await db.updateTable('knowledge_answers').set({ helpful, feedback_at: at }).where('id', '=', id).execute();
}

/**
 * The repository's AI figures for [from, to). Deflection counts answers the asker marked helpful:
 * only they tell that the AI resolved the question without a human.
 */
export async function answerStats(db: Queryable, repoId: string, from: Date, to: Date) {
  const result = await sql<{ questions: number; answered: number; declined: number; helpful: number; unhelpful: number }>`
    SELECT count(*) AS questions,
           count(*) FILTER (WHERE NOT declined) AS answered,
           count(*) FILTER (WHERE declined) AS declined,
           count(*) FILTER (WHERE helpful) AS helpful,
           count(*) FILTER (WHERE helpful = false) AS unhelpful
    FROM knowledge_answers
    WHERE repo_id = ${repoId} AND created_at >= ${from} AND created_at < ${to}`.execute(db);
  const row = result.rows[0];
  return {
    questions: Number(row.questions),
    answered: Number(row.answered),
    declined: Number(row.declined),
    helpful: Number(row.helpful),
    unhelpful: Number(row.unhelpful),
  };
}

/** Gaps in the docs: declined or unhelpful answers, grouped by the question's normalized text. */
export async function topUnanswered(db: Queryable, repoId: string, from: Date, to: Date, limit: number) {
  const result = await sql<{ question: string; count: number; last_asked_at: Date }>`
    SELECT min(question) AS question, count(*) AS count, max(created_at) AS last_asked_at
    FROM knowledge_answers
    WHERE repo_id = ${repoId} AND created_at >= ${from} AND created_at < ${to}
      AND (declined OR helpful = false)
    GROUP BY trim(regexp_replace(lower(question), '[^[:alnum:]]+', ' ', 'g'))
    ORDER BY count(*) DESC, max(created_at) DESC
    LIMIT ${limit}`.execute(db);
  return result.rows.map((row) => ({ question: row.question, count: Number(row.count), lastAskedAt: new Date(row.last_asked_at) }));
}

export async function recordConsent(db: Queryable, row: { ticket_id: string; repo_id: string; consented_by: string; consented_at: Date }) {
  await db.insertInto('knowledge_ticket_consents').values(row).onConflict((oc) => oc.column('ticket_id').doNothing()).execute();
}

export async function withdrawConsent(db: Queryable, ticketId: string) {
  await db.deleteFrom('knowledge_ticket_consents').where('ticket_id', '=', ticketId).execute();
}

export async function findConsent(db: Queryable, ticketId: string) {
  return db.selectFrom('knowledge_ticket_consents').selectAll().where('ticket_id', '=', ticketId).executeTakeFirst();
}

export async function consentedTicketIds(db: Queryable, repoId: string): Promise<string[]> {
  const rows = await db.selectFrom('knowledge_ticket_consents').select('ticket_id').where('repo_id', '=', repoId).orderBy('consented_at').execute();
  return rows.map((row) => row.ticket_id);
}
