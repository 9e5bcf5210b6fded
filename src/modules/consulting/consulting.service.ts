import type { Deps } from '../../deps.ts';
import type { PaymentsService } from '../payments/payments.service.ts';
import type { PlansService } from '../plans/plans.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { SchedulingService } from '../scheduling/scheduling.service.ts';
import type { TicketsService } from '../tickets/tickets.service.ts';
import { consultingCatalogue } from './consulting.catalogue.ts';
import { consultingRequests } from './consulting.requests.ts';

/** Consulting by the hour: a catalogue per repository, requests, quotes, and acceptance into payment and scheduling. See docs/consulting.md. */
export function createConsultingService(
  deps: Deps,
  services: { repos: ReposService; tickets: TicketsService; payments: PaymentsService; scheduling: SchedulingService; plans: Pick<PlansService, 'unlinkTicket'> },
) {
  const catalogue = consultingCatalogue(deps, services.repos);
  const requests = consultingRequests(deps, services);
  return {
    createService: catalogue.create,
    updateService: catalogue.update,
    listServices: catalogue.list,
    request: requests.request,
    getRequest: requests.get,
    quote: requests.quote,
    accept: requests.accept,
    decline: requests.decline,
    withdraw: requests.withdraw,
  };
}

export type ConsultingService = ReturnType<typeof createConsultingService>;
