import type { Deps } from '../deps.ts';
import { DELIVER_EMAIL_JOB, deliverEmail } from '../modules/mail/mail.service.ts';
import type { Services } from '../services.ts';
import type { JobHandlers } from './queue.ts';

/** Every job queue and the handler that runs it. */
export function createJobHandlers(deps: Deps, services: Services): JobHandlers {
  return {
    [DELIVER_EMAIL_JOB]: async (payload: { emailId: string }, context) => deliverEmail(deps.db, deps.clock, deps.mail, payload.emailId, context),
    ...services.jobHandlers,
  };
}
