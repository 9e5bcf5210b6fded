import { sql, type Kysely } from 'kysely';

/**
 * Payouts of what the ledger owes helpers and repositories, their schedules and minimums, and the
 * operator's reconciliation runs against the payment provider. Amounts are int8 minor units of the row's
 * currency. The ledger stays the truth about money: a payout row says how a ledger payout left (and
 * whether it arrived); see docs/payouts-and-statements.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- payee_id is a user (helper) or a repository, hence no foreign key (as payout_accounts).
    CREATE TABLE payout_settings (
      payee_type text NOT NULL CHECK (payee_type IN ('helper', 'repo')),
      payee_id uuid NOT NULL,
      schedule text NOT NULL CHECK (schedule IN ('weekly', 'monthly')),
      updated_by uuid REFERENCES users(id),
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (payee_type, payee_id)
    );

    -- A payee may ask to be paid less often than the platform's minimum allows, never more often: the
    -- service refuses a minimum below PAYOUT_MINIMUM, and the effective one is the larger of the two.
    CREATE TABLE payout_minimums (
      payee_type text NOT NULL CHECK (payee_type IN ('helper', 'repo')),
      payee_id uuid NOT NULL,
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      minimum bigint NOT NULL CHECK (minimum > 0),
      PRIMARY KEY (payee_type, payee_id, currency)
    );

    CREATE TABLE payouts (
      id uuid PRIMARY KEY,
      payee_type text NOT NULL CHECK (payee_type IN ('helper', 'repo')),
      payee_id uuid NOT NULL,
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      amount bigint NOT NULL CHECK (amount > 0),
      -- 2026-W02 or 2026-01: one payout per payee, currency and period, also in the ledger's idempotency key.
      period_key text NOT NULL,
      method text NOT NULL CHECK (method IN ('stripe', 'manual')),
      -- processing: posted in the ledger, the transfer not confirmed yet; pending_manual: an operator pays it
      -- by bank transfer; failed: the ledger posting was reversed and the money is owed again.
      status text NOT NULL CHECK (status IN ('processing', 'pending_manual', 'paid', 'failed')),
      ledger_transaction_id uuid NOT NULL UNIQUE REFERENCES ledger_transactions(id),
      reversal_transaction_id uuid UNIQUE REFERENCES ledger_transactions(id),
      destination text,
      provider_transfer_id text,
      transfer_attempts integer NOT NULL DEFAULT 0,
      failure_reason text,
      paid_reference text,
      paid_by uuid REFERENCES users(id),
      paid_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      UNIQUE (payee_type, payee_id, currency, period_key),
      CHECK ((status = 'failed') = (reversal_transaction_id IS NOT NULL)),
      CHECK ((method = 'stripe') = (destination IS NOT NULL))
    );
    CREATE INDEX payouts_payee_idx ON payouts (payee_type, payee_id, created_at);
    CREATE INDEX payouts_open_idx ON payouts (created_at) WHERE status IN ('processing', 'pending_manual');
    CREATE UNIQUE INDEX payouts_transfer_key ON payouts (provider_transfer_id) WHERE provider_transfer_id IS NOT NULL;

    CREATE TABLE reconciliation_runs (
      id uuid PRIMARY KEY,
      provider text NOT NULL CHECK (provider IN ('sandbox', 'stripe')),
      period_from timestamptz NOT NULL,
      period_to timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('completed', 'failed')),
      checked integer NOT NULL DEFAULT 0,
      differences integer NOT NULL DEFAULT 0,
      error text,
      started_by uuid REFERENCES users(id),
      started_at timestamptz NOT NULL,
      finished_at timestamptz NOT NULL
    );

    CREATE TABLE reconciliation_items (
      id uuid PRIMARY KEY,
      run_id uuid NOT NULL REFERENCES reconciliation_runs(id),
      object text NOT NULL CHECK (object IN ('charge', 'refund', 'transfer')),
      external_id text NOT NULL,
      issue text NOT NULL CHECK (issue IN ('missing_in_ledger', 'missing_at_provider', 'amount_mismatch')),
      currency char(3) NOT NULL,
      ledger_amount bigint,
      provider_amount bigint,
      detail text NOT NULL DEFAULT ''
    );
    CREATE INDEX reconciliation_items_run_idx ON reconciliation_items (run_id, id);
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
