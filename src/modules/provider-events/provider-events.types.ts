import type { IncomingHttpHeaders } from 'node:http';
import type { Tx } from '../../db/database.ts';
import { AppError } from '../../errors.ts';
import type { PaymentEvent, ProviderName } from '../payments/providers/types.ts';

/** An event whose signature checked out, as the provider sent it. */
export type VerifiedEvent = { externalId: string; type: string; payload: unknown };

/** What a stored event means to Backline. */
export type Interpretation = {
  /** Normalized events for the payments domain, in the order they happened; empty for types we ignore. */
  paymentEvents: PaymentEvent[];
  /**
   * A change the integration keeps in its own tables (a connected account's status), written in the
   * transaction that marks the event handled, so it happens exactly once with it.
   */
  apply?: (trx: Tx) => Promise<void>;
};

/** One provider's half of the inbox: how to trust its deliveries and how to read them. */
export type WebhookAdapter = {
  provider: ProviderName;
  /** Why this provider's events cannot be accepted now (integration off, no signing secret), or null. */
  unavailable: string | null;
  /** Checks the signature over the exact bytes received; throws a WebhookRejected when they cannot be trusted. */
  verify(raw: Buffer, headers: IncomingHttpHeaders, receivedAt: Date): VerifiedEvent;
  /** May call the provider's API (to read what the event does not carry); must not write to our database. */
  interpret(payload: unknown): Promise<Interpretation>;
};

/**
 * A delivery we refuse. Always a 400, which is what providers expect for a request they should not
 * have sent as it is (Stripe retries it for days, then gives up); it is never a 500.
 */
export class WebhookRejected extends AppError {
  constructor(code: 'webhook_unavailable' | 'invalid_signature' | 'invalid_payload', message: string) {
    super(400, code, message);
  }
}
