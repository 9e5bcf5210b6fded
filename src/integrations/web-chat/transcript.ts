import type { Selectable } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type { WebChatAuthor, WebChatMessagesTable } from '../../db/types.ts';
import { parseAction } from '../../modules/assistant/assistant.actions.ts';
import type { ChannelPort, Message } from '../../modules/assistant/assistant.types.ts';

export type TranscriptRow = Selectable<WebChatMessagesTable>;
export type TranscriptEntry = { author: WebChatAuthor; authorName?: string | null; inputId?: string; body: Message | VisitorInput };
/** What the visitor sent, as the transcript shows it. */
export type VisitorInput = { text: string };

/**
 * Everything a web conversation shows, in order (web_chat_messages). Each insert notifies the live
 * streams of every process on commit (a trigger, migration 0021), so writers here tell no one.
 */
export const transcript = {
  /** Appends entries in order; undefined when the visitor's input id was taken before (a resent input). */
  async append(db: Queryable, conversationId: string, now: Date, entries: TranscriptEntry[]): Promise<TranscriptRow[] | undefined> {
    if (entries.length === 0) return [];
    const rows = await db
      .insertInto('web_chat_messages')
      .values(entries.map((entry) => ({ conversation_id: conversationId, input_id: entry.inputId ?? null, author: entry.author, author_name: entry.authorName ?? null, body: JSON.stringify(entry.body), created_at: now })))
      .onConflict((oc) => oc.columns(['conversation_id', 'input_id']).doNothing())
      .returningAll()
      .execute();
    return rows.length === entries.length ? rows.sort((a, b) => a.seq - b.seq) : undefined;
  },

  after(db: Queryable, conversationId: string, seq: number, limit = 200): Promise<TranscriptRow[]> {
    return db.selectFrom('web_chat_messages').selectAll().where('conversation_id', '=', conversationId).where('seq', '>', seq).orderBy('seq').limit(limit).execute();
  },
};

/** The helpers' tools on a ticket's messages: in a Discord thread helpers see them; a web conversation is the customer's alone. */
const HELPER_STEPS = new Set(['claim', 'quote', 'time', 'resolve']);
const forTheCustomer = (message: Message): Message => ({
  ...message,
  buttons: message.buttons?.filter((button) => {
    const action = parseAction(button.action);
    return !(action?.scope === 't' && HELPER_STEPS.has(action.step));
  }),
});

/** The web chat's outbound half: pushed messages (status updates, quotes, helpers' replies) join the transcript. */
export function webPort(db: Queryable, now: () => Date): ChannelPort {
  return {
    async deliver(conversation, _audience, messages) {
      // The web chat has no public thread: the ticket's messages and private ones go to the same visitor.
      const entries = messages.map(forTheCustomer).map((message) => ({ author: message.from ? ('helper' as const) : ('assistant' as const), authorName: message.from?.name ?? null, body: message }));
      await transcript.append(db, conversation.id, now(), entries);
      return {};
    },
  };
}
