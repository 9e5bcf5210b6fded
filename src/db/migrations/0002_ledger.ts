import { sql, type Kysely } from 'kysely';

/**
 * The double-entry ledger: accounts, transactions and their entries. Entries are signed, debit positive
 * and credit negative, so "balanced" is simply sum(amount) = 0 and a stored balance is sum(amount) of the
 * account's entries. Transactions and entries are append-only (enforced by triggers below): a mistake is
 * corrected by a reversal, never by editing history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ledger_accounts (
      id uuid PRIMARY KEY,
      code text NOT NULL,
      -- One account per code and currency: a helper paid in USD and EUR has two, and balances never mix currencies.
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      kind text NOT NULL CHECK (kind IN ('asset', 'liability', 'revenue', 'expense')),
      owner_type text NOT NULL CHECK (owner_type IN ('helper', 'repo', 'customer', 'platform', 'processor')),
      owner_id uuid,
      -- Sum of this account's entries, kept in the posting transaction so balances read in O(1);
      -- the ledger check recomputes it from the entries.
      balance bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL,
      UNIQUE (code, currency)
    );
    CREATE INDEX ledger_accounts_owner_idx ON ledger_accounts (owner_type, owner_id);

    CREATE TABLE ledger_transactions (
      id uuid PRIMARY KEY,
      idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
      kind text NOT NULL CHECK (kind IN ('capture', 'release', 'refund', 'dispute', 'payout', 'transfer', 'reversal')),
      reference_type text NOT NULL,
      reference_id text NOT NULL,
      reverses_transaction_id uuid REFERENCES ledger_transactions(id),
      memo text NOT NULL DEFAULT '',
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      created_at timestamptz NOT NULL,
      CHECK ((kind = 'reversal') = (reverses_transaction_id IS NOT NULL))
    );
    CREATE INDEX ledger_transactions_reference_idx ON ledger_transactions (reference_type, reference_id);
    CREATE INDEX ledger_transactions_reverses_idx ON ledger_transactions (reverses_transaction_id) WHERE reverses_transaction_id IS NOT NULL;

    CREATE TABLE ledger_entries (
      id uuid PRIMARY KEY,
      transaction_id uuid NOT NULL REFERENCES ledger_transactions(id),
      account_id uuid NOT NULL REFERENCES ledger_accounts(id),
      amount bigint NOT NULL CHECK (amount <> 0),
      currency char(3) NOT NULL,
      -- Set on the entries of a reversal: which original entry each one takes back, so that no part of
      -- a transaction can be reversed more than once over, however many partial refunds there are.
      reverses_entry_id uuid REFERENCES ledger_entries(id),
      created_at timestamptz NOT NULL
    );
    CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);
    CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id, created_at);
    CREATE INDEX ledger_entries_reverses_idx ON ledger_entries (reverses_entry_id) WHERE reverses_entry_id IS NOT NULL;

    CREATE FUNCTION ledger_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'The ledger is append-only: % on % is not allowed; post a reversal instead.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
    END
    $$;
    CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
      FOR EACH ROW EXECUTE FUNCTION ledger_reject_change();
    CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change();
    CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ledger_reject_change();
    CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change();

    -- Accounts are never deleted and never change identity; only the stored balance moves.
    CREATE FUNCTION ledger_accounts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.code <> OLD.code OR NEW.currency <> OLD.currency
         OR NEW.kind <> OLD.kind OR NEW.owner_type <> OLD.owner_type OR NEW.owner_id IS DISTINCT FROM OLD.owner_id
         OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'Ledger accounts are permanent: only their balance may change.' USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE OR DELETE ON ledger_accounts
      FOR EACH ROW EXECUTE FUNCTION ledger_accounts_guard();
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
