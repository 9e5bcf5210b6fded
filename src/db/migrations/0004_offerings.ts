import { sql, type Kysely } from 'kysely';

/**
 * Expert offerings of a repository, their prices per currency and helpers' own rates.
 * Amounts are int8 minor units of the row's currency; the service keeps them far below 2^53 and the
 * CHECKs below are the last line of defence if it ever does not.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE offerings (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      kind text NOT NULL CHECK (kind IN ('fixed', 'session', 'quote')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      description text NOT NULL DEFAULT '',
      -- The offering's main currency: its price in this currency is listed first and must exist.
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      active boolean NOT NULL DEFAULT true,
      sort_order integer NOT NULL DEFAULT 0,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      -- Lets offering_prices reference (id, kind), so that the database itself refuses a price of the wrong shape.
      UNIQUE (id, kind)
    );
    CREATE INDEX offerings_repo_idx ON offerings (repo_id, sort_order, id);

    -- One row per currency. A fixed offering has a price; a session an initial fee, a per-minute rate and
    -- a minimum; a quote none at all (kind is not allowed to be 'quote' here). rate_min/rate_max bound what
    -- helpers may charge instead: the price for fixed offerings, the per-minute rate for sessions.
    CREATE TABLE offering_prices (
      offering_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('fixed', 'session')),
      currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      price bigint CHECK (price > 0),
      initial_fee bigint CHECK (initial_fee >= 0),
      per_minute_rate bigint CHECK (per_minute_rate > 0),
      minimum_minutes integer CHECK (minimum_minutes >= 0),
      rate_min bigint CHECK (rate_min > 0),
      rate_max bigint,
      PRIMARY KEY (offering_id, currency),
      FOREIGN KEY (offering_id, kind) REFERENCES offerings (id, kind),
      CHECK (
        (kind = 'fixed' AND price IS NOT NULL AND initial_fee IS NULL AND per_minute_rate IS NULL AND minimum_minutes IS NULL)
        OR (kind = 'session' AND price IS NULL AND initial_fee IS NOT NULL AND per_minute_rate IS NOT NULL AND minimum_minutes IS NOT NULL)
      ),
      CHECK ((rate_min IS NULL) = (rate_max IS NULL) AND rate_min <= rate_max)
    );

    -- A helper's own rate replaces the bounded amount (price or per-minute rate) for one currency.
    -- Removing a currency from an offering removes the helpers' rates in it.
    CREATE TABLE offering_helper_rates (
      offering_id uuid NOT NULL,
      currency char(3) NOT NULL,
      helper_id uuid NOT NULL REFERENCES users(id),
      rate bigint NOT NULL CHECK (rate > 0),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (offering_id, helper_id, currency),
      FOREIGN KEY (offering_id, currency) REFERENCES offering_prices (offering_id, currency) ON DELETE CASCADE
    );
    CREATE INDEX offering_helper_rates_price_idx ON offering_helper_rates (offering_id, currency);
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
