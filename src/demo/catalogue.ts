import { createOfferingBody } from '../modules/offerings/offerings.schemas.ts';
import { createServiceBody } from '../modules/consulting/consulting.schemas.ts';
import { createPlanBody, subscribeBody } from '../modules/plans/plans.schemas.ts';
import { putWindowsBody } from '../modules/releases/releases.schemas.ts';
import { availabilityBody } from '../modules/scheduling/scheduling.schemas.ts';
import { createCalendarBody, createPolicyBody } from '../modules/sla/sla.schemas.ts';
import type { UserActor } from '../modules/auth/actor.ts';
import type { Services } from '../services.ts';
import { demoData } from './data.ts';

const WORKDAY = [{ start: '09:00', end: '17:00' }];
const WEEKDAYS = { monday: WORKDAY, tuesday: WORKDAY, wednesday: WORKDAY, thursday: WORKDAY, friday: WORKDAY };

/**
 * What each demo repository sells, through the services and the API's own schemas (so the defaults
 * and the rules are the API's): offerings, business hours and an SLA policy, plans, release windows,
 * a consulting catalogue, the helpers' weekly availability, and the organization's plan.
 */
export async function seedDemoCatalogue(services: Services, actors: Map<string, UserActor>): Promise<void> {
  for (const repo of demoData.repos) {
    const maintainer = actors.get(repo.maintainer)!;
    const { currency } = repo;
    const offering = (body: unknown) => services.offerings.create(maintainer, repo.fullName, createOfferingBody.parse(body));
    await offering({ kind: 'fixed', name: 'Quick question', description: 'One question answered by an expert within a day.', prices: [{ currency, price: 4900 }], sortOrder: 1 });
    await offering({ kind: 'fixed', name: 'Bug investigation', description: 'An expert reproduces the bug and proposes a fix or a workaround.', prices: [{ currency, price: 19900, bounds: { min: 14900, max: 29900 } }], sortOrder: 2 });
    await offering({ kind: 'session', name: 'Live session', description: 'Pair with an expert over video.', prices: [{ currency, initialFee: 2500, perMinuteRate: 250, minimumMinutes: 30 }], sortOrder: 3 });
    await offering({ kind: 'quote', name: 'Ask for a quote', description: 'Larger work: describe it and an expert sends a price.', sortOrder: 4 });

    const zone = demoData.people.find((person) => person.email === repo.maintainer)!.timeZone;
    const calendar = await services.sla.createCalendar(maintainer, repo.fullName, createCalendarBody.parse({ name: 'Business hours', timeZone: zone, weeklyHours: WEEKDAYS }));
    const policy = await services.sla.createPolicy(
      maintainer,
      repo.fullName,
      createPolicyBody.parse({
        name: 'Business',
        calendarId: calendar.id,
        targets: { urgent: { firstResponse: 60, resolution: 480 }, high: { firstResponse: 240, resolution: 1440 }, normal: { firstResponse: 480 }, low: { firstResponse: 960 } },
      }),
    );
    const plan = (body: unknown) => services.plans.createPlan(maintainer, repo.fullName, createPlanBody.parse(body));
    const business = await plan({ name: 'Business', description: 'General support and developer support in business hours.', period: 'month', prices: [{ currency, amount: 150000 }], includedHours: 10, slaPolicyId: policy.id });
    await plan({ name: 'Enterprise', description: 'Everything in Business, a private channel and technical guidance on older majors.', period: 'year', prices: [{ currency, amount: 3600000 }], includedHours: 200, privateSlack: true, slaPolicyId: policy.id });

    await services.releases.replace(
      maintainer,
      repo.fullName,
      putWindowsBody.parse({
        windows: [
          { major: 7, generalSupport: { from: '2025-11-01' } },
          { major: 6, generalSupport: { from: '2024-10-01', until: '2026-04-30' }, technicalGuidance: { from: '2026-04-30', until: '2027-04-30' }, upgradePath: 'Follow the 6 to 7 migration guide; run the schema diff first.' },
        ],
      }),
    );
    const service = (body: unknown) => services.consulting.createService(maintainer, repo.fullName, createServiceBody.parse(body));
    await service({ name: 'Architecture review', description: 'A review of how you use the project, with a written report.', rates: [{ currency, hourlyRate: 25000 }], typicalHours: 8 });
    await service({ name: 'Upgrade planning', description: 'A plan to move between major versions without downtime.', rates: [{ currency, hourlyRate: 22000 }], typicalHours: 4 });

    if (repo.fullName === 'lumen-db/lumen') {
      await services.plans.subscribe(actors.get(demoData.org.admin)!, demoData.org.slug, subscribeBody.parse({ planId: business.id, paymentMethod: 'invoice' }), 'demo-subscription');
    }
  }

  const helpers = new Set(demoData.repos.flatMap((repo) => repo.helpers));
  for (const email of helpers) {
    const timeZone = demoData.people.find((person) => person.email === email)!.timeZone;
    await services.scheduling.putAvailability(actors.get(email)!, availabilityBody.parse({ timeZone, weeklyHours: WEEKDAYS, bufferMinutes: 15 }));
  }
}
