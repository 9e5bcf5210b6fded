import type { Deps } from '../deps.ts';
import type { UserActor } from '../modules/auth/actor.ts';
import { findOrCreateUser, findUserByEmail } from '../modules/users/users.repository.ts';
import type { Services } from '../services.ts';
import { seedDemoCatalogue } from './catalogue.ts';
import { demoData } from './data.ts';

const MARKER_EMAIL = 'ops@demo.backline.dev';

/**
 * Loads a realistic demo through the same services the API uses, so the demo obeys every rule:
 * repositories with maintainers and approved helpers, an organization with billing details, and
 * tickets in every state. Running it twice changes nothing.
 */
export async function seedDemo(deps: Deps, services: Services): Promise<void> {
  const { db, clock, logger } = deps;
  if (await findUserByEmail(db, MARKER_EMAIL)) {
    logger.info('demo data already present');
    return;
  }
  const actors = new Map<string, UserActor>();
  const actor = async (email: string, displayName: string, options: { operator?: boolean; timeZone?: string } = {}) => {
    const user = await findOrCreateUser(db, clock.now(), { email, displayName, isOperator: options.operator, timeZone: options.timeZone });
    const value: UserActor = { kind: 'user', userId: user.id, email, isOperator: user.is_operator, via: 'token' };
    actors.set(email, value);
    return value;
  };

  const operator = await actor(MARKER_EMAIL, 'Olga (operator)', { operator: true });
  for (const person of demoData.people) await actor(person.email, person.name, { timeZone: person.timeZone });

  for (const repo of demoData.repos) {
    const maintainer = actors.get(repo.maintainer)!;
    await services.repos.register(maintainer, { fullName: repo.fullName, description: repo.description, topics: repo.topics, language: repo.language, homepageUrl: repo.homepage, docsUrl: repo.docs });
    await services.repos.verify(operator, repo.fullName, 'verified');
    await services.repos.update(maintainer, repo.fullName, { offerings: repo.offerings, currency: repo.currency, commissionBps: repo.commissionBps });
    for (const helperEmail of repo.helpers) {
      const helper = actors.get(helperEmail)!;
      await services.helpers.apply(helper, repo.fullName, { pitch: `I have contributed to ${repo.fullName} for years and run it in production.`, links: [] });
      await services.helpers.approve(maintainer, repo.fullName, helper.userId);
    }
    for (const applicantEmail of repo.applicants) {
      await services.helpers.apply(actors.get(applicantEmail)!, repo.fullName, { pitch: 'I would like to help answer questions about upgrades.', links: [] });
    }
  }

  const org = demoData.org;
  const orgAdmin = actors.get(org.admin)!;
  await services.orgs.create(orgAdmin, { slug: org.slug, name: org.name, ...org.billing });
  for (const member of org.members) {
    const { token } = await services.orgs.invite(orgAdmin, org.slug, member, 'member');
    await services.orgs.acceptInvitation(actors.get(member)!, token);
  }

  for (const request of demoData.onboardingRequests) {
    await services.repos.requestOnboarding(actors.get(request.by)!, { fullName: request.fullName, note: request.note, orgId: null });
  }

  await seedDemoCatalogue(services, actors);
  await seedDemoTickets(services, actors);
  logger.info(`demo data loaded: sign in as any demo user (for example ${org.admin}) through /dev/mail, or as the operator ${MARKER_EMAIL}`);
}

/** One ticket per state the state machine knows, walked there through the real transitions. */
async function seedDemoTickets(services: Services, actors: Map<string, UserActor>): Promise<void> {
  const { tickets } = services;
  const person = (email: string) => actors.get(email)!;
  for (const story of demoData.tickets) {
    const customer = person(story.customer);
    const helper = person(story.helper);
    const ticket = await tickets.create(customer, {
      repo: story.repo,
      title: story.title,
      body: story.body,
      track: story.track,
      priority: story.priority,
      channel: 'web',
      org: demoData.org.slug,
    });
    const steps: string[] = [...story.steps];
    for (const step of steps) {
      if (step === 'claim') await tickets.claim(helper, ticket.id);
      if (step === 'reply') await tickets.postMessage(helper, ticket.id, { body: story.reply, internal: false, channel: 'web' });
      if (step === 'note') await tickets.postMessage(helper, ticket.id, { body: 'Looks like the 4.x upgrade path; checking the migration guide.', internal: true, channel: 'web' });
      if (step === 'quote') await quoteAndPay(services, { helper, customer, ticketId: ticket.id, quote: story.quote! });
      if (step === 'log') await services.payments.logTime(helper, ticket.id, { minutes: story.quote!.estimatedMinutes, note: 'Investigation and write-up.' });
      if (step === 'start') await tickets.setStatus(helper, ticket.id, 'in_progress');
      if (step === 'wait') await tickets.setStatus(helper, ticket.id, 'waiting_on_customer');
      if (step === 'answer') await tickets.postMessage(customer, ticket.id, { body: 'Here is the stack trace you asked for.', internal: false, channel: 'web' });
      if (step === 'resolve') await tickets.resolve(helper, ticket.id, story.summary);
      if (step === 'confirm') await tickets.confirm(customer, ticket.id);
      if (step === 'rate') await tickets.rate(customer, ticket.id, { score: 5, comment: 'Fast and precise, thank you!' });
      if (step === 'cancel') await tickets.cancel(customer, ticket.id, 'Found the answer in the docs.');
    }
  }
}

/** The helper quotes, the customer accepts and pays in test mode: the money is held until the ticket is confirmed. */
async function quoteAndPay(
  services: Services,
  input: { helper: UserActor; customer: UserActor; ticketId: string; quote: { amount: number; currency: string; description: string; estimatedMinutes: number } },
): Promise<void> {
  const quote = await services.payments.quotes.create(input.helper, input.ticketId, input.quote);
  const accepted = await services.payments.quotes.accept(input.customer, quote.id, `demo-accept-${quote.id}`);
  const { payment } = accepted.body as { payment: { id: string } };
  await services.payments.sandbox.complete(input.customer, payment.id);
}
