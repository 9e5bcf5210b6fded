import { sql, type Kysely } from 'kysely';

/**
 * Fixes to the stats rollups of 0019 (see docs/stats.md), in their own migration because 0019 may already
 * be applied:
 * - stats_latency_bucket as one width_bucket expression that PostgreSQL inlines: 25 times faster than
 *   counting the bounds over unnest, and the same bucket for every duration;
 * - a ticket unlinked from its plan (a consulting request bought on its own) stops counting as a plan ticket;
 * - stats_rebuild joins a posting to its payment by one key instead of an OR, which compared every posting
 *   with every payment.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The bucket of a duration: the first bound at or above it (the last bucket also holds anything longer).
    -- width_bucket counts the bounds at or below its operand, so seconds - 1 counts those below seconds; one
    -- expression, so PostgreSQL inlines it (counting over unnest was 25 times slower).
    CREATE OR REPLACE FUNCTION stats_latency_bucket(seconds int) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT least(width_bucket(seconds - 1, stats_latency_bounds()), cardinality(stats_latency_bounds()) - 1)::smallint
    $$;

    -- A ticket's type, most specific first: consulting, then plan, then session.
    CREATE OR REPLACE FUNCTION stats_ticket_type() RETURNS trigger LANGUAGE plpgsql AS $$
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
    DROP TRIGGER subscription_tickets_stats ON subscription_tickets;
    CREATE TRIGGER subscription_tickets_stats AFTER INSERT OR DELETE ON subscription_tickets FOR EACH ROW EXECUTE FUNCTION stats_ticket_type();

    -- Recomputes one repository's facts and rollups from its tickets, time entries and ledger postings, set by
    -- set: the backfill below, bulk loads, and the check that the triggers kept the same sums.
    CREATE OR REPLACE FUNCTION stats_rebuild(p_repo uuid) RETURNS void LANGUAGE plpgsql AS $$
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
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
