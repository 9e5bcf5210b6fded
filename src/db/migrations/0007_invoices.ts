import { sql, type Kysely } from 'kysely';

/**
 * Invoices and credit notes (one table: a credit note is an invoice-like document that credits
 * another), their lines, the gapless number counters and the tax rates per country.
 * Amounts are int8 minor units of the document's currency. See docs/invoices.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE tax_rates (
      country char(2) PRIMARY KEY CHECK (country ~ '^[A-Z]{2}$'),
      rate_bps integer NOT NULL CHECK (rate_bps BETWEEN 0 AND 10000),
      updated_by uuid REFERENCES users(id),
      updated_at timestamptz NOT NULL
    );

    -- One row per (issuer, series), locked FOR UPDATE by the transaction that inserts the document
    -- numbered from it: a rollback gives the number back, so numbers have no gaps.
    CREATE TABLE invoice_counters (
      issuer text NOT NULL,
      series text NOT NULL,
      last_number integer NOT NULL CHECK (last_number >= 0),
      PRIMARY KEY (issuer, series)
    );

    CREATE TABLE invoices (
      id uuid PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
      issuer text NOT NULL,
      series text NOT NULL,
      sequence integer NOT NULL CHECK (sequence > 0),
      number text NOT NULL,
      credits_invoice_id uuid REFERENCES invoices(id),
      repo_id uuid REFERENCES repos(id),
      -- The payment this invoice asks for (payment method "invoice"); no foreign key while payments
      -- are written elsewhere, but one invoice per payment.
      payment_id text,
      status text NOT NULL CHECK (status IN ('issued', 'paid', 'void')),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      seller_legal_name text NOT NULL,
      seller_address text NOT NULL,
      seller_country char(2) NOT NULL,
      seller_vat_id text,
      -- The buyer as they were at issue time: later changes to the organization do not rewrite invoices.
      buyer_org_id uuid REFERENCES orgs(id),
      buyer_user_id uuid REFERENCES users(id),
      buyer_name text NOT NULL,
      buyer_email text,
      buyer_address text NOT NULL DEFAULT '',
      buyer_country char(2),
      buyer_vat_id text,
      po_number text,
      tax_country char(2) NOT NULL,
      tax_rate_bps integer NOT NULL CHECK (tax_rate_bps BETWEEN 0 AND 10000),
      reverse_charge boolean NOT NULL,
      subtotal bigint NOT NULL CHECK (subtotal > 0),
      tax bigint NOT NULL CHECK (tax >= 0),
      total bigint NOT NULL,
      note text NOT NULL DEFAULT '',
      net_terms_days integer CHECK (net_terms_days >= 0),
      issued_at timestamptz NOT NULL,
      due_at timestamptz,
      paid_at timestamptz,
      payment_reference text,
      voided_at timestamptz,
      created_by uuid REFERENCES users(id),
      UNIQUE (issuer, number),
      UNIQUE (issuer, series, sequence),
      CHECK (total = subtotal + tax),
      CHECK ((buyer_org_id IS NULL) <> (buyer_user_id IS NULL)),
      CHECK ((kind = 'credit_note') = (credits_invoice_id IS NOT NULL)),
      CHECK (kind = 'invoice' OR status = 'issued'),
      CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
      CHECK ((status = 'void') = (voided_at IS NOT NULL)),
      CHECK (NOT reverse_charge OR tax = 0)
    );
    CREATE UNIQUE INDEX invoices_payment_key ON invoices (payment_id) WHERE kind = 'invoice' AND payment_id IS NOT NULL;
    CREATE INDEX invoices_buyer_org_idx ON invoices (buyer_org_id, id) WHERE buyer_org_id IS NOT NULL;
    CREATE INDEX invoices_buyer_user_idx ON invoices (buyer_user_id, id) WHERE buyer_user_id IS NOT NULL;
    CREATE INDEX invoices_repo_idx ON invoices (repo_id, id) WHERE repo_id IS NOT NULL;
    CREATE INDEX invoices_credits_idx ON invoices (credits_invoice_id) WHERE credits_invoice_id IS NOT NULL;

    CREATE TABLE invoice_lines (
      id uuid PRIMARY KEY,
      invoice_id uuid NOT NULL REFERENCES invoices(id),
      position integer NOT NULL CHECK (position > 0),
      kind text NOT NULL CHECK (kind IN ('offering', 'time', 'fee', 'plan', 'consulting')),
      description text NOT NULL,
      quantity bigint NOT NULL CHECK (quantity > 0),
      unit_price bigint NOT NULL CHECK (unit_price >= 0),
      amount bigint NOT NULL,
      reference_type text,
      reference_id text,
      credits_line_id uuid REFERENCES invoice_lines(id),
      UNIQUE (invoice_id, position),
      CHECK (amount = quantity * unit_price),
      CHECK ((reference_type IS NULL) = (reference_id IS NULL))
    );
    CREATE INDEX invoice_lines_credits_idx ON invoice_lines (credits_line_id) WHERE credits_line_id IS NOT NULL;

    -- An issued document is final: lines never change, and an invoice only moves from issued to paid or
    -- void. Corrections are credit notes.
    CREATE FUNCTION invoices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'Issued invoices are kept: % on % is not allowed; issue a credit note.', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END IF;
      IF OLD.status <> 'issued' OR (to_jsonb(NEW) - '{status,paid_at,payment_reference,voided_at}'::text[])
         IS DISTINCT FROM (to_jsonb(OLD) - '{status,paid_at,payment_reference,voided_at}'::text[]) THEN
        RAISE EXCEPTION 'Invoice % is final: only an issued invoice may become paid or void.', OLD.number
          USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN NEW;
    END
    $$;
    CREATE TRIGGER invoices_guard BEFORE UPDATE OR DELETE ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_guard();

    CREATE FUNCTION invoice_lines_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'Invoice lines are final: % is not allowed; issue a credit note.', TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$;
    CREATE TRIGGER invoice_lines_final BEFORE UPDATE OR DELETE ON invoice_lines FOR EACH ROW EXECUTE FUNCTION invoice_lines_reject_change();
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
