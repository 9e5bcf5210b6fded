import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { buttonOf, command, discordPlace, linkChatAccount, press, recordingChannel, submit } from '../../../test/helpers/assistant.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { approvedHelper } from '../../../test/helpers/support.ts';
import { discordGateway } from './gateway.ts';
import { IDS, messageCreate, ready, threadArchived, threadCreate, threadDelete } from '../../../test/fixtures/discord/gateway.ts';

let ctx: TestContext;
let pushed: ReturnType<typeof recordingChannel>;
before(async () => {
  ctx = await startTestApp();
  pushed = recordingChannel(ctx);
});
after(() => ctx.close());

/**
 * A community question asked in Discord by the fixtures' customer, whose ticket lives in the fixtures'
 * thread, and an approved helper whose Discord account (the fixtures' helper) is linked.
 */
async function ticketInThread() {
  const repo = await createRepo(ctx);
  await ctx.db.updateTable('repos').set({ offers_ai: false }).where('id', '=', repo.id).execute();
  const helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
  await linkChatAccount(ctx, discordPlace(IDS.helper.id, IDS.helper.username), helper.email);
  const place = discordPlace(IDS.customer.id, IDS.customer.username);
  const [form] = await ctx.services.assistant.handle(place, command('support', { repository: repo.fullName }));
  const [tracks] = await ctx.services.assistant.handle(place, submit(form.form!.action, { title: 'Slow start', body: 'The first job takes a minute.' }));
  await ctx.services.assistant.handle(place, press(buttonOf(tracks, 'Ask the community')));
  await ctx.jobs.drain();
  const ticket = await ctx.db.selectFrom('tickets').select(['id', 'requester_id']).where('repo_id', '=', repo.id).executeTakeFirstOrThrow();
  // Each test's ticket takes the thread over from the previous one (the recording channel creates no thread).
  await ctx.db.updateTable('conversations').set({ external_thread: null }).where('external_thread', '=', IDS.thread).execute();
  await ctx.db.updateTable('conversations').set({ external_thread: IDS.thread }).where('ticket_id', '=', ticket.id).execute();
  return { ticket, helper };
}

const messagesOf = (ticketId: string) => ctx.db.selectFrom('ticket_messages').select(['body', 'channel', 'author_id']).where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();
const storedEvents = async () => Number((await ctx.db.selectFrom('chat_events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'message_create').executeTakeFirstOrThrow()).n);

test('recorded MESSAGE_CREATE events in a ticket\'s thread are mirrored to the ticket as their authors, once; the bot\'s, a webhook\'s, notices, thread events and other channels are not', async () => {
  const { ticket, helper } = await ticketInThread();
  const gateway = ctx.services.discordThreads;
  const before = await storedEvents();
  await gateway.dispatch(ready());
  await gateway.dispatch(threadCreate());

  const fromCustomer = messageCreate('customer');
  await gateway.dispatch(fromCustomer);
  await gateway.dispatch(messageCreate('customer')); // a resumed session replays what it missed
  await gateway.dispatch(messageCreate('bot'));
  await gateway.dispatch(messageCreate('pin-notice'));
  await gateway.dispatch(messageCreate('webhook'));
  await gateway.dispatch(messageCreate('other-channel'));
  await gateway.dispatch(threadArchived());
  assert.equal(await storedEvents(), before + 1, 'only the customer\'s message in the ticket thread is stored, once');
  await ctx.jobs.drain();

  const pushesBefore = pushed.length;
  await gateway.dispatch(messageCreate('helper-reply'));
  await gateway.dispatch(messageCreate('attachment'));
  await ctx.jobs.drain();

  const attachment = messageCreate('attachment').d.attachments[0];
  assert.deepEqual(await messagesOf(ticket.id), [
    { body: fromCustomer.d.content, channel: 'discord', author_id: ticket.requester_id },
    { body: 'Try `prewarm: true`.', channel: 'discord', author_id: helper.id },
    { body: `Same with prewarm; the startup log:\n${attachment.url}`, channel: 'discord', author_id: ticket.requester_id },
  ]);
  assert.equal(pushed.length, pushesBefore, 'a reply written in the thread is not posted back into it');
  const failed = await ctx.db.selectFrom('jobs').select(['queue', 'last_error']).where('last_error', 'is not', null).execute();
  assert.deepEqual(failed, [], 'no job failed');
});

test('before READY names the bot, its own message is still not mirrored (author.bot)', async () => {
  const { ticket } = await ticketInThread();
  const fresh = discordGateway(ctx.deps, { assistant: ctx.services.assistant, tickets: ctx.services.tickets });
  const before = await storedEvents();
  await fresh.dispatch(messageCreate('bot'));
  await fresh.dispatch(messageCreate('webhook'));
  await ctx.jobs.drain();
  assert.equal(await storedEvents(), before);
  assert.deepEqual(await messagesOf(ticket.id), []);
});

test('a bystander on an expert ticket is not mirrored; a deleted thread is forgotten, so the next message opens a new one; without DISCORD_BOT_TOKEN the gateway does not start', async () => {
  const { ticket } = await ticketInThread();
  await ctx.db.updateTable('tickets').set({ track: 'expert' }).where('id', '=', ticket.id).execute();
  await ctx.services.discordThreads.dispatch(messageCreate('bystander'));
  await ctx.jobs.drain();
  assert.deepEqual(await messagesOf(ticket.id), []);
  const bystander = messageCreate('bystander').d;
  const identity = await ctx.db.selectFrom('external_identities').select('display_name').where('provider', '=', 'discord').where('external_user', '=', bystander.author.id).executeTakeFirstOrThrow();
  assert.equal(identity.display_name, bystander.member!.nick, 'a person is named by their server nickname first');

  await ctx.services.discordThreads.dispatch(threadDelete());
  const conversation = await ctx.db.selectFrom('conversations').select('external_thread').where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
  assert.equal(conversation.external_thread, null, 'the deleted thread is forgotten');
  await ctx.services.discordThreads.dispatch(messageCreate('customer'));
  await ctx.jobs.drain();
  assert.deepEqual(await messagesOf(ticket.id), [], 'a message in the deleted thread reaches no ticket');

  assert.equal(await ctx.services.discordThreads.start(), null);
});
