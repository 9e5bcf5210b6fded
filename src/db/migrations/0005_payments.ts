import { sql, type Kysely } from 'kysely';

/**
 * Payments: quotes, payments held in escrow until the work is done, their refunds and disputes, the
 * ledger postings each payment made, the time helpers log on tickets, and the idempotency keys of every
 * request that moves money. Amounts are int8 minor units of the row's currency. See docs/payments.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The offering a customer chose when opening the ticket, if any: quotes on it must be in its currencies.
    ALTER TABLE tickets ADD COLUMN offering_id uuid REFERENCES offerings(id);

    CREATE TABLE quotes (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id),
      helper_id uuid NOT NULL REFERENCES users(id),
      amount bigint NOT NULL CHECK (amount > 0 AND amount <= 10000000),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      description text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
      estimated_minutes integer NOT NULL CHECK (estimated_minutes BETWEEN 1 AND 10000),
      -- 'expired' is not stored: a pending quote past expires_at is expired, with no job to flip it.
      status text NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn')),
      expires_at timestamptz NOT NULL,
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX quotes_ticket_idx ON quotes (ticket_id, id);

    CREATE TABLE payments (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id),
      repo_id uuid NOT NULL REFERENCES repos(id),
      kind text NOT NULL CHECK (kind IN ('quote', 'fixed', 'session')),
      quote_id uuid REFERENCES quotes(id),
      offering_id uuid REFERENCES offerings(id),
      payer_id uuid NOT NULL REFERENCES users(id),
      -- Who is paid: the quoting helper, or the assignee (known at purchase, or at release at the latest).
      helper_id uuid REFERENCES users(id),
      description text NOT NULL,
      provider text NOT NULL CHECK (provider IN ('sandbox', 'stripe', 'invoice')),
      provider_payment_id text,
      provider_charge_id text,
      capture_method text NOT NULL CHECK (capture_method IN ('automatic', 'manual')),
      status text NOT NULL CHECK (status IN ('pending', 'authorized', 'held', 'released', 'refunded', 'disputed', 'failed', 'expired', 'cancelled')),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      -- What the customer is charged (automatic) or what is authorized on the card (manual capture).
      amount bigint NOT NULL CHECK (amount > 0),
      captured_amount bigint NOT NULL DEFAULT 0 CHECK (captured_amount >= 0),
      refunded_amount bigint NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
      charged_back_amount bigint NOT NULL DEFAULT 0 CHECK (charged_back_amount >= 0),
      processor_fee bigint NOT NULL DEFAULT 0 CHECK (processor_fee >= 0),
      -- Snapshotted when the payment is created: changing them later does not change what was agreed.
      commission_bps integer NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
      platform_fee_bps integer NOT NULL CHECK (platform_fee_bps BETWEEN 0 AND 10000),
      -- Per-minute sessions: the price at purchase and the booked length the authorization covers.
      session_initial_fee bigint,
      session_per_minute_rate bigint,
      session_minimum_minutes integer,
      estimated_minutes integer,
      url text,
      failure_reason text,
      held_at timestamptz,
      release_due_at timestamptz,
      released_at timestamptz,
      -- The split posted at release, for display; the ledger holds the truth.
      split_helper bigint,
      split_commission bigint,
      split_platform_fee bigint,
      split_processor_fee bigint,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK (captured_amount <= amount),
      CHECK (refunded_amount + charged_back_amount <= captured_amount),
      CHECK ((kind = 'quote') = (quote_id IS NOT NULL)),
      CHECK ((kind = 'session') = (capture_method = 'manual')),
      CHECK (kind <> 'session' OR (session_initial_fee IS NOT NULL AND session_per_minute_rate IS NOT NULL AND session_minimum_minutes IS NOT NULL))
    );
    -- One live payment per quote, and per purchased offering on a ticket: accepting or buying twice is refused
    -- by the database even if two requests race. Only an expired checkout frees the way for a new one: after a
    -- failed attempt the same checkout stays open (the customer may try another card).
    CREATE UNIQUE INDEX payments_quote_key ON payments (quote_id) WHERE quote_id IS NOT NULL AND status NOT IN ('expired', 'cancelled');
    CREATE UNIQUE INDEX payments_offering_key ON payments (ticket_id, offering_id)
      WHERE offering_id IS NOT NULL AND kind <> 'quote' AND status NOT IN ('expired', 'cancelled', 'refunded');
    CREATE UNIQUE INDEX payments_provider_payment_key ON payments (provider, provider_payment_id) WHERE provider_payment_id IS NOT NULL;
    CREATE INDEX payments_provider_charge_idx ON payments (provider_charge_id) WHERE provider_charge_id IS NOT NULL;
    CREATE INDEX payments_ticket_idx ON payments (ticket_id, id);

    -- Every ledger transaction a payment caused, with how much of it later reversals took back: a refund or
    -- a dispute after release reverses the release postings, and a won dispute re-posts what its reversal took.
    CREATE TABLE payment_postings (
      transaction_id uuid PRIMARY KEY REFERENCES ledger_transactions(id),
      payment_id uuid NOT NULL REFERENCES payments(id),
      purpose text NOT NULL CHECK (purpose IN ('capture', 'release', 'unrelease', 'refund', 'dispute', 'dispute_won', 'rerelease')),
      amount bigint NOT NULL CHECK (amount > 0),
      reversed bigint NOT NULL DEFAULT 0 CHECK (reversed >= 0 AND reversed <= amount),
      -- The refund or dispute that caused it.
      source_id uuid,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX payment_postings_payment_idx ON payment_postings (payment_id, created_at);

    CREATE TABLE payment_refunds (
      id uuid PRIMARY KEY,
      payment_id uuid NOT NULL REFERENCES payments(id),
      amount bigint NOT NULL CHECK (amount > 0),
      reason text NOT NULL DEFAULT '',
      -- A refund we asked for and the provider's event about it are the same refund: recorded once.
      provider_refund_id text NOT NULL,
      source text NOT NULL CHECK (source IN ('request', 'dispute_resolution', 'provider')),
      requested_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL,
      UNIQUE (payment_id, provider_refund_id)
    );

    CREATE TABLE payment_disputes (
      id uuid PRIMARY KEY,
      payment_id uuid NOT NULL REFERENCES payments(id),
      -- customer: the customer contests the work before release (no money moves until an operator decides);
      -- provider: a chargeback at the card network (the money is taken back at once).
      source text NOT NULL CHECK (source IN ('customer', 'provider')),
      provider_dispute_id text,
      reason text NOT NULL DEFAULT '',
      amount bigint CHECK (amount >= 0),
      status text NOT NULL CHECK (status IN ('open', 'released', 'refunded', 'won', 'lost')),
      opened_by uuid REFERENCES users(id),
      opened_at timestamptz NOT NULL,
      closed_by uuid REFERENCES users(id),
      closed_at timestamptz,
      UNIQUE (payment_id, provider_dispute_id),
      CHECK ((source = 'provider') = (provider_dispute_id IS NOT NULL))
    );
    CREATE UNIQUE INDEX payment_disputes_open_key ON payment_disputes (payment_id, source) WHERE status = 'open';

    CREATE TABLE time_entries (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id),
      helper_id uuid NOT NULL REFERENCES users(id),
      minutes integer NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
      note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
      -- The session payment that billed this time (set when its metered amount is captured).
      payment_id uuid REFERENCES payments(id),
      created_at timestamptz NOT NULL
    );
    CREATE INDEX time_entries_ticket_idx ON time_entries (ticket_id, id);

    -- The first response to each (caller, key) is kept, so that a retried money request gets the same answer
    -- instead of moving money again. request_hash tells a retry from a different request under the same key.
    CREATE TABLE idempotency_keys (
      actor_id uuid NOT NULL REFERENCES users(id),
      key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
      route text NOT NULL,
      request_hash text NOT NULL,
      -- Null only inside the transaction that claimed the key; it commits with the response.
      response_status integer,
      response_body jsonb,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (actor_id, key)
    );
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
