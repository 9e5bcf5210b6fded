import type { UserActor } from '../modules/auth/actor.ts';
import { createServiceBody } from '../modules/consulting/consulting.schemas.ts';
import { createOfferingBody } from '../modules/offerings/offerings.schemas.ts';
import { createPlanBody } from '../modules/plans/plans.schemas.ts';
import { putWindowsBody } from '../modules/releases/releases.schemas.ts';
import { createPolicyBody } from '../modules/sla/sla.schemas.ts';
import type { Services } from '../services.ts';

/**
 * What a support site shows besides tickets: expert offerings, an SLA policy with two plans, release
 * windows and a consulting service, for one demo repository. Inputs go through the API's own schemas,
 * so the demo gets the defaults and checks a request would.
 */
export async function seedSupportSite(services: Services, maintainer: UserActor, fullName: string, currency: string): Promise<void> {
  const offerings = [
    { kind: 'fixed', name: 'Bug investigation', description: 'An approved expert reproduces the problem and finds the cause.', prices: [{ currency, price: 15_000 }] },
    { kind: 'session', name: 'Live pairing session', description: 'Screen-share with an expert, billed per minute used.', prices: [{ currency, initialFee: 2_000, perMinuteRate: 250, minimumMinutes: 30 }] },
    { kind: 'quote', name: 'Custom work', description: 'Describe the work and an expert quotes a price.' },
  ];
  for (const [index, offering] of offerings.entries()) {
    await services.offerings.create(maintainer, fullName, createOfferingBody.parse({ ...offering, currency, sortOrder: index }));
  }
  const targets = {
    urgent: { firstResponse: 60, resolution: 480 },
    high: { firstResponse: 240, resolution: 1440 },
    normal: { firstResponse: 480, resolution: 4320 },
    low: { firstResponse: 1440, resolution: 10080 },
  };
  const policy = await services.sla.createPolicy(maintainer, fullName, createPolicyBody.parse({ name: 'Business support', calendarId: null, targets }));
  const plans = [
    { name: 'Team', description: 'For teams running it in production.', prices: [{ currency, amount: 90_000 }], includedHours: 5, channels: ['web', 'email'] },
    { name: 'Enterprise', description: 'Priority help with a private channel.', prices: [{ currency, amount: 350_000 }], includedHours: 20, channels: ['web', 'email', 'slack'], privateSlack: true },
  ];
  for (const plan of plans) await services.plans.createPlan(maintainer, fullName, createPlanBody.parse({ ...plan, period: 'month', slaPolicyId: policy.id }));
  await services.releases.replace(
    maintainer,
    fullName,
    putWindowsBody.parse({
      windows: [
        { major: 4, generalSupport: { from: '2025-03-01' }, upgradePath: '' },
        { major: 3, generalSupport: { from: '2023-06-01', until: '2025-02-28' }, technicalGuidance: { from: '2025-03-01', until: '2026-08-31' }, upgradePath: 'Follow the 4.0 migration guide.' },
      ],
    }),
  );
  await services.consulting.createService(
    maintainer,
    fullName,
    createServiceBody.parse({ name: 'Architecture review', description: 'A review of how you use it, with a written report.', rates: [{ currency, hourlyRate: 20_000 }], typicalHours: 8 }),
  );
}
