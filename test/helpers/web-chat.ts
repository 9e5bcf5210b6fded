import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from './app.ts';
import { createRepo, createUser } from './factories.ts';
import { client } from './http.ts';
import { approvedHelper } from './support.ts';

/** A visitor of the web chat, through its public API (src/integrations/web-chat). */

export type Entry = { seq: number; author: string; authorName: string | null; text: string; buttons: { action: string; label: string }[]; links: { url: string }[]; choices: { action: string; options: { value: string; label: string }[] } | null; form: { action: string; title: string } | null };
export type Chat = { id: string; token: string };

export async function startChat(ctx: TestContext, repo: string): Promise<Chat & { messages: Entry[] }> {
  const started = await client(ctx).post('/api/v1/chat/conversations', { repo });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  return { id: started.body.conversation.id, token: started.body.token, messages: started.body.messages };
}

export async function send(ctx: TestContext, chat: Chat, input: Record<string, unknown>): Promise<Entry[]> {
  const sent = await client(ctx).post(`/api/v1/chat/conversations/${chat.id}/inputs`, { id: randomUUID(), ...input }, { 'x-chat-token': chat.token });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  return sent.body.messages;
}

export async function transcriptOf(ctx: TestContext, chat: Chat): Promise<Entry[]> {
  const read = await client(ctx).get(`/api/v1/chat/conversations/${chat.id}`, { 'x-chat-token': chat.token });
  assert.equal(read.status, 200, JSON.stringify(read.body));
  return read.body.messages;
}

export const replyWith = (entries: Entry[], pattern: RegExp) => {
  const found = entries.findLast((entry) => entry.author !== 'visitor' && pattern.test(entry.text));
  assert.ok(found, `no reply matching ${pattern} in ${JSON.stringify(entries.map((entry) => entry.text))}`);
  return found;
};

export const button = (entry: Entry, label: string) => {
  const found = entry.buttons.find((candidate) => candidate.label.startsWith(label));
  assert.ok(found, `no button "${label}" in ${JSON.stringify(entry)}`);
  return { kind: 'button', action: found.action, label: found.label };
};

/** An expert-helped repository without AI answers: a fixed offering in EUR and an approved helper. */
export async function supportedRepo(ctx: TestContext) {
  const repo = await createRepo(ctx, { expert: true });
  await ctx.db.updateTable('repos').set({ offers_ai: false, currency: 'EUR' }).where('id', '=', repo.id).execute();
  const offering = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/offerings`, { kind: 'fixed', name: 'Quick fix', currency: 'EUR', prices: [{ currency: 'EUR', price: 5000 }] });
  assert.equal(offering.status, 201, JSON.stringify(offering.body));
  const helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
  return { ...repo, offeringId: offering.body.id as string, helper };
}

/** A visitor's chat with a community ticket open on it: what a helper's reply reaches. */
export async function chatWithTicket(ctx: TestContext, repo: Awaited<ReturnType<typeof supportedRepo>>) {
  const chat = await startChat(ctx, repo.fullName);
  const tracks = replyWith(await send(ctx, chat, { kind: 'form', action: chat.messages[0].form!.action, fields: { title: 'Slow start', body: 'The first job takes a minute.' } }), /How would you like/);
  replyWith(await send(ctx, chat, button(tracks, 'Ask the community')), /posted your question/);
  await ctx.jobs.drain();
  const ticketId = (await ctx.db.selectFrom('conversations').select('ticket_id').where('id', '=', chat.id).executeTakeFirstOrThrow()).ticket_id!;
  return { chat, ticketId, known: await transcriptOf(ctx, chat) };
}

/**
 * The live stream (SSE) of a chat as a browser reads it, over a real socket. A stream that stays silent
 * fails the read after `timeoutMs` rather than hanging the test.
 */
export async function openStream(address: string, chat: Chat, headers: Record<string, string> = {}, timeoutMs = 15_000) {
  const aborter = new AbortController();
  const response = await fetch(`${address}/api/v1/chat/conversations/${chat.id}/events`, { headers: { 'x-chat-token': chat.token, ...headers }, signal: AbortSignal.any([aborter.signal, AbortSignal.timeout(timeoutMs)]) });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  return {
    response,
    async nextEvent(): Promise<{ id: string; data: Entry }> {
      for (;;) {
        const block = /(?:^|\n\n)(id: (\d+)\nevent: message\ndata: (.*))\n\n/.exec(buffered);
        if (block) {
          buffered = buffered.slice(block.index + block[0].length);
          return { id: block[2], data: JSON.parse(block[3]) };
        }
        const chunk = await reader.read();
        assert.ok(!chunk.done, 'the stream ended early');
        buffered += decoder.decode(chunk.value, { stream: true });
      }
    },
    async close() {
      aborter.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}
