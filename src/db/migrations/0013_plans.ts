import { sql, type Kysely } from 'kysely';

/**
 * Support plans, subscriptions with their billing periods, the tickets a subscription covers, and the
 * consulting catalogue with its requests and quotes. Amounts are int8 minor units of the row's
 * currency. Plan and consulting money is a payment like any other (payments table): plan payments
 * belong to no ticket, and payments by invoice are made with the provider 'invoice'.
 * See docs/plans.md and docs/consulting.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE payments ALTER COLUMN ticket_id DROP NOT NULL;
    ALTER TABLE payments DROP CONSTRAINT payments_kind_check;
    ALTER TABLE payments ADD CONSTRAINT payments_kind_check CHECK (kind IN ('quote', 'fixed', 'session', 'plan', 'consulting'));
    -- A plan's payment pays for a period of a subscription, not for work on one ticket.
    ALTER TABLE payments ADD CONSTRAINT payments_ticket_check CHECK ((kind = 'plan') = (ticket_id IS NULL));

    CREATE TABLE plans (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      description text NOT NULL DEFAULT '',
      period text NOT NULL CHECK (period IN ('month', 'year')),
      included_hours integer CHECK (included_hours > 0),
      included_tickets integer CHECK (included_tickets > 0),
      channels text[] NOT NULL,
      private_slack boolean NOT NULL DEFAULT false,
      private_discord boolean NOT NULL DEFAULT false,
      sla_policy_id uuid NOT NULL REFERENCES sla_policies(id),
      active boolean NOT NULL DEFAULT true,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK (included_hours IS NOT NULL OR included_tickets IS NOT NULL)
    );
    CREATE UNIQUE INDEX plans_name_key ON plans (repo_id, lower(name));

    CREATE TABLE plan_prices (
      plan_id uuid NOT NULL REFERENCES plans(id),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      amount bigint NOT NULL CHECK (amount > 0),
      PRIMARY KEY (plan_id, currency)
    );

    CREATE TABLE subscriptions (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      repo_id uuid NOT NULL REFERENCES repos(id),
      -- The plan in force now; each period also records its own.
      plan_id uuid NOT NULL REFERENCES plans(id),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      payment_method text NOT NULL CHECK (payment_method IN ('card', 'invoice')),
      po_number text CHECK (length(po_number) <= 100),
      -- incomplete: the first card payment has not arrived; ended: ran out after a cancellation;
      -- cancelled: given up before anything was paid.
      status text NOT NULL CHECK (status IN ('incomplete', 'active', 'past_due', 'ended', 'cancelled')),
      cancel_at_period_end boolean NOT NULL DEFAULT false,
      -- What a downgrade left over, paid already and spent on the next charges (minor units).
      credit bigint NOT NULL DEFAULT 0 CHECK (credit >= 0),
      -- Snapshotted when subscribing: later changes do not alter what was agreed.
      commission_bps integer NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
      platform_fee_bps integer NOT NULL CHECK (platform_fee_bps BETWEEN 0 AND 10000),
      -- The admin who subscribed: card checkouts of renewals are theirs to pay.
      payer_id uuid NOT NULL REFERENCES users(id),
      current_period_id uuid,
      -- When the first period started: every cycle is counted from here (month ends clamp, never drift).
      anchor_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      ended_at timestamptz
    );
    -- One live subscription per organization and repository: subscribing twice is refused by the
    -- database even when two requests race.
    CREATE UNIQUE INDEX subscriptions_live_key ON subscriptions (org_id, repo_id) WHERE status IN ('incomplete', 'active', 'past_due');
    CREATE INDEX subscriptions_org_idx ON subscriptions (org_id, id);

    -- A stretch of time one plan covers, and the money for it. revenue = amount - credited_back is what
    -- the period close shares out; charge = amount - credit_applied is what its payment asks for.
    CREATE TABLE subscription_periods (
      id uuid PRIMARY KEY,
      subscription_id uuid NOT NULL REFERENCES subscriptions(id),
      plan_id uuid NOT NULL REFERENCES plans(id),
      kind text NOT NULL CHECK (kind IN ('initial', 'renewal', 'change')),
      -- pending: waits for its card payment to start; active: started; void: never started.
      status text NOT NULL CHECK (status IN ('pending', 'active', 'void')),
      starts_at timestamptz,
      ends_at timestamptz,
      -- The billing cycle the period lies in: a change prorates over it.
      cycle_starts_at timestamptz,
      cycle_ends_at timestamptz,
      amount bigint NOT NULL CHECK (amount >= 0),
      credit_applied bigint NOT NULL DEFAULT 0 CHECK (credit_applied >= 0),
      credited_back bigint NOT NULL DEFAULT 0 CHECK (credited_back >= 0),
      payment_id uuid REFERENCES payments(id),
      invoice_id uuid REFERENCES invoices(id),
      -- When its charge is overdue: at once for a card (the payer was sent the checkout), the invoice's due date otherwise.
      due_at timestamptz,
      -- When all of its money had arrived (at once when credit paid it).
      paid_at timestamptz,
      processor_fee bigint NOT NULL DEFAULT 0 CHECK (processor_fee >= 0),
      -- Set when its revenue was shared out (the release posting).
      closed_at timestamptz,
      close_transaction_id uuid REFERENCES ledger_transactions(id),
      created_at timestamptz NOT NULL,
      CHECK (credit_applied <= amount AND credited_back <= amount),
      -- A plan changed the moment its period started leaves that period empty (its whole amount credited back).
      CHECK (status = 'pending' OR status = 'void' OR (starts_at IS NOT NULL AND ends_at >= starts_at))
    );
    CREATE INDEX subscription_periods_subscription_idx ON subscription_periods (subscription_id, created_at);
    CREATE UNIQUE INDEX subscription_periods_payment_key ON subscription_periods (payment_id) WHERE payment_id IS NOT NULL;
    ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_current_period_fk FOREIGN KEY (current_period_id) REFERENCES subscription_periods(id);

    -- The tickets a subscription covers, linked when they are opened, with the period they count in.
    CREATE TABLE subscription_tickets (
      ticket_id uuid PRIMARY KEY REFERENCES tickets(id),
      subscription_id uuid NOT NULL REFERENCES subscriptions(id),
      period_id uuid NOT NULL REFERENCES subscription_periods(id),
      linked_at timestamptz NOT NULL
    );
    CREATE INDEX subscription_tickets_subscription_idx ON subscription_tickets (subscription_id, linked_at);

    CREATE TABLE consulting_services (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      description text NOT NULL DEFAULT '',
      typical_hours integer NOT NULL CHECK (typical_hours BETWEEN 1 AND 1000),
      active boolean NOT NULL DEFAULT true,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX consulting_services_name_key ON consulting_services (repo_id, lower(name));

    CREATE TABLE consulting_rates (
      service_id uuid NOT NULL REFERENCES consulting_services(id),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      hourly_rate bigint NOT NULL CHECK (hourly_rate > 0),
      PRIMARY KEY (service_id, currency)
    );

    -- A business asks for a quote; the request is worked as an expert ticket of the repository.
    CREATE TABLE consulting_requests (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      service_id uuid NOT NULL REFERENCES consulting_services(id),
      ticket_id uuid NOT NULL UNIQUE REFERENCES tickets(id),
      requester_id uuid NOT NULL REFERENCES users(id),
      org_id uuid REFERENCES orgs(id),
      context text NOT NULL CHECK (length(context) BETWEEN 1 AND 10000),
      status text NOT NULL CHECK (status IN ('open', 'accepted')),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX consulting_requests_repo_idx ON consulting_requests (repo_id, id);

    CREATE TABLE consulting_quotes (
      id uuid PRIMARY KEY,
      request_id uuid NOT NULL REFERENCES consulting_requests(id),
      helper_id uuid NOT NULL REFERENCES users(id),
      hours integer NOT NULL CHECK (hours BETWEEN 1 AND 1000),
      amount bigint NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      note text NOT NULL DEFAULT '',
      proposed_starts timestamptz[] NOT NULL CHECK (cardinality(proposed_starts) BETWEEN 1 AND 10),
      status text NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn')),
      expires_at timestamptz NOT NULL,
      payment_method text CHECK (payment_method IN ('card', 'invoice')),
      payment_id uuid REFERENCES payments(id),
      booking_id uuid REFERENCES bookings(id),
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX consulting_quotes_request_idx ON consulting_quotes (request_id, id);
    -- A request is bought once.
    CREATE UNIQUE INDEX consulting_quotes_accepted_key ON consulting_quotes (request_id) WHERE status = 'accepted';
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
