import type { Deps } from '../../deps.ts';
import type { createAuthService } from '../auth/auth.service.ts';
import type { KnowledgeService } from '../knowledge/knowledge.service.ts';
import type { OfferingsService } from '../offerings/offerings.service.ts';
import type { PaymentsService } from '../payments/payments.service.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { SchedulingService } from '../scheduling/scheduling.service.ts';
import type { TicketsService } from '../tickets/tickets.service.ts';
import type { AssistantDelivery } from './assistant.delivery.ts';
import type { ChatIdentities, ChatUser } from './assistant.identities.ts';
import type { ConversationRow } from './assistant.repository.ts';
import type { Input, Place } from './assistant.types.ts';

/** The services the engine acts through: every rule (authorization, ticket states, idempotency) is theirs. */
export type AssistantServices = {
  auth: ReturnType<typeof createAuthService>;
  repos: ReposService;
  tickets: TicketsService;
  knowledge: KnowledgeService;
  offerings: OfferingsService;
  payments: PaymentsService;
  scheduling: SchedulingService;
};

export type AssistantKit = AssistantServices & { deps: Deps; identities: ChatIdentities; delivery: AssistantDelivery };

/** One input being handled: where it came from, who sent it, and their conversation when it has one. */
export type Turn = { place: Place; input: Input; who: ChatUser; conversation?: ConversationRow };
