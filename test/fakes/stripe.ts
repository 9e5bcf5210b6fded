import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { STRIPE_API_VERSION } from '../../src/integrations/stripe/client.ts';

/**
 * A fake Stripe on a loopback port, speaking Stripe's wire format to the real SDK: form-encoded
 * request bodies in bracket notation (`line_items[0][price_data][currency]=usd`), JSON objects with
 * `id` prefixes and an `object` field, `expand[]`, lists, `Idempotency-Key` (same key and same request:
 * the same answer again; same key, other request: an idempotency_error) and errors shaped
 * `{ error: { type, code, message, param } }` with Stripe's statuses.
 *
 * It keeps a record of the money that moved on the platform's balance (`movements`, `balance()`)
 * so tests can compare it with our ledger, signs webhook events the way Stripe does, and can be told
 * to fail the next requests. It has its own HTTP server rather than test/fakes/server.ts because it
 * must be able to withhold an answer (a hang).
 *
 * Test helpers stand in for what a customer or Stripe does outside our API calls: paying a Checkout
 * Session, a card being declined, a dispute, finishing Connect onboarding. Each returns the event
 * Stripe would send, ready for `deliver()`.
 */

type StripeObject = { id: string; object: string; [field: string]: any };
type Params = { [key: string]: any };
type Answer = { status: number; body: unknown; /** Validation errors are not saved under an idempotency key (as at Stripe). */ replayable?: boolean };
type Route = [method: string, path: RegExp, handle: (params: Params, match: RegExpExecArray) => Answer];

/** Signed effect on the platform's balance, in minor units; currencies uppercase like our ledger. */
export type Movement = {
  kind: 'charge' | 'fee' | 'refund' | 'transfer' | 'transfer_reversal' | 'dispute' | 'dispute_reinstated';
  id: string;
  amount: number;
  currency: string;
};

export type FakeStripeRequest = { method: string; path: string; params: Params; idempotencyKey: string | undefined; outcome: number | 'hung' };
export type FailureMode = 'error' | 'hang';
export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>;

export type FakeStripeOptions = {
  secretKey?: string;
  /** Stripe's card pricing: a percentage (in basis points) plus a fixed part, per captured charge. */
  feeBps?: number;
  feeFixed?: number;
  /** The time stamped on objects and events (pass the test's FakeClock). */
  now?: () => Date;
};

export async function startFakeStripe(options: FakeStripeOptions = {}) {
  const secretKey = options.secretKey ?? 'sk_test_backline_fake';
  const feeBps = options.feeBps ?? 290;
  const feeFixed = options.feeFixed ?? 30;
  const now = options.now ?? (() => new Date());
  const objects = new Map<string, StripeObject>();
  const sessionIntentData = new Map<string, { captureMethod: string; transferGroup: string | null; metadata: Params }>();
  const idempotent = new Map<string, { fingerprint: string; answer: Answer }>();
  const movements: Movement[] = [];
  const requests: FakeStripeRequest[] = [];
  let failures: { mode: FailureMode; remaining: number } | null = null;
  let baseUrl = '';

  const created = () => Math.floor(now().getTime() / 1000);
  const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
  const save = <T extends StripeObject>(object: T): T => (objects.set(object.id, object), object);
  const snapshot = (object: StripeObject): StripeObject => structuredClone(object);
  const ok = (body: unknown): Answer => ({ status: 200, body });
  const fee = (amount: number) => Math.round((amount * feeBps) / 10_000) + feeFixed;
  const move = (kind: Movement['kind'], id: string, amount: number, currency: string) => movements.push({ kind, id, amount, currency: currency.toUpperCase() });

  function stripeError(status: number, type: string, message: string, extra: { code?: string; param?: string } = {}, replayable = true): Answer {
    return { status, body: { error: { type, message, ...extra } }, replayable };
  }
  const invalid = (param: string, message: string, code = 'parameter_invalid') => stripeError(400, 'invalid_request_error', message, { code, param }, false);
  const missing = (param: string) => invalid(param, `Missing required param: ${param}.`, 'parameter_missing');
  const noSuch = (kind: string, id: string, param = 'id') => stripeError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', param });

  function get(kind: string, id: string): StripeObject | undefined {
    const object = objects.get(id);
    return object?.object === kind ? object : undefined;
  }

  function integer(params: Params, name: string, fallback?: number): number | Answer {
    const value = params[name];
    if (value === undefined) return fallback ?? missing(name);
    const number = Number(value);
    return Number.isSafeInteger(number) && /^-?\d+$/.test(String(value)) ? number : invalid(name, `Invalid integer: ${value}`, 'parameter_invalid_integer');
  }
  const isAnswer = (value: unknown): value is Answer => typeof value === 'object' && value !== null && 'status' in value;

  /** `expand[]`: replaces ids along each dotted path by the objects they name. */
  function expanded(object: StripeObject, params: Params): StripeObject {
    const copy = snapshot(object);
    for (const path of ([] as string[]).concat(params.expand ?? [])) {
      let node: any = copy;
      for (const field of path.split('.')) {
        if (typeof node?.[field] === 'string' && objects.has(node[field])) node[field] = snapshot(objects.get(node[field])!);
        node = node?.[field];
      }
    }
    return copy;
  }

  const list = (url: string, data: StripeObject[]) => ok({ object: 'list', url, has_more: false, data: data.map(snapshot) });
  const newestFirst = (a: StripeObject, b: StripeObject) => b.created - a.created;

  function captureCharge(intent: StripeObject, amount: number): void {
    const charge = objects.get(intent.latest_charge)!;
    const chargeFee = fee(amount);
    const transaction = save({
      id: newId('txn'), object: 'balance_transaction', amount, fee: chargeFee, net: amount - chargeFee, currency: intent.currency,
      type: 'charge', source: charge.id, status: 'available', created: created(),
      fee_details: [{ amount: chargeFee, currency: intent.currency, type: 'stripe_fee', description: 'Stripe processing fees' }],
    });
    Object.assign(charge, { captured: true, amount_captured: amount, balance_transaction: transaction.id });
    Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
    move('charge', charge.id, amount, intent.currency);
    move('fee', transaction.id, -chargeFee, intent.currency);
  }

  function createSession(params: Params): Answer {
    if (params.mode !== 'payment') return params.mode ? invalid('mode', 'This fake supports mode=payment only.') : missing('mode');
    if (!params.success_url) return missing('success_url');
    const items: Params[] = params.line_items ?? [];
    if (items.length === 0) return missing('line_items');
    let total = 0;
    for (const [index, item] of items.entries()) {
      const price = item.price_data ?? {};
      if (!price.currency) return missing(`line_items[${index}][price_data][currency]`);
      if (!price.product_data?.name) return missing(`line_items[${index}][price_data][product_data][name]`);
      const unit = integer(price, 'unit_amount');
      const quantity = integer(item, 'quantity', 1);
      if (isAnswer(unit)) return unit;
      if (isAnswer(quantity)) return quantity;
      if (price.currency !== items[0].price_data.currency) return invalid('line_items', 'All line items must use the same currency.');
      total += unit * quantity;
    }
    const intentData = params.payment_intent_data ?? {};
    const captureMethod = intentData.capture_method ?? 'automatic';
    if (!['automatic', 'automatic_async', 'manual'].includes(captureMethod)) return invalid('payment_intent_data[capture_method]', `Invalid capture_method: ${captureMethod}`);
    const id = newId('cs_test');
    sessionIntentData.set(id, { captureMethod, transferGroup: intentData.transfer_group ?? null, metadata: intentData.metadata ?? {} });
    const at = created();
    return ok(save({
      id, object: 'checkout.session', mode: 'payment', status: 'open', payment_status: 'unpaid', url: `${baseUrl}/c/pay/${id}`,
      amount_subtotal: total, amount_total: total, currency: items[0].price_data.currency, customer_email: params.customer_email ?? null,
      client_reference_id: params.client_reference_id ?? null, metadata: params.metadata ?? {}, payment_intent: null,
      success_url: params.success_url, cancel_url: params.cancel_url ?? null, created: at, expires_at: at + 24 * 3600, livemode: false,
    }));
  }

  function expireSession(_params: Params, match: RegExpExecArray): Answer {
    const session = get('checkout.session', match[1]);
    if (!session) return noSuch('checkout.session', match[1]);
    if (session.status !== 'open') return stripeError(400, 'invalid_request_error', `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`, { code: 'checkout_session_unexpected_state' });
    session.status = 'expired';
    return ok(snapshot(session));
  }

  function capture(params: Params, match: RegExpExecArray): Answer {
    const intent = get('payment_intent', match[1]);
    if (!intent) return noSuch('payment_intent', match[1]);
    if (intent.status !== 'requires_capture') {
      return stripeError(400, 'invalid_request_error', `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`, { code: 'payment_intent_unexpected_state' });
    }
    const amount = integer(params, 'amount_to_capture', intent.amount_capturable);
    if (isAnswer(amount)) return amount;
    if (amount <= 0 || amount > intent.amount_capturable) return invalid('amount_to_capture', `The amount to capture (${amount}) must be positive and at most the amount capturable (${intent.amount_capturable}).`, 'amount_too_large');
    captureCharge(intent, amount);
    return ok(expanded(intent, params));
  }

  function cancelIntent(_params: Params, match: RegExpExecArray): Answer {
    const intent = get('payment_intent', match[1]);
    if (!intent) return noSuch('payment_intent', match[1]);
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      return stripeError(400, 'invalid_request_error', `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`, { code: 'payment_intent_unexpected_state' });
    }
    Object.assign(intent, { status: 'canceled', amount_capturable: 0, canceled_at: created() });
    return ok(snapshot(intent));
  }

  function refund(params: Params): Answer {
    const intent = params.payment_intent ? get('payment_intent', params.payment_intent) : undefined;
    const charge = params.charge ? get('charge', params.charge) : intent && objects.get(intent.latest_charge);
    if (!charge) return params.payment_intent || params.charge ? noSuch(params.charge ? 'charge' : 'payment_intent', params.charge ?? params.payment_intent) : missing('charge');
    if (!charge.captured) return stripeError(400, 'invalid_request_error', `Charge ${charge.id} has not been captured; cancel the PaymentIntent instead.`, { code: 'charge_not_refundable' });
    const refundable = charge.amount_captured - charge.amount_refunded;
    if (refundable === 0) return stripeError(400, 'invalid_request_error', `Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
    const amount = integer(params, 'amount', refundable);
    if (isAnswer(amount)) return amount;
    if (amount <= 0 || amount > refundable) return invalid('amount', `Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable}).`, 'amount_too_large');
    Object.assign(charge, { amount_refunded: charge.amount_refunded + amount, refunded: charge.amount_refunded + amount === charge.amount_captured });
    const made = save({ id: newId('re'), object: 'refund', amount, currency: charge.currency, charge: charge.id, payment_intent: charge.payment_intent, status: 'succeeded', created: created(), metadata: params.metadata ?? {} });
    move('refund', made.id, -amount, charge.currency);
    return ok(snapshot(made));
  }

  function transfer(params: Params): Answer {
    const amount = integer(params, 'amount');
    if (isAnswer(amount)) return amount;
    if (!params.currency) return missing('currency');
    if (!params.destination) return missing('destination');
    if (!get('account', params.destination)) return stripeError(400, 'invalid_request_error', `No such destination: '${params.destination}'`, { code: 'resource_missing', param: 'destination' });
    if (amount <= 0) return invalid('amount', 'Amount must be positive.');
    if (amount > balance(params.currency)) {
      return stripeError(400, 'invalid_request_error', 'You have insufficient available funds in your Stripe account.', { code: 'balance_insufficient' });
    }
    const made = save({
      id: newId('tr'), object: 'transfer', amount, amount_reversed: 0, reversed: false, currency: params.currency, destination: params.destination,
      transfer_group: params.transfer_group ?? null, created: created(), metadata: params.metadata ?? {},
    });
    move('transfer', made.id, -amount, params.currency);
    return ok(snapshot(made));
  }

  function reverse(params: Params, match: RegExpExecArray): Answer {
    const original = get('transfer', match[1]);
    if (!original) return noSuch('transfer', match[1]);
    const remaining = original.amount - original.amount_reversed;
    const amount = integer(params, 'amount', remaining);
    if (isAnswer(amount)) return amount;
    if (amount <= 0 || amount > remaining) return invalid('amount', `The reversal amount (${amount}) is greater than what is left of the transfer (${remaining}).`, 'amount_too_large');
    Object.assign(original, { amount_reversed: original.amount_reversed + amount, reversed: original.amount_reversed + amount === original.amount });
    const reversal = save({ id: newId('trr'), object: 'transfer_reversal', amount, currency: original.currency, transfer: original.id, created: created(), metadata: params.metadata ?? {} });
    move('transfer_reversal', reversal.id, amount, original.currency);
    return ok(snapshot(reversal));
  }

  function createAccount(params: Params): Answer {
    if (!['express', 'standard', 'custom'].includes(params.type)) return params.type ? invalid('type', `Invalid account type: ${params.type}`) : missing('type');
    return ok(save({
      id: newId('acct'), object: 'account', type: params.type, email: params.email ?? null, country: params.country ?? 'US',
      charges_enabled: false, payouts_enabled: false, details_submitted: false,
      capabilities: Object.fromEntries(Object.keys(params.capabilities ?? {}).map((name) => [name, 'inactive'])),
      requirements: { currently_due: ['external_account', 'tos_acceptance.date'], disabled_reason: 'requirements.past_due' },
      created: created(), metadata: params.metadata ?? {},
    }));
  }

  function accountLink(params: Params): Answer {
    if (!params.account) return missing('account');
    if (!get('account', params.account)) return noSuch('account', params.account, 'account');
    if (!['account_onboarding', 'account_update'].includes(params.type)) return params.type ? invalid('type', `Invalid type: ${params.type}`) : missing('type');
    const at = created();
    return ok({ object: 'account_link', created: at, expires_at: at + 300, url: `${baseUrl}/setup/e/${params.account}/${randomBytes(8).toString('hex')}` });
  }

  const retrieve = (kind: string) => (params: Params, match: RegExpExecArray): Answer => {
    const object = get(kind, match[1]);
    return object ? ok(expanded(object, params)) : noSuch(kind, match[1]);
  };

  const routes: Route[] = [
    ['POST', /^\/v1\/checkout\/sessions$/, createSession],
    ['GET', /^\/v1\/checkout\/sessions$/, (params) => list('/v1/checkout/sessions', [...objects.values()].filter((o) => o.object === 'checkout.session' && (!params.payment_intent || o.payment_intent === params.payment_intent)).sort(newestFirst))],
    ['GET', /^\/v1\/checkout\/sessions\/([\w-]+)$/, retrieve('checkout.session')],
    ['POST', /^\/v1\/checkout\/sessions\/([\w-]+)\/expire$/, expireSession],
    ['GET', /^\/v1\/payment_intents\/(\w+)$/, retrieve('payment_intent')],
    ['POST', /^\/v1\/payment_intents\/(\w+)\/capture$/, capture],
    ['POST', /^\/v1\/payment_intents\/(\w+)\/cancel$/, cancelIntent],
    // Lists, newest first, for reconciliation against our ledger (one page: has_more is always false here).
    ['GET', /^\/v1\/charges$/, () => list('/v1/charges', [...objects.values()].filter((o) => o.object === 'charge').sort(newestFirst))],
    ['GET', /^\/v1\/transfers$/, () => list('/v1/transfers', [...objects.values()].filter((o) => o.object === 'transfer').sort(newestFirst))],
    ['GET', /^\/v1\/charges\/(\w+)$/, retrieve('charge')],
    ['POST', /^\/v1\/refunds$/, refund],
    ['GET', /^\/v1\/refunds$/, (params) => list('/v1/refunds', [...objects.values()].filter((o) => o.object === 'refund' && (!params.charge || o.charge === params.charge)).sort(newestFirst))],
    ['POST', /^\/v1\/transfers$/, transfer],
    ['POST', /^\/v1\/transfers\/(\w+)\/reversals$/, reverse],
    ['POST', /^\/v1\/accounts$/, createAccount],
    ['GET', /^\/v1\/accounts\/(\w+)$/, retrieve('account')],
    ['POST', /^\/v1\/account_links$/, accountLink],
  ];

  function route(method: string, path: string, params: Params): Answer {
    for (const [routeMethod, pattern, handle] of routes) {
      const match = pattern.exec(path);
      if (match && routeMethod === method) return handle(params, match);
    }
    return stripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`, {}, false);
  }

  /** Answers one request: authentication, injected failures, then the idempotency cache around the endpoint. */
  function serve(method: string, path: string, headers: http.IncomingHttpHeaders, params: Params): { answer: Answer; hang: boolean; replayed: boolean } {
    if (headers.authorization !== `Bearer ${secretKey}`) {
      return { answer: stripeError(401, 'invalid_request_error', 'Invalid API Key provided.'), hang: false, replayed: false };
    }
    const failure = failures && failures.remaining > 0 ? failures.mode : null;
    if (failures && failure) failures.remaining -= 1;
    // An injected error happens before the endpoint runs (a load balancer's 500): nothing is done or saved.
    if (failure === 'error') return { answer: stripeError(500, 'api_error', 'An unknown error occurred. Please try again.'), hang: false, replayed: false };
    const key = method === 'POST' ? (headers['idempotency-key'] as string | undefined) : undefined;
    const fingerprint = `${method} ${path} ${JSON.stringify(params)}`;
    const saved = key ? idempotent.get(key) : undefined;
    if (saved && saved.fingerprint !== fingerprint) {
      const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`;
      return { answer: stripeError(400, 'idempotency_error', message, {}, false), hang: failure === 'hang', replayed: false };
    }
    if (saved) return { answer: saved.answer, hang: failure === 'hang', replayed: true };
    const answer = route(method, path, params);
    if (key && answer.replayable !== false) idempotent.set(key, { fingerprint, answer });
    // A hang happens after the endpoint ran: the work is done but the answer never arrives, the case
    // that idempotency keys exist for.
    return { answer, hang: failure === 'hang', replayed: false };
  }

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? 'GET';
      const params = decodeForm(method === 'GET' ? url.search.slice(1) : body);
      const { answer, hang, replayed } = serve(method, url.pathname, req.headers, params);
      const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
      requests.push({ method, path: url.pathname, params, idempotencyKey, outcome: hang ? 'hung' : answer.status });
      if (hang) return;
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'request-id': `req_${randomBytes(7).toString('hex')}`,
        'stripe-version': String(req.headers['stripe-version'] ?? STRIPE_API_VERSION),
        ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  function balance(currency: string): number {
    return movements.filter((movement) => movement.currency === currency.toUpperCase()).reduce((sum, movement) => sum + movement.amount, 0);
  }

  function event(type: string, object: StripeObject) {
    return {
      id: newId('evt'), object: 'event', api_version: STRIPE_API_VERSION, created: created(), type, livemode: false, pending_webhooks: 1,
      request: { id: null, idempotency_key: null }, data: { object: snapshot(object) },
    };
  }

  function must(kind: string, id: string): StripeObject {
    const object = get(kind, id);
    if (!object) throw new Error(`fake Stripe has no ${kind} ${id}`);
    return object;
  }

  /** A PaymentIntent as a Checkout Session creates it once the customer confirms. */
  function intentFor(session: StripeObject, status: string): StripeObject {
    const data = sessionIntentData.get(session.id)!;
    const intent = save({
      id: newId('pi'), object: 'payment_intent', amount: session.amount_total, amount_capturable: 0, amount_received: 0, currency: session.currency,
      capture_method: data.captureMethod, status, transfer_group: data.transferGroup, metadata: data.metadata, latest_charge: null,
      last_payment_error: null, created: created(),
    });
    session.payment_intent = intent.id;
    return intent;
  }

  return {
    url: baseUrl,
    host: '127.0.0.1',
    port,
    secretKey,
    requests,
    movements,
    balance,
    /** A stored object as it is now (a copy). */
    object: (id: string) => (objects.has(id) ? snapshot(objects.get(id)!) : undefined),
    /** Every stored object of a kind ('account', 'transfer', ...), as copies. */
    all: (kind: string) => [...objects.values()].filter((object) => object.object === kind).map(snapshot),
    /** The fee this fake charges on a captured amount. */
    feeFor: fee,

    /** The next `count` requests fail: 'error' answers 500 without doing anything; 'hang' does the work and never answers. */
    failNext(count: number, mode: FailureMode) {
      failures = { mode, remaining: count };
    },

    /** The customer pays the session: an authorization (manual capture) or a captured charge. */
    completeCheckout(sessionId: string) {
      const session = must('checkout.session', sessionId);
      if (session.status !== 'open') throw new Error(`session ${sessionId} is ${session.status}`);
      const manual = sessionIntentData.get(session.id)!.captureMethod === 'manual';
      const intent = intentFor(session, 'requires_capture');
      const charge = save({
        id: newId('ch'), object: 'charge', amount: intent.amount, amount_captured: 0, amount_refunded: 0, captured: false, refunded: false,
        currency: intent.currency, payment_intent: intent.id, balance_transaction: null, transfer_group: intent.transfer_group, status: 'succeeded',
        paid: true, metadata: intent.metadata, created: created(),
      });
      Object.assign(intent, { latest_charge: charge.id, amount_capturable: intent.amount });
      if (!manual) captureCharge(intent, intent.amount);
      Object.assign(session, { status: 'complete', payment_status: manual ? 'unpaid' : 'paid' });
      return event('checkout.session.completed', session);
    },

    /** The customer's card is declined; the session stays open for another attempt. */
    declineCheckout(sessionId: string, message = 'Your card was declined.') {
      const intent = intentFor(must('checkout.session', sessionId), 'requires_payment_method');
      intent.last_payment_error = { type: 'card_error', code: 'card_declined', message };
      return event('payment_intent.payment_failed', intent);
    },

    expireCheckout(sessionId: string) {
      const session = must('checkout.session', sessionId);
      session.status = 'expired';
      return event('checkout.session.expired', session);
    },

    /** The cardholder disputes the charge: Stripe takes the disputed amount from the platform's balance. */
    dispute(chargeId: string) {
      const charge = must('charge', chargeId);
      const dispute = save({
        id: newId('dp'), object: 'dispute', amount: charge.amount_captured, currency: charge.currency, charge: charge.id,
        payment_intent: charge.payment_intent, status: 'needs_response', reason: 'fraudulent', created: created(),
      });
      move('dispute', dispute.id, -dispute.amount, dispute.currency);
      return event('charge.dispute.created', dispute);
    },

    closeDispute(disputeId: string, outcome: 'won' | 'lost') {
      const dispute = must('dispute', disputeId);
      dispute.status = outcome;
      if (outcome === 'won') move('dispute_reinstated', dispute.id, dispute.amount, dispute.currency);
      return event('charge.dispute.closed', dispute);
    },

    /** The owner finishes Connect onboarding: the account can receive transfers and pay out. */
    completeOnboarding(accountId: string) {
      const account = must('account', accountId);
      Object.assign(account, {
        details_submitted: true, charges_enabled: true, payouts_enabled: true,
        capabilities: { ...account.capabilities, transfers: 'active' }, requirements: { currently_due: [], disabled_reason: null },
      });
      return event('account.updated', account);
    },

    /** Any event about a stored object, e.g. charge.refunded after a refund. */
    eventAbout: (type: string, id: string) => event(type, must(objects.get(id)?.object ?? 'unknown', id)),

    /** A delivery as Stripe sends it: pretty-printed JSON, signed with the endpoint's secret at `timestamp` (Unix seconds). */
    deliver(payload: unknown, secret: string, timestamp = created()) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
      return { body, headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signatureHeader(body, secret, timestamp) } };
    },

    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The environment that points the app's Stripe integration at this fake, as an operator configures it for Stripe. */
export function fakeStripeEnv(fake: { secretKey: string; host: string; port: number }, webhookSecrets: string): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: fake.secretKey,
    STRIPE_WEBHOOK_SECRET: webhookSecrets,
    STRIPE_API_HOST: fake.host,
    STRIPE_API_PORT: String(fake.port),
    STRIPE_API_PROTOCOL: 'http',
    // Real money is invoiced by a configured seller only (the app refuses to start otherwise).
    PLATFORM_LEGAL_NAME: 'Backline GmbH',
    PLATFORM_COUNTRY: 'DE',
  };
}

/** `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload" with the endpoint secret>`. */
export function signatureHeader(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/** Stripe's form encoding: `a[b][0][c]=x` becomes `{ a: { b: [{ c: 'x' }] } }`. */
export function decodeForm(encoded: string): Params {
  const result: Params = {};
  for (const [key, value] of new URLSearchParams(encoded)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: any = result;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        node[segment] = value;
        return;
      }
      node[segment] ??= /^\d+$/.test(path[index + 1]) ? [] : {};
      node = node[segment];
    });
  }
  return result;
}
