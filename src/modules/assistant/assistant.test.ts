import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DAY } from '../../lib/clock.ts';
import { startTestApp, type TestContext } from '../../../test/helpers/app.ts';
import { buttonOf, choose, codeMailedTo, command, discordPlace, linkChatAccount, press, recordingChannel, submit, type } from '../../../test/helpers/assistant.ts';
import { createRepo, createUser } from '../../../test/helpers/factories.ts';
import { addSource } from '../../../test/helpers/knowledge.ts';
import { approvedHelper } from '../../../test/helpers/support.ts';
import type { Message, Place } from './assistant.types.ts';

let ctx: TestContext;
let pushed: ReturnType<typeof recordingChannel>;
before(async () => {
  ctx = await startTestApp();
  pushed = recordingChannel(ctx);
});
after(() => ctx.close());

const say = (place: Place, input: Parameters<TestContext['services']['assistant']['handle']>[1]) => ctx.services.assistant.handle(place, input);
const counts = async () => ({
  tickets: Number((await ctx.db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  conversations: Number((await ctx.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  quotes: Number((await ctx.db.selectFrom('quotes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  payments: Number((await ctx.db.selectFrom('payments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
});
const privateOnly = (messages: Message[]) => assert.ok(messages.length === 1 && messages[0].ephemeral, `one private reply: ${JSON.stringify(messages)}`);

/** A repository with AI answers from a FAQ, community and expert help, a fixed offering, and an approved helper. */
async function supportedRepo() {
  const repo = await createRepo(ctx, { expert: true });
  await repo.maintainer.api.patch(`/api/v1/repos/${repo.fullName}`, { currency: 'EUR' });
  assert.equal((await repo.maintainer.api.put(`/api/v1/repos/${repo.fullName}/ai-settings`, { enabled: true })).status, 200);
  await addSource(ctx, repo.maintainer, repo.fullName, {
    kind: 'faq',
    baseUrl: 'https://docs.example.com/faq',
    entries: [{ question: 'How do I configure exponential backoff for retries?', answer: 'Set `backoff: "exponential"` in the queue options; the delay doubles after every failed attempt.' }],
  });
  const offering = await repo.maintainer.api.post(`/api/v1/repos/${repo.fullName}/offerings`, { kind: 'fixed', name: 'Quick fix', currency: 'EUR', prices: [{ currency: 'EUR', price: 5000 }] });
  assert.equal(offering.status, 201, JSON.stringify(offering.body));
  const helper = await approvedHelper(ctx, repo, await createUser(ctx, { name: 'Ada Helper' }));
  return { ...repo, offeringId: offering.body.id as string, helper };
}

describe('the conversation engine, without any channel', () => {
  test('/support -> describe -> an AI answer with citations -> "that solved it" marks the answer helpful and opens no ticket', async () => {
    const repo = await supportedRepo();
    const place = discordPlace('200000000000000001', 'carol');
    const [form] = await say(place, command('support', { repository: repo.fullName }));
    assert.equal(form.form?.title, 'Describe the problem');
    const [answer] = await say(place, submit(form.form!.action, { title: 'Exponential backoff', body: 'How do I configure exponential backoff for retries?' }));
    assert.ok(answer.ephemeral);
    assert.match(answer.text, /exponential/i);
    assert.ok(answer.links?.some((link) => link.url.startsWith('https://docs.example.com/faq')), 'the answer cites the FAQ');
    const before = await counts();
    const [thanks] = await say(place, press(buttonOf(answer, 'That solved it')));
    assert.match(thanks.text, /Glad that helped/);
    const stored = await ctx.db.selectFrom('knowledge_answers').select(['helpful']).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    assert.equal(stored.helpful, true);
    assert.deepEqual(await counts(), before);
  });

  test('typed text drives the same steps in channels without forms: repository by name, then the problem', async () => {
    const repo = await supportedRepo();
    await ctx.db.updateTable('repos').set({ offers_ai: false }).where('id', '=', repo.id).execute();
    const place = discordPlace('200000000000000002', 'dan');
    const [ask] = await say(place, command('support'));
    assert.match(ask.text, /Which repository/);
    const [describe] = await say(place, type(repo.fullName));
    assert.ok(describe.form, 'the repository was found by its name');
    const [choice] = await say(place, type('Workers hang\nAfter an hour every worker stops taking jobs.'));
    assert.deepEqual(choice.buttons?.map((button) => button.label), ['Ask the community (free)', 'Get an expert (paid)']);
    const [posted] = await say(place, press(buttonOf(choice, 'Ask the community')));
    assert.match(posted.text, /community answers/);
    const ticket = await ctx.db.selectFrom('tickets').selectAll().where('repo_id', '=', repo.id).executeTakeFirstOrThrow();
    assert.deepEqual([ticket.track, ticket.title, ticket.channel], ['community', 'Workers hang', 'discord']);
    await ctx.jobs.drain();
    const thread = pushed.find((push) => push.conversation.ticketId === ticket.id);
    assert.equal(thread?.audience, 'ticket');
    assert.match(thread!.messages[0].text, /Community question/);
  });

  test('the expert path: the email is proved with a code, an offering is bought, helpers claim, quote, log time and resolve from chat; the customer accepts, confirms and rates', async () => {
    const repo = await supportedRepo();
    const customer = discordPlace('200000000000000003', 'erin');
    const helperPlace = discordPlace('200000000000000004', 'ada');
    await linkChatAccount(ctx, helperPlace, repo.helper.email);

    const [form] = await say(customer, command('support', { repository: repo.fullName }));
    const [declined, tracks] = await say(customer, submit(form.form!.action, { title: 'Jobs vanish', body: 'Jobs disappear from the queue when the worker restarts.' }));
    assert.match(declined.text, /could not find this in the docs/, 'the docs do not cover it: no answer is guessed');
    const [emailForm] = await say(customer, press(buttonOf(tracks, 'Get an expert')));
    assert.equal(emailForm.form?.title, 'Your email address');
    const [sent] = await say(customer, submit(emailForm.form!.action, { email: 'erin@example.com' }));
    const [codeForm] = await say(customer, press(buttonOf(sent, 'Enter the code')));
    const code = await codeMailedTo(ctx, 'erin@example.com');
    const [wrong] = await say(customer, submit(codeForm.form!.action, { code: code === '000000' ? '111111' : '000000' }));
    assert.match(wrong.text, /wrong; 4 tries left/);
    const [confirmed, offerings] = await say(customer, submit(codeForm.form!.action, { code }));
    assert.match(confirmed.text, /erin@example.com is confirmed/);
    assert.deepEqual(offerings.choices?.options.map((option) => [option.label, option.description]), [['Quick fix', '€50.00'], ['Ask for a quote', 'A helper looks at it and names a price']]);

    const [paid] = await say(customer, choose(offerings.choices!.action, repo.offeringId));
    assert.match(paid.text, /Your ticket is open.*Pay €50.00/s);
    assert.match(paid.links![0].url, /\/auth\/magic\?token=/, 'the sandbox checkout opens through a one-time sign-in link');
    const ticket = await ctx.db.selectFrom('tickets').selectAll().where('repo_id', '=', repo.id).where('track', '=', 'expert').executeTakeFirstOrThrow();
    const requester = await ctx.db.selectFrom('users').select('email').where('id', '=', ticket.requester_id).executeTakeFirstOrThrow();
    assert.equal(requester.email, 'erin@example.com', 'the placeholder user took the proved address');
    await ctx.jobs.drain();
    const opened = pushed.find((push) => push.conversation.ticketId === ticket.id)!;
    const claim = buttonOf(opened.messages[0], 'Claim');

    const [claimed] = await say(helperPlace, press(claim));
    assert.match(claimed.text, /You claimed "Jobs vanish"/);
    await ctx.jobs.drain();
    assert.match(pushed.at(-1)!.messages[0].text, /Ada Helper is working on this ticket/);

    const [quoteForm] = await say(helperPlace, press(buttonOf(claimed, 'Send a quote')));
    assert.equal(quoteForm.form?.fields.find((field) => field.id === 'currency')?.value, 'EUR');
    const [quoted] = await say(helperPlace, submit(quoteForm.form!.action, { amount: '120.50', currency: 'eur', minutes: '90', description: 'Trace the restart path and patch it' }));
    assert.match(quoted.text, /Quote of €120.50 sent/);
    await ctx.jobs.drain();
    const quoteMessage = pushed.at(-1)!.messages[0];
    assert.match(quoteMessage.text, /quotes \*\*€120.50\*\*/);

    const [accepted] = await say(customer, press(buttonOf(quoteMessage, 'Accept')));
    assert.match(accepted.text, /Quote accepted. Pay €120.50/);
    const quote = await ctx.db.selectFrom('quotes').selectAll().where('ticket_id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual([quote.status, quote.amount], ['accepted', 12050]);

    const [timeForm] = await say(helperPlace, command('ticket', { ticket: ticket.id })).then(([shown]) => say(helperPlace, press(buttonOf(shown, 'Log time'))));
    assert.match((await say(helperPlace, submit(timeForm.form!.action, { minutes: '45', note: 'Found it' })))[0].text, /Logged 45 minutes/);
    assert.match((await say(helperPlace, command('resolve', { ticket: ticket.id, summary: 'Restarts now drain the queue first.' })))[0].text, /Marked resolved/);
    await ctx.jobs.drain();
    const resolvedNotice = pushed.at(-1)!.messages[0];
    assert.match(resolvedNotice.text, /Marked resolved: Restarts now drain/);
    const [thanks] = await say(customer, press(buttonOf(resolvedNotice, 'Confirm')));
    const [rated] = await say(customer, press(buttonOf(thanks, '★★★★★')));
    assert.match(rated.text, /Thanks for rating/);
    const closed = await ctx.db.selectFrom('tickets').select(['status', 'rating_score']).where('id', '=', ticket.id).executeTakeFirstOrThrow();
    assert.deepEqual(closed, { status: 'closed', rating_score: 5 });
  });
});

describe('bad input gets one short private reply and changes nothing', () => {
  test('unknown commands, unknown repositories, expired and malformed buttons, huge and binary messages, other people\'s buttons', async () => {
    const repo = await supportedRepo();
    const place = discordPlace('200000000000000010', 'frank');
    const stranger = discordPlace('200000000000000011', 'grace');
    const [form] = await say(place, command('support', { repository: repo.fullName }));
    const before = await counts();

    const cases: [Parameters<typeof say>[0], Parameters<typeof say>[1], RegExp][] = [
      [place, command('frobnicate'), /do not know the command \/frobnicate/],
      [place, command('support', { repository: 'nobody/nothing-here' }), /do not know the repository "nobody\/nothing-here"/],
      [place, press('x:not-an-action'), /expired/],
      [place, press(`c:${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}:solved`), /expired/],
      [place, press(form.form!.action.replace('describe', 'solved')), /expired/],
      [place, submit(form.form!.action, { title: 'Huge', body: 'x'.repeat(4001) }), /4001 characters long/],
      [place, submit(form.form!.action, { title: 'Binary', body: 'PK\u0003\u0004\u0000\u0000binary' }), /looks like binary data/],
      [place, submit(form.form!.action, { title: '   ', body: 'Something' }), /title is empty/],
      [stranger, submit(form.form!.action, { title: 'Mine now', body: 'Taking over.' }), /belongs to someone else/],
      [stranger, type('hello?'), /Run \/support/],
    ];
    for (const [who, input, expected] of cases) {
      const replies = await say(who, input);
      privateOnly(replies);
      assert.match(replies[0].text, expected);
    }
    assert.deepEqual(await counts(), before);

    ctx.clock.advance(DAY + 1);
    const [stale] = await say(place, submit(form.form!.action, { title: 'Late', body: 'A day later.' }));
    assert.match(stale.text, /expired/);
    assert.deepEqual(await counts(), before);
  });

  test('an unapproved helper pressing Claim and a non-customer pressing Accept are refused; the ticket and the quote stay as they were', async () => {
    const repo = await supportedRepo();
    const customer = await createUser(ctx, { email: 'henry@example.com' });
    const opened = await customer.api.post('/api/v1/tickets', { repo: repo.fullName, title: 'Slow', body: 'It is slow.', track: 'expert' });
    const ticketId = opened.body.id as string;
    const outsider = discordPlace('200000000000000020', 'ivan');
    const [refused] = await say(outsider, press(`t:${ticketId}:claim`));
    privateOnly([refused]);
    assert.match(refused.text, /approved helpers/);

    assert.equal((await repo.helper.api.post(`/api/v1/tickets/${ticketId}/claim`)).status, 200);
    const quote = await repo.helper.api.post(`/api/v1/tickets/${ticketId}/quotes`, { amount: 1000, currency: 'EUR', description: 'Tune it', estimatedMinutes: 30 });
    const before = await counts();
    const helperPlace = discordPlace('200000000000000021', 'ada');
    await linkChatAccount(ctx, helperPlace, repo.helper.email);
    for (const place of [outsider, helperPlace]) {
      const [notYours] = await say(place, press(`q:${quote.body.id}:accept`));
      assert.match(notYours.text, /Only the person who opened this ticket can accept its quote/);
    }
    const [notTheirs] = await say(outsider, command('resolve', { ticket: ticketId, summary: 'Done' }));
    assert.match(notTheirs.text, /approved helpers/);
    assert.deepEqual(await counts(), { ...before, conversations: before.conversations + 1 }, 'only the /link conversation was added');
    const stored = await ctx.db.selectFrom('quotes').select('status').where('id', '=', quote.body.id).executeTakeFirstOrThrow();
    assert.equal(stored.status, 'pending');
    const ticket = await ctx.db.selectFrom('tickets').select('status').where('id', '=', ticketId).executeTakeFirstOrThrow();
    assert.equal(ticket.status, 'claimed');
  });

  test('a double press on an offering opens one ticket', async () => {
    const repo = await supportedRepo();
    await ctx.db.updateTable('repos').set({ offers_ai: false }).where('id', '=', repo.id).execute();
    const place = discordPlace('200000000000000030', 'judy');
    await linkChatAccount(ctx, place, 'judy@example.com');
    const [form] = await say(place, command('support', { repository: repo.fullName }));
    const [tracks] = await say(place, submit(form.form!.action, { title: 'Twice', body: 'Pressed twice.' }));
    const [offerings] = await say(place, press(buttonOf(tracks, 'Get an expert')));
    const [first, second] = await Promise.all([say(place, choose(offerings.choices!.action, 'quote')), say(place, choose(offerings.choices!.action, 'quote'))]);
    const texts = [first[0].text, second[0].text].sort();
    assert.ok(texts.some((text) => /Your ticket is open/.test(text)), JSON.stringify(texts));
    assert.ok(texts.some((text) => /already on it|expired/.test(text)), JSON.stringify(texts));
    const tickets = await ctx.db.selectFrom('tickets').select('id').where('repo_id', '=', repo.id).execute();
    assert.equal(tickets.length, 1);
  });
});
