import { WebhookRejected, type WebhookAdapter } from '../../modules/provider-events/provider-events.types.ts';
import type { StripeClient } from './client.ts';
import { stripeEventInterpreter } from './events.ts';

/**
 * How the inbox trusts and reads Stripe's deliveries. Without a secret key (integration off) or a
 * signing secret, every delivery is refused: an event we cannot verify is never accepted.
 *
 * Several signing secrets may be configured, comma-separated, because Connect events (account.updated
 * of the helpers' accounts) come from a second endpoint with its own secret.
 */
export function stripeWebhookAdapter(client: StripeClient | null, signingSecrets: string | undefined): WebhookAdapter {
  const secrets = (signingSecrets ?? '').split(',').map((secret) => secret.trim()).filter(Boolean);
  const unavailable = !client
    ? 'the Stripe integration is off (STRIPE_SECRET_KEY is unset)'
    : secrets.length === 0
      ? 'STRIPE_WEBHOOK_SECRET is unset, and unsigned events are never accepted'
      : null;
  const interpret = client ? stripeEventInterpreter(client) : null;

  /** The event, if one of our secrets signed these bytes within the tolerance. */
  function constructEvent(client: StripeClient, raw: Buffer, header: string, receivedAt: Date): unknown {
    let reason = '';
    for (const secret of secrets) {
      try {
        // Default tolerance (300 s), measured on our clock so that tests can move time.
        return client.webhooks.constructEvent(raw, header, secret, undefined, undefined, receivedAt.getTime());
      } catch (error) {
        // Not a signature error: the signature matched, so the bytes were signed but are not JSON.
        if ((error as { type?: string }).type !== 'StripeSignatureVerificationError') {
          throw new WebhookRejected('invalid_payload', 'The body is not a JSON Stripe event.');
        }
        // "Timestamp outside the tolerance zone" (the signature matched) says more than "no signature matches".
        const message = String((error as Error).message).split(/(?<=\.)\s|\n/)[0].trim();
        if (!reason || !message.startsWith('No signatures found')) reason = message;
      }
    }
    throw new WebhookRejected('invalid_signature', `The Stripe-Signature header does not verify: ${reason}`);
  }

  return {
    provider: 'stripe',
    unavailable,

    verify(raw, headers, receivedAt) {
      if (!client || unavailable) throw new WebhookRejected('webhook_unavailable', `Stripe events are not accepted: ${unavailable}.`);
      const header = headers['stripe-signature'];
      if (typeof header !== 'string' || header === '') throw new WebhookRejected('invalid_signature', 'The Stripe-Signature header is missing.');
      const event = constructEvent(client, raw, header, receivedAt);
      const { id, type } = (event ?? {}) as { id?: unknown; type?: unknown };
      if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') {
        throw new WebhookRejected('invalid_payload', 'The body is not a Stripe event: it has no id or type.');
      }
      return { externalId: id, type, payload: event };
    },

    interpret(payload) {
      if (!interpret) throw new Error(`cannot read Stripe events: ${unavailable}`);
      return interpret(payload);
    },
  };
}
