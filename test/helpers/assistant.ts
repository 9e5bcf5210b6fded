import assert from 'node:assert/strict';
import type { Audience, ConversationRef, Input, Message, Place } from '../../src/modules/assistant/assistant.types.ts';
import type { TestContext } from './app.ts';

/** A chat place for one person: Discord-shaped ids, one guild and support channel. */
export function discordPlace(userId: string, name: string, channelId = '1000000000000000001'): Place {
  return { channel: 'discord', workspace: '900000000000000001', channelId, threadId: null, user: { id: userId, name } };
}

let inputs = 0;
const inputId = () => `test-input-${++inputs}`;

export const command = (name: string, options: Record<string, string> = {}): Input => ({ kind: 'command', id: inputId(), name, options });
export const press = (action: string): Input => ({ kind: 'button', id: inputId(), action });
export const choose = (action: string, value: string): Input => ({ kind: 'choice', id: inputId(), action, value });
export const submit = (action: string, fields: Record<string, string>): Input => ({ kind: 'form', id: inputId(), action, fields });
export const type = (text: string): Input => ({ kind: 'text', id: inputId(), text });

/** Button actions of a message by their label's beginning. */
export function buttonOf(message: Message | undefined, label: string): string {
  const button = message?.buttons?.find((candidate) => candidate.label.startsWith(label));
  assert.ok(button, `no button "${label}" in ${JSON.stringify(message)}`);
  return button.action;
}

/** The six-digit code in the last email to `to`. */
export async function codeMailedTo(ctx: TestContext, to: string): Promise<string> {
  await ctx.jobs.drain();
  const email = ctx.sent.findLast((candidate) => candidate.to === to && /Your Backline code/.test(candidate.subject));
  assert.ok(email, `no code was mailed to ${to}`);
  return /(\d{6})/.exec(email.subject)![1];
}

/** /link and the emailed code: the chat account then acts as the Backline user with that email. */
export async function linkChatAccount(ctx: TestContext, place: Place, email: string): Promise<void> {
  const { assistant } = ctx.services;
  const [asked] = await assistant.handle(place, command('link'));
  assert.ok(asked.form, JSON.stringify(asked));
  const [sent] = await assistant.handle(place, submit(asked.form.action, { email }));
  const [form] = await assistant.handle(place, press(buttonOf(sent, 'Enter the code')));
  const [done] = await assistant.handle(place, submit(form.form!.action, { code: await codeMailedTo(ctx, email) }));
  assert.match(done.text, /is confirmed/);
}

/** A channel port that records what the engine pushes, as a channel adapter would post it. */
export function recordingChannel(ctx: TestContext) {
  const pushed: { conversation: ConversationRef; audience: Audience; messages: Message[] }[] = [];
  ctx.services.assistant.registerChannel('discord', {
    async deliver(conversation, audience, messages) {
      pushed.push({ conversation, audience, messages });
      return { threadId: conversation.threadId ?? `thread-of-${conversation.ticketId}` };
    },
  });
  return pushed;
}
