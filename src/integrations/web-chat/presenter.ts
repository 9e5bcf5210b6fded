import type { ConversationRow } from '../../modules/assistant/assistant.repository.ts';
import type { Message } from '../../modules/assistant/assistant.types.ts';
import type { TranscriptRow } from './transcript.ts';

export function presentEntry(row: TranscriptRow) {
  const body = row.body as Partial<Message>;
  return {
    seq: row.seq,
    author: row.author,
    authorName: row.author_name,
    text: body.text ?? '',
    buttons: body.buttons ?? [],
    links: body.links ?? [],
    choices: body.choices ?? null,
    form: body.form ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export function presentConversation(row: ConversationRow) {
  return { id: row.id, repo: row.external_channel, state: row.state, ticketId: row.ticket_id, createdAt: row.created_at.toISOString() };
}
