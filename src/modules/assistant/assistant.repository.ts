import { sql, type Insertable, type Selectable } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type { ChatEventsTable, ChatProvider, ConversationsTable, ExternalIdentitiesTable, WebVisitorsTable } from '../../db/types.ts';
import type { Place } from './assistant.types.ts';

export type ConversationRow = Selectable<ConversationsTable>;
export type IdentityRow = Selectable<ExternalIdentitiesTable>;

export function findConversation(db: Queryable, id: string, options: { lock?: boolean } = {}): Promise<ConversationRow | undefined> {
  const query = db.selectFrom('conversations').selectAll().where('id', '=', id);
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

/** The person's latest conversation in this place, which a plain message continues. */
export function latestConversation(db: Queryable, place: Place): Promise<ConversationRow | undefined> {
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('channel', '=', place.channel)
    .where('external_workspace', '=', place.workspace)
    .where('external_channel', '=', place.channelId)
    .where('external_user', '=', place.user.id)
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertConversation(db: Queryable, row: Insertable<ConversationsTable>): Promise<void> {
  await db.insertInto('conversations').values(row).execute();
}

export async function updateConversation(
  db: Queryable,
  id: string,
  changes: { state?: string; repo_id?: string | null; ticket_id?: string | null; external_thread?: string | null; data?: Record<string, unknown>; updated_at: Date },
): Promise<void> {
  const { data, ...rest } = changes;
  await db
    .updateTable('conversations')
    .set({ ...rest, ...(data ? { data: JSON.stringify(data) } : {}) })
    .where('id', '=', id)
    .execute();
}

/** Compare-and-set on the state: false when the conversation was no longer at `from`. */
export async function moveConversationIfState(db: Queryable, id: string, from: string, to: string, now: Date): Promise<boolean> {
  const result = await db.updateTable('conversations').set({ state: to, updated_at: now }).where('id', '=', id).where('state', '=', from).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The conversation whose ticket lives in this thread (helper commands typed inside a ticket's thread). */
export function conversationOfThread(db: Queryable, channel: ConversationsTable['channel'], threadId: string): Promise<ConversationRow | undefined> {
  return db.selectFrom('conversations').selectAll().where('channel', '=', channel).where('external_thread', '=', threadId).where('ticket_id', 'is not', null).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** A chat thread that no longer exists (deleted on the platform): its conversations forget it, so the next message opens a new one. */
export async function forgetThread(db: Queryable, channel: ConversationsTable['channel'], threadId: string, now: Date): Promise<number> {
  const result = await db.updateTable('conversations').set({ external_thread: null, updated_at: now }).where('channel', '=', channel).where('external_thread', '=', threadId).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function conversationsOfTicket(db: Queryable, ticketId: string): Promise<ConversationRow[]> {
  return db.selectFrom('conversations').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
}

export function findIdentity(db: Queryable, provider: ChatProvider, workspace: string, externalUser: string): Promise<IdentityRow | undefined> {
  return db
    .selectFrom('external_identities')
    .selectAll()
    .where('provider', '=', provider)
    .where('workspace', '=', workspace)
    .where('external_user', '=', externalUser)
    .executeTakeFirst();
}

/** Inserts the identity unless it exists; concurrent first contacts end with one row. */
export async function insertIdentity(db: Queryable, row: Insertable<ExternalIdentitiesTable>): Promise<void> {
  await db
    .insertInto('external_identities')
    .values(row)
    .onConflict((oc) => oc.columns(['provider', 'workspace', 'external_user']).doNothing())
    .execute();
}

export async function updateIdentity(
  db: Queryable,
  key: { provider: ChatProvider; workspace: string; externalUser: string },
  changes: { user_id?: string; display_name?: string; email_verified_at?: Date | null; updated_at: Date },
): Promise<void> {
  await db
    .updateTable('external_identities')
    .set(changes)
    .where('provider', '=', key.provider)
    .where('workspace', '=', key.workspace)
    .where('external_user', '=', key.externalUser)
    .execute();
}

/** The chat identities of a user in one provider (where to reach a helper privately). */
export function identitiesOfUser(db: Queryable, provider: ChatProvider, userId: string): Promise<IdentityRow[]> {
  return db.selectFrom('external_identities').selectAll().where('provider', '=', provider).where('user_id', '=', userId).execute();
}

/** Returns the new event's id, or undefined when this (provider, external_id) was stored before. */
export async function insertChatEvent(db: Queryable, row: Insertable<ChatEventsTable>): Promise<string | undefined> {
  const inserted = await db
    .insertInto('chat_events')
    .values(row)
    .onConflict((oc) => oc.columns(['provider', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id;
}

/** A chat event to store and the job to enqueue when it is new; `job.payload` is its JSON text. */
export type EventWithJob = { row: Insertable<ChatEventsTable> & { id: string; received_at: Date; payload: string }; job: { id: string; queue: string; payload: string; max_attempts: number } };

/**
 * Stores events and, for each one that is new, the job that handles it, in one statement: one round trip
 * and one commit for the whole batch (see GroupCommit), where a transaction around two inserts took four
 * per event (BEGIN, insert, insert, COMMIT). The rows travel as arrays, so the statement's text is the
 * same whatever the batch size and is prepared once per connection. Returns, in order, whether each event
 * was new: false when this (provider, external_id) was stored before, or earlier in the same batch.
 */
export async function insertChatEventsWithJobs(db: Queryable, items: EventWithJob[]): Promise<boolean[]> {
  const column = <K extends string>(pick: (item: EventWithJob) => unknown) => items.map(pick) as unknown[] as K[];
  const result = await sql<{ id: string }>`
    WITH input AS (
      SELECT * FROM unnest(${column((item) => item.row.id)}::uuid[], ${column((item) => item.row.provider)}::text[], ${column((item) => item.row.external_id)}::text[],
        ${column((item) => item.row.type)}::text[], ${column((item) => item.row.payload)}::jsonb[], ${column((item) => item.row.received_at)}::timestamptz[],
        ${column((item) => item.job.id)}::uuid[], ${column((item) => item.job.queue)}::text[], ${column((item) => item.job.payload)}::jsonb[], ${column((item) => item.job.max_attempts)}::int[])
        WITH ORDINALITY AS input(id, provider, external_id, type, payload, received_at, job_id, queue, job_payload, max_attempts, position)
    ), recorded AS (
      INSERT INTO chat_events (id, provider, external_id, type, payload, received_at, handled_at)
      SELECT id, provider, external_id, type, payload, received_at, NULL FROM input ORDER BY position
      ON CONFLICT (provider, external_id) DO NOTHING
      RETURNING id
    ), enqueued AS (
      -- The job exists if and only if its event is new.
      INSERT INTO jobs (id, queue, payload, run_at, max_attempts, created_at)
      SELECT input.job_id, input.queue, input.job_payload, input.received_at, input.max_attempts, input.received_at FROM input JOIN recorded USING (id)
    )
    SELECT id FROM recorded`.execute(db);
  const stored = new Set(result.rows.map((row) => row.id));
  return items.map((item) => stored.has(item.row.id));
}

export function findChatEvent(db: Queryable, id: string) {
  return db.selectFrom('chat_events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** True when this call marked it; false when it was handled already: the guard that makes handling once. */
export async function markChatEventHandled(db: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await db.updateTable('chat_events').set({ handled_at: now }).where('id', '=', id).where('handled_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function findVisitor(db: Queryable, id: string) {
  return db.selectFrom('web_visitors').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts the visitor unless it exists; concurrent first inputs end with one row. */
export async function insertVisitor(db: Queryable, row: Insertable<WebVisitorsTable>): Promise<void> {
  await db.insertInto('web_visitors').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
}

export async function updateVisitor(db: Queryable, id: string, changes: { user_id: string; email_verified_at: Date; updated_at: Date }): Promise<void> {
  await db.updateTable('web_visitors').set(changes).where('id', '=', id).execute();
}

/** Deletes chat events received before `before`, at most `limit` of them; returns how many went. */
export async function deleteChatEventsBefore(db: Queryable, before: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('chat_events')
    .where('id', 'in', db.selectFrom('chat_events').select('id').where('received_at', '<', before).limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
