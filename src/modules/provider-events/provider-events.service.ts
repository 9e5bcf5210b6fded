import type { IncomingHttpHeaders } from 'node:http';
import type { Deps } from '../../deps.ts';
import { enqueue, type JobHandlers } from '../../jobs/queue.ts';
import { newId } from '../../lib/ids.ts';
import type { PaymentEventSink, ProviderName } from '../payments/providers/types.ts';
import * as repo from './provider-events.repository.ts';
import { WebhookRejected, type WebhookAdapter } from './provider-events.types.ts';

export const HANDLE_PROVIDER_EVENT_JOB = 'provider-events.handle';
/** The provider stops retrying once we answered 200, so this job is the only retry left: give it hours. */
const MAX_ATTEMPTS = 12;

/**
 * The inbox for events that payment providers push. A delivery is verified on its raw bytes, stored
 * once per (provider, external id) with a job in the same transaction, and answered at once; the job
 * then interprets the event and hands the result to the payments domain (the sink), once.
 *
 * The sink contract. The sink is called outside any transaction of ours (with PGlite's single
 * connection, a sink writing through `db` while we held a transaction would wait forever), so the
 * sink and our `handled_at` mark cannot commit together. A crash or a failure between them runs the
 * event again, and the sink must therefore be idempotent per event: applying the same PaymentEvent
 * twice has the effect of applying it once. The provider ids in each event (charge, refund, dispute)
 * are the natural idempotency keys, e.g. for the ledger postings it makes. With that, `handled_at`
 * makes every later run a no-op and the effect of each provider event happens at most once.
 * A `charge.refunded` lists every refund of the charge so far, so the same refund.succeeded reaches
 * the sink again with each later refund: the same idempotency covers it.
 */
export function createProviderEventsService(deps: Deps, adapters: WebhookAdapter[]) {
  const { db, clock, logger } = deps;
  const byProvider = new Map(adapters.map((adapter) => [adapter.provider, adapter]));
  let sink: PaymentEventSink | null = null;

  function adapterFor(provider: ProviderName): WebhookAdapter {
    const adapter = byProvider.get(provider);
    if (!adapter) throw new Error(`no webhook adapter for ${provider}`);
    return adapter;
  }

  /** Verifies and stores one delivery; `stored` is false for a delivery of an event we already have. */
  async function receive(provider: ProviderName, raw: Buffer, headers: IncomingHttpHeaders): Promise<{ stored: boolean }> {
    const adapter = adapterFor(provider);
    if (adapter.unavailable) throw new WebhookRejected('webhook_unavailable', `Events from ${provider} are not accepted: ${adapter.unavailable}.`);
    const now = clock.now();
    const event = adapter.verify(raw, headers, now);
    return db.transaction().execute(async (trx) => {
      const id = await repo.insertEvent(trx, {
        id: newId(now.getTime()),
        provider,
        external_id: event.externalId,
        type: event.type,
        payload: JSON.stringify(event.payload),
        received_at: now,
        handled_at: null,
        last_error: null,
      });
      if (id) await enqueue(trx, clock, HANDLE_PROVIDER_EVENT_JOB, { eventId: id }, { maxAttempts: MAX_ATTEMPTS });
      return { stored: id !== undefined };
    });
  }

  /** Interprets a stored event and applies it once; throws (so that the job retries) when it could not. */
  async function handle(eventId: string): Promise<'handled' | 'skipped'> {
    const event = await repo.findEvent(db, eventId);
    if (!event || event.handled_at) return 'skipped';
    try {
      const adapter = adapterFor(event.provider);
      if (adapter.unavailable) throw new Error(`cannot read ${event.provider} events: ${adapter.unavailable}`);
      const { paymentEvents, apply } = await adapter.interpret(event.payload);
      if (paymentEvents.length > 0 && !sink) throw new Error('no payment event sink is set: call setPaymentEventSink when wiring the services');
      for (const paymentEvent of paymentEvents) await sink!(paymentEvent);
      const marked = await db.transaction().execute(async (trx) => {
        const first = await repo.markHandled(trx, event.id, clock.now());
        if (first && apply) await apply(trx);
        return first;
      });
      if (paymentEvents.length === 0 && !apply) logger.debug({ provider: event.provider, type: event.type }, 'provider event stored, nothing to do for its type');
      return marked ? 'handled' : 'skipped';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await repo.recordFailure(db, event.id, message);
      throw error;
    }
  }

  return {
    adapters: () => [...byProvider.values()],
    receive,
    handle,
    /** The payments domain's handler of normalized events; see the sink contract above. */
    setPaymentEventSink(next: PaymentEventSink) {
      sink = next;
    },
    jobHandlers: {
      [HANDLE_PROVIDER_EVENT_JOB]: async ({ eventId }: { eventId: string }) => void (await handle(eventId)),
    } satisfies JobHandlers,
  };
}

export type ProviderEventsService = ReturnType<typeof createProviderEventsService>;
