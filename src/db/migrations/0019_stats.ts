import { sql, type Kysely } from 'kysely';

/**
 * The maintainer dashboard's rollups (see docs/stats.md). A dashboard for any period must answer in well
 * under a second for a repository with hundreds of thousands of tickets, so nothing reads the tickets or
 * the ledger at request time: triggers keep daily totals that a period sums.
 *
 * - ticket_stats: one row per ticket with what the dashboard needs of it (source, type, helper, response
 *   and resolution times, rating, SLA outcome). Triggers on tickets, ticket_sla, subscription_tickets,
 *   consulting_requests and payments keep it current.
 * - stats_daily, stats_helper_daily, stats_latency_daily: sums per UTC day of the day the ticket was
 *   opened, kept by a trigger on ticket_stats that takes a row's old contribution out and puts its new one
 *   in. Response and resolution times are counted in buckets (stats_latency_bounds) so that medians and
 *   p90 of any period come from a few hundred rows; a percentile is the upper bound of its bucket.
 * - stats_money_daily, stats_helper_money_daily: every release and every reversal of one (refunds,
 *   disputes) per UTC day of its posting, split into gross, commission, platform fee, processor fee and
 *   the helpers' shares. A deferred trigger on ledger_transactions reads the transaction's entries at
 *   commit, when they are all written; the ledger stays the only place money is recorded.
 * - stats_rebuild(repo) recomputes one repository's rows set by set (the backfill below, bulk loads; a test
 *   checks the triggers' sums against it). While it runs, or while a bulk load sets
 *   backline.stats_rebuilding = 'on' for its transaction, the triggers do nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Upper bounds in seconds of the response-time buckets: 1, 2, 3, 5, 10, 15, 20, 30, 45 minutes, 1, 1.5,
    -- 2, 3, 4, 6, 8, 12, 16, 24, 36 hours, 2, 3, 4, 5, 7, 10, 14, 21, 30, 60, 90 days, a year (and longer).
    CREATE FUNCTION stats_latency_bounds() RETURNS int[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT ARRAY[60, 120, 180, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 14400, 21600, 28800,
        43200, 57600, 86400, 129600, 172800, 259200, 345600, 432000, 604800, 864000, 1209600, 1814400, 2592000,
        5184000, 7776000, 31536000]
    $$;
    -- The bucket of a duration: the first bound at or above it (the last bucket also holds anything longer).
    -- width_bucket counts the bounds at or below its operand, so seconds - 1 counts those below seconds; one
    -- expression, so PostgreSQL inlines it (counting over unnest was 25 times slower).
    CREATE FUNCTION stats_latency_bucket(seconds int) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT least(width_bucket(seconds - 1, stats_latency_bounds()), cardinality(stats_latency_bounds()) - 1)::smallint
    $$;

    CREATE TABLE ticket_stats (
      ticket_id uuid PRIMARY KEY REFERENCES tickets(id),
      repo_id uuid NOT NULL REFERENCES repos(id),
      opened_on date NOT NULL,
      source text NOT NULL CHECK (source IN ('ai', 'community', 'expert')),
      -- consulting: a consulting request; plan: covered by a subscription; session: a per-minute session
      -- was bought (or offered when opened); ticket: everything else.
      type text NOT NULL CHECK (type IN ('ticket', 'session', 'plan', 'consulting')),
      helper_id uuid,
      resolved boolean NOT NULL,
      first_response_seconds integer,
      resolution_seconds integer,
      rating smallint,
      -- met: resolved (or stopped) without a breach; breached: any target missed; NULL: no SLA or still running.
      sla text CHECK (sla IN ('met', 'breached'))
    );

    CREATE TABLE stats_daily (
      repo_id uuid NOT NULL REFERENCES repos(id),
      day date NOT NULL,
      source text NOT NULL,
      type text NOT NULL,
      opened integer NOT NULL DEFAULT 0,
      resolved integer NOT NULL DEFAULT 0,
      rated integer NOT NULL DEFAULT 0,
      rating_sum integer NOT NULL DEFAULT 0,
      sla_met integer NOT NULL DEFAULT 0,
      sla_breached integer NOT NULL DEFAULT 0,
      PRIMARY KEY (repo_id, day, source, type)
    );

    CREATE TABLE stats_helper_daily (
      repo_id uuid NOT NULL REFERENCES repos(id),
      day date NOT NULL,
      helper_id uuid NOT NULL REFERENCES users(id),
      tickets integer NOT NULL DEFAULT 0,
      resolved integer NOT NULL DEFAULT 0,
      rated integer NOT NULL DEFAULT 0,
      rating_sum integer NOT NULL DEFAULT 0,
      minutes integer NOT NULL DEFAULT 0,
      PRIMARY KEY (repo_id, day, helper_id)
    );

    CREATE TABLE stats_latency_daily (
      repo_id uuid NOT NULL REFERENCES repos(id),
      day date NOT NULL,
      metric text NOT NULL CHECK (metric IN ('first_response', 'resolution')),
      bucket smallint NOT NULL,
      tickets integer NOT NULL DEFAULT 0,
      PRIMARY KEY (repo_id, day, metric, bucket)
    );

    CREATE TABLE stats_money_daily (
      repo_id uuid NOT NULL REFERENCES repos(id),
      day date NOT NULL,
      currency char(3) NOT NULL,
      type text NOT NULL,
      releases integer NOT NULL DEFAULT 0,
      reversals integer NOT NULL DEFAULT 0,
      gross bigint NOT NULL DEFAULT 0,
      commission bigint NOT NULL DEFAULT 0,
      platform_fee bigint NOT NULL DEFAULT 0,
      processor_fee bigint NOT NULL DEFAULT 0,
      helpers bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (repo_id, day, currency, type)
    );

    CREATE TABLE stats_helper_money_daily (
      repo_id uuid NOT NULL REFERENCES repos(id),
      day date NOT NULL,
      helper_id uuid NOT NULL REFERENCES users(id),
      currency char(3) NOT NULL,
      earnings bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (repo_id, day, helper_id, currency)
    );

    -- Adds (sign 1) or takes out (sign -1) one ticket's contribution to the daily sums.
    CREATE FUNCTION stats_apply_ticket(t ticket_stats, sign integer) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO stats_daily AS d (repo_id, day, source, type, opened, resolved, rated, rating_sum, sla_met, sla_breached)
      VALUES (t.repo_id, t.opened_on, t.source, t.type, sign, sign * t.resolved::int, sign * (t.rating IS NOT NULL)::int,
        sign * coalesce(t.rating, 0), sign * coalesce(t.sla = 'met', false)::int, sign * coalesce(t.sla = 'breached', false)::int)
      ON CONFLICT (repo_id, day, source, type) DO UPDATE SET
        opened = d.opened + excluded.opened, resolved = d.resolved + excluded.resolved, rated = d.rated + excluded.rated,
        rating_sum = d.rating_sum + excluded.rating_sum, sla_met = d.sla_met + excluded.sla_met,
        sla_breached = d.sla_breached + excluded.sla_breached;
      IF t.helper_id IS NOT NULL THEN
        INSERT INTO stats_helper_daily AS h (repo_id, day, helper_id, tickets, resolved, rated, rating_sum)
        VALUES (t.repo_id, t.opened_on, t.helper_id, sign, sign * t.resolved::int, sign * (t.rating IS NOT NULL)::int, sign * coalesce(t.rating, 0))
        ON CONFLICT (repo_id, day, helper_id) DO UPDATE SET
          tickets = h.tickets + excluded.tickets, resolved = h.resolved + excluded.resolved,
          rated = h.rated + excluded.rated, rating_sum = h.rating_sum + excluded.rating_sum;
      END IF;
      IF t.first_response_seconds IS NOT NULL THEN
        INSERT INTO stats_latency_daily AS l (repo_id, day, metric, bucket, tickets)
        VALUES (t.repo_id, t.opened_on, 'first_response', stats_latency_bucket(t.first_response_seconds), sign)
        ON CONFLICT (repo_id, day, metric, bucket) DO UPDATE SET tickets = l.tickets + excluded.tickets;
      END IF;
      IF t.resolution_seconds IS NOT NULL THEN
        INSERT INTO stats_latency_daily AS l (repo_id, day, metric, bucket, tickets)
        VALUES (t.repo_id, t.opened_on, 'resolution', stats_latency_bucket(t.resolution_seconds), sign)
        ON CONFLICT (repo_id, day, metric, bucket) DO UPDATE SET tickets = l.tickets + excluded.tickets;
      END IF;
    END
    $$;

    -- A rebuild (stats_rebuild) sums everything at once instead: row by row would be thousands of times slower.
    CREATE FUNCTION stats_rebuilding() RETURNS boolean LANGUAGE sql STABLE AS $$
      SELECT coalesce(current_setting('backline.stats_rebuilding', true), '') = 'on'
    $$;

    CREATE FUNCTION stats_ticket_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF stats_rebuilding() THEN RETURN NULL; END IF;
      IF TG_OP <> 'INSERT' THEN PERFORM stats_apply_ticket(OLD, -1); END IF;
      IF TG_OP <> 'DELETE' THEN PERFORM stats_apply_ticket(NEW, 1); END IF;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER ticket_stats_rollup AFTER INSERT OR UPDATE OR DELETE ON ticket_stats
      FOR EACH ROW EXECUTE FUNCTION stats_ticket_rollup();

    -- The ticket's own columns; its type is set once here and then only by the tables that change it.
    CREATE FUNCTION stats_ticket_facts() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      resolved_at timestamptz := coalesce(NEW.resolved_at, NEW.closed_at);
    BEGIN
      IF stats_rebuilding() THEN RETURN NULL; END IF;
      IF TG_OP = 'INSERT' THEN
        INSERT INTO ticket_stats (ticket_id, repo_id, opened_on, source, type, helper_id, resolved, first_response_seconds, resolution_seconds, rating)
        VALUES (NEW.id, NEW.repo_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.track,
          CASE WHEN EXISTS (SELECT 1 FROM offerings o WHERE o.id = NEW.offering_id AND o.kind = 'session') THEN 'session' ELSE 'ticket' END,
          NEW.assignee_id, NEW.status IN ('resolved', 'closed') AND NEW.cancelled_at IS NULL,
          extract(epoch FROM NEW.first_response_at - NEW.created_at)::int,
          CASE WHEN NEW.status IN ('resolved', 'closed') THEN extract(epoch FROM resolved_at - NEW.created_at)::int END,
          NEW.rating_score);
      ELSE
        UPDATE ticket_stats SET
          source = NEW.track,
          helper_id = NEW.assignee_id,
          resolved = NEW.status IN ('resolved', 'closed') AND NEW.cancelled_at IS NULL,
          first_response_seconds = extract(epoch FROM NEW.first_response_at - NEW.created_at)::int,
          resolution_seconds = CASE WHEN NEW.status IN ('resolved', 'closed') THEN extract(epoch FROM resolved_at - NEW.created_at)::int END,
          rating = NEW.rating_score
        WHERE ticket_id = NEW.id;
      END IF;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER tickets_stats_insert AFTER INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION stats_ticket_facts();
    -- Most ticket updates (updated_at, titles) change nothing the dashboard counts: those skip the rollup.
    CREATE TRIGGER tickets_stats_update AFTER UPDATE ON tickets FOR EACH ROW
      WHEN (OLD.track IS DISTINCT FROM NEW.track OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
        OR OLD.status IS DISTINCT FROM NEW.status OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at
        OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.closed_at IS DISTINCT FROM NEW.closed_at
        OR OLD.rating_score IS DISTINCT FROM NEW.rating_score)
      EXECUTE FUNCTION stats_ticket_facts();

    CREATE FUNCTION stats_sla_outcome(s ticket_sla) RETURNS text LANGUAGE sql IMMUTABLE AS $$
      SELECT CASE
        WHEN s.first_response_breached_at IS NOT NULL OR s.next_response_breached_at IS NOT NULL OR s.resolution_breached_at IS NOT NULL THEN 'breached'
        WHEN s.resolution_met_at IS NOT NULL OR s.stopped_at IS NOT NULL THEN 'met'
      END
    $$;
    CREATE FUNCTION stats_ticket_sla() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF stats_rebuilding() THEN RETURN NULL; END IF;
      UPDATE ticket_stats SET sla = stats_sla_outcome(NEW)
      WHERE ticket_id = NEW.ticket_id AND sla IS DISTINCT FROM stats_sla_outcome(NEW);
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER ticket_sla_stats AFTER INSERT OR UPDATE ON ticket_sla FOR EACH ROW EXECUTE FUNCTION stats_ticket_sla();

    -- A ticket's type, most specific first: consulting, then plan, then session.
    CREATE FUNCTION stats_ticket_type() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF stats_rebuilding() THEN RETURN NULL; END IF;
      IF TG_TABLE_NAME = 'consulting_requests' THEN
        UPDATE ticket_stats SET type = 'consulting' WHERE ticket_id = NEW.ticket_id AND type <> 'consulting';
      ELSIF TG_TABLE_NAME = 'subscription_tickets' AND TG_OP = 'DELETE' THEN
        -- Unlinked (a consulting request bought on its own): no longer a plan ticket.
        UPDATE ticket_stats SET type = CASE WHEN EXISTS (SELECT 1 FROM payments p WHERE p.ticket_id = OLD.ticket_id AND p.kind = 'session') THEN 'session' ELSE 'ticket' END
        WHERE ticket_id = OLD.ticket_id AND type = 'plan';
      ELSIF TG_TABLE_NAME = 'subscription_tickets' THEN
        UPDATE ticket_stats SET type = 'plan' WHERE ticket_id = NEW.ticket_id AND type IN ('ticket', 'session');
      ELSIF NEW.kind = 'session' AND NEW.ticket_id IS NOT NULL THEN
        UPDATE ticket_stats SET type = 'session' WHERE ticket_id = NEW.ticket_id AND type = 'ticket';
      END IF;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER consulting_requests_stats AFTER INSERT ON consulting_requests FOR EACH ROW EXECUTE FUNCTION stats_ticket_type();
    CREATE TRIGGER subscription_tickets_stats AFTER INSERT OR DELETE ON subscription_tickets FOR EACH ROW EXECUTE FUNCTION stats_ticket_type();
    CREATE TRIGGER payments_stats AFTER INSERT ON payments FOR EACH ROW EXECUTE FUNCTION stats_ticket_type();

    CREATE FUNCTION stats_time_entry() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF stats_rebuilding() THEN RETURN NULL; END IF;
      INSERT INTO stats_helper_daily AS h (repo_id, day, helper_id, minutes)
      SELECT t.repo_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.helper_id, NEW.minutes FROM tickets t WHERE t.id = NEW.ticket_id
      ON CONFLICT (repo_id, day, helper_id) DO UPDATE SET minutes = h.minutes + excluded.minutes;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER time_entries_stats AFTER INSERT ON time_entries FOR EACH ROW EXECUTE FUNCTION stats_time_entry();

    -- A release, or a reversal of one, counted for the repository it paid: through the payment it was posted
    -- for (payment_postings, or a reference to the payment), or the plan period it shared out. The type is
    -- that of the payment's ticket, else 'plan' for plan periods and plan payments.
    CREATE FUNCTION stats_money_transaction(tx_id uuid) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      t ledger_transactions;
      origin ledger_transactions;
      target uuid;
      paid_repo uuid;
      money_type text;
      posted_on date;
    BEGIN
      SELECT * INTO t FROM ledger_transactions WHERE id = tx_id;
      IF t.kind = 'reversal' THEN
        SELECT * INTO origin FROM ledger_transactions WHERE id = t.reverses_transaction_id;
        IF origin.kind <> 'release' THEN RETURN; END IF;
      ELSIF t.kind <> 'release' THEN
        RETURN;
      ELSE
        origin := t;
      END IF;
      IF origin.reference_type = 'subscription_period' THEN
        SELECT s.repo_id, 'plan' INTO paid_repo, money_type
        FROM subscription_periods sp JOIN subscriptions s ON s.id = sp.subscription_id WHERE sp.id::text = origin.reference_id;
      ELSE
        SELECT pp.payment_id INTO target FROM payment_postings pp WHERE pp.transaction_id IN (t.id, origin.id) ORDER BY pp.transaction_id = t.id DESC LIMIT 1;
        IF target IS NULL AND origin.reference_type = 'payment' THEN target := origin.reference_id::uuid; END IF;
        SELECT p.repo_id, coalesce(ts.type, CASE p.kind WHEN 'plan' THEN 'plan' WHEN 'consulting' THEN 'consulting' WHEN 'session' THEN 'session' ELSE 'ticket' END)
          INTO paid_repo, money_type
        FROM payments p LEFT JOIN ticket_stats ts ON ts.ticket_id = p.ticket_id WHERE p.id = target;
      END IF;
      IF paid_repo IS NULL THEN RETURN; END IF;
      posted_on := (t.created_at AT TIME ZONE 'UTC')::date;

      INSERT INTO stats_money_daily AS m (repo_id, day, currency, type, releases, reversals, gross, commission, platform_fee, processor_fee, helpers)
      SELECT paid_repo, posted_on, t.currency, money_type, (t.kind = 'release')::int, (t.kind = 'reversal')::int,
        coalesce(sum(e.amount) FILTER (WHERE a.code IN ('escrow:held', 'tax:payable')), 0),
        0 - coalesce(sum(e.amount) FILTER (WHERE a.owner_type = 'repo'), 0),
        0 - coalesce(sum(e.amount) FILTER (WHERE a.code = 'platform:revenue'), 0),
        0 - coalesce(sum(e.amount) FILTER (WHERE a.code = 'processor:fees'), 0),
        0 - coalesce(sum(e.amount) FILTER (WHERE a.owner_type = 'helper'), 0)
      FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE e.transaction_id = t.id
      ON CONFLICT (repo_id, day, currency, type) DO UPDATE SET
        releases = m.releases + excluded.releases, reversals = m.reversals + excluded.reversals,
        gross = m.gross + excluded.gross, commission = m.commission + excluded.commission,
        platform_fee = m.platform_fee + excluded.platform_fee, processor_fee = m.processor_fee + excluded.processor_fee,
        helpers = m.helpers + excluded.helpers;

      INSERT INTO stats_helper_money_daily AS hm (repo_id, day, helper_id, currency, earnings)
      SELECT paid_repo, posted_on, a.owner_id, t.currency, 0 - sum(e.amount)
      FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
      WHERE e.transaction_id = t.id AND a.owner_type = 'helper'
      GROUP BY a.owner_id
      ON CONFLICT (repo_id, day, helper_id, currency) DO UPDATE SET earnings = hm.earnings + excluded.earnings;
    END
    $$;

    CREATE FUNCTION stats_money_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF stats_rebuilding() THEN RETURN NULL; END IF;
      PERFORM stats_money_transaction(NEW.id);
      RETURN NULL;
    END
    $$;
    -- Deferred to commit: the entries and the payment_postings row are written after the transaction row.
    CREATE CONSTRAINT TRIGGER ledger_transactions_stats AFTER INSERT ON ledger_transactions
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stats_money_rollup();

    -- Recomputes one repository's facts and rollups from its tickets, time entries and ledger postings, set by
    -- set: the backfill below, bulk loads, and the check that the triggers kept the same sums.
    CREATE FUNCTION stats_rebuild(p_repo uuid) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM set_config('backline.stats_rebuilding', 'on', true);
      DELETE FROM ticket_stats WHERE repo_id = p_repo;
      INSERT INTO ticket_stats (ticket_id, repo_id, opened_on, source, type, helper_id, resolved, first_response_seconds, resolution_seconds, rating, sla)
      SELECT t.id, t.repo_id, (t.created_at AT TIME ZONE 'UTC')::date, t.track,
        CASE
          WHEN EXISTS (SELECT 1 FROM consulting_requests c WHERE c.ticket_id = t.id) THEN 'consulting'
          WHEN EXISTS (SELECT 1 FROM subscription_tickets s WHERE s.ticket_id = t.id) THEN 'plan'
          WHEN EXISTS (SELECT 1 FROM offerings o WHERE o.id = t.offering_id AND o.kind = 'session')
            OR EXISTS (SELECT 1 FROM payments p WHERE p.ticket_id = t.id AND p.kind = 'session') THEN 'session'
          ELSE 'ticket'
        END,
        t.assignee_id, t.status IN ('resolved', 'closed') AND t.cancelled_at IS NULL,
        extract(epoch FROM t.first_response_at - t.created_at)::int,
        CASE WHEN t.status IN ('resolved', 'closed') THEN extract(epoch FROM coalesce(t.resolved_at, t.closed_at) - t.created_at)::int END,
        t.rating_score,
        (SELECT stats_sla_outcome(s) FROM ticket_sla s WHERE s.ticket_id = t.id)
      FROM tickets t WHERE t.repo_id = p_repo;

      DELETE FROM stats_daily WHERE repo_id = p_repo;
      INSERT INTO stats_daily (repo_id, day, source, type, opened, resolved, rated, rating_sum, sla_met, sla_breached)
      SELECT repo_id, opened_on, source, type, count(*), count(*) FILTER (WHERE resolved), count(rating), coalesce(sum(rating), 0),
        count(*) FILTER (WHERE sla = 'met'), count(*) FILTER (WHERE sla = 'breached')
      FROM ticket_stats WHERE repo_id = p_repo GROUP BY repo_id, opened_on, source, type;

      DELETE FROM stats_helper_daily WHERE repo_id = p_repo;
      INSERT INTO stats_helper_daily (repo_id, day, helper_id, tickets, resolved, rated, rating_sum)
      SELECT repo_id, opened_on, helper_id, count(*), count(*) FILTER (WHERE resolved), count(rating), coalesce(sum(rating), 0)
      FROM ticket_stats WHERE repo_id = p_repo AND helper_id IS NOT NULL GROUP BY repo_id, opened_on, helper_id;
      INSERT INTO stats_helper_daily AS h (repo_id, day, helper_id, minutes)
      SELECT t.repo_id, (e.created_at AT TIME ZONE 'UTC')::date, e.helper_id, sum(e.minutes)
      FROM time_entries e JOIN tickets t ON t.id = e.ticket_id WHERE t.repo_id = p_repo GROUP BY 1, 2, 3
      ON CONFLICT (repo_id, day, helper_id) DO UPDATE SET minutes = h.minutes + excluded.minutes;

      DELETE FROM stats_latency_daily WHERE repo_id = p_repo;
      INSERT INTO stats_latency_daily (repo_id, day, metric, bucket, tickets)
      SELECT repo_id, opened_on, 'first_response', stats_latency_bucket(first_response_seconds), count(*)
      FROM ticket_stats WHERE repo_id = p_repo AND first_response_seconds IS NOT NULL GROUP BY 1, 2, 3, 4
      UNION ALL
      SELECT repo_id, opened_on, 'resolution', stats_latency_bucket(resolution_seconds), count(*)
      FROM ticket_stats WHERE repo_id = p_repo AND resolution_seconds IS NOT NULL GROUP BY 1, 2, 3, 4;

      DELETE FROM stats_money_daily WHERE repo_id = p_repo;
      DELETE FROM stats_helper_money_daily WHERE repo_id = p_repo;
      PERFORM stats_money_transaction(t.id)
      FROM ledger_transactions t
      LEFT JOIN ledger_transactions o ON o.id = t.reverses_transaction_id
      CROSS JOIN LATERAL (SELECT coalesce(o.id, t.id) AS id, coalesce(o.reference_type, t.reference_type) AS type, coalesce(o.reference_id, t.reference_id) AS ref) origin
      LEFT JOIN payment_postings pp ON pp.transaction_id = origin.id
      LEFT JOIN payments p ON p.id = coalesce(pp.payment_id, CASE WHEN origin.type = 'payment' THEN origin.ref::uuid END)
      LEFT JOIN subscription_periods sp ON origin.type = 'subscription_period' AND sp.id::text = origin.ref
      LEFT JOIN subscriptions s ON s.id = sp.subscription_id
      WHERE (t.kind = 'release' OR o.kind = 'release') AND p_repo IN (p.repo_id, s.repo_id)
      ORDER BY t.created_at, t.id;
      PERFORM set_config('backline.stats_rebuilding', '', true);
    END
    $$;

    -- What was there before this migration.
    SELECT stats_rebuild(id) FROM repos;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
