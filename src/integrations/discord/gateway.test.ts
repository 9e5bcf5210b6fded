import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MessageType } from 'discord-api-types/v10';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { buttonOf, command, discordPlace, linkChatAccount, press, recordingChannel, submit } from '../../../test/helpers/assistant.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { approvedHelper } from '../../../test/helpers/support.ts';
import { BOT_USER_ID, message, ready } from '../../../test/fixtures/discord/gateway.ts';

let ctx: TestContext;
let pushed: ReturnType<typeof recordingChannel>;
before(async () => {
  ctx = await startTestApp();
  pushed = recordingChannel(ctx);
});
after(() => ctx.close());

const THREAD = '1300000000000000500';
const CUSTOMER = { id: '200000000000000701', username: 'kim', globalName: 'Kim' };
const HELPER = { id: '200000000000000702', username: 'ada' };

/** A community question asked in Discord whose ticket lives in THREAD, and an approved helper with a linked chat account. */
async function ticketInThread() {
  const repo = await createRepo(ctx);
  await ctx.db.updateTable('repos').set({ offers_ai: false }).where('id', '=', repo.id).execute();
  const helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
  await linkChatAccount(ctx, discordPlace(HELPER.id, HELPER.username), helper.email);
  const place = discordPlace(CUSTOMER.id, CUSTOMER.username);
  const [form] = await ctx.services.assistant.handle(place, command('support', { repository: repo.fullName }));
  const [tracks] = await ctx.services.assistant.handle(place, submit(form.form!.action, { title: 'Slow start', body: 'The first job takes a minute.' }));
  await ctx.services.assistant.handle(place, press(buttonOf(tracks, 'Ask the community')));
  await ctx.jobs.drain();
  const ticket = await ctx.db.selectFrom('tickets').select(['id', 'requester_id']).where('repo_id', '=', repo.id).executeTakeFirstOrThrow();
  await ctx.db.updateTable('conversations').set({ external_thread: THREAD }).where('ticket_id', '=', ticket.id).execute();
  return { ticket, helper };
}

const messagesOf = (ticketId: string) => ctx.db.selectFrom('ticket_messages').select(['body', 'channel', 'author_id']).where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();
const storedEvents = async () => Number((await ctx.db.selectFrom('chat_events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'message_create').executeTakeFirstOrThrow()).n);

test('MESSAGE_CREATE in a ticket\'s thread is mirrored to the ticket as its author, once; the bot\'s own messages, notices and other channels are not', async () => {
  const { ticket, helper } = await ticketInThread();
  const gateway = ctx.services.discordThreads;
  await gateway.dispatch(ready);

  const fromCustomer = message({ id: '1300000000000001001', channelId: THREAD, author: CUSTOMER, content: 'It happens on Node 24 only.' });
  await gateway.dispatch(fromCustomer);
  await gateway.dispatch(fromCustomer); // a resumed session replays what it missed
  await gateway.dispatch(message({ id: '1300000000000001002', channelId: THREAD, author: { id: BOT_USER_ID, username: 'Backline', bot: true }, content: '<@200000000000000701> Ada Helper is working on this ticket.' }));
  await gateway.dispatch(message({ id: '1300000000000001003', channelId: THREAD, author: CUSTOMER, content: '', type: MessageType.ChannelPinnedMessage }));
  await gateway.dispatch(message({ id: '1300000000000001004', channelId: '1300000000000000777', author: CUSTOMER, content: 'Unrelated chatter in another channel.' }));
  assert.equal(await storedEvents(), 1, 'only the customer\'s message in the ticket thread is stored, once');
  await ctx.jobs.drain();

  const pushesBefore = pushed.length;
  await gateway.dispatch(message({ id: '1300000000000001005', channelId: THREAD, author: HELPER, content: 'Try `prewarm: true`.', nick: 'Ada (maintainer team)' }));
  await ctx.jobs.drain();

  const mirrored = await messagesOf(ticket.id);
  assert.deepEqual(mirrored, [
    { body: 'It happens on Node 24 only.', channel: 'discord', author_id: ticket.requester_id },
    { body: 'Try `prewarm: true`.', channel: 'discord', author_id: helper.id },
  ]);
  assert.equal(pushed.length, pushesBefore, 'a reply written in the thread is not posted back into it');
});

test('a bystander on an expert ticket is not mirrored; without DISCORD_BOT_TOKEN the gateway does not start', async () => {
  const { ticket } = await ticketInThread();
  await ctx.db.updateTable('tickets').set({ track: 'expert' }).where('id', '=', ticket.id).execute();
  await ctx.services.discordThreads.dispatch(message({ id: '1300000000000002001', channelId: THREAD, author: { id: '200000000000000799', username: 'lurker' }, content: 'Me too!' }));
  await ctx.jobs.drain();
  assert.deepEqual(await messagesOf(ticket.id), []);
  assert.equal(await ctx.services.discordThreads.start(), null);
});
