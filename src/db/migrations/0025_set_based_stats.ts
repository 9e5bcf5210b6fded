import { sql, type Kysely } from 'kysely';

/**
 * Opening a ticket cost PostgreSQL more in its statistics triggers than in the ticket itself: per row, a
 * PL/pgSQL trigger inserted the ticket's facts, whose own PL/pgSQL trigger called a third function that
 * upserted the daily sums (0.24 ms of a 0.5 ms insert). Tickets are opened in batches (group commit),
 * so this now runs once per statement over its transition table, as one statement: the facts of every
 * ticket the statement opened, and each day's sums from them, grouped so that no sum row is hit twice
 * and in key order, so that two batches lock sum rows in the same order. ticket_stats no longer has a
 * trigger of its own for inserts: this is its only writer besides stats_rebuild, which sums by itself.
 * Updates and deletes keep the row-level triggers of 0019: they come one ticket at a time.
 *
 * The facts' type is worked out as stats_rebuild does, from whatever the statement wrote alongside the
 * ticket (a plan's link, a consulting request): statement triggers fire after the statement's rows are
 * in, whichever order the statement's parts ran in, and the row triggers of those tables still correct
 * the type when they fire after this one.
 *
 * Also `cache:sla_policies` and `cache:subscriptions`, like 0024's keys: sent when a repository gains or
 * loses an SLA policy or a subscription, so that processes can keep which repositories have none: a
 * new expert ticket there starts no clock and needs no policy read, and no plan can cover it. And
 * `cache:knowledge` when a repository's AI settings or index version change, and `cache:calendars` when a
 * business calendar changes: processes keep them instead of reading them again a second after their
 * last look.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION stats_tickets_opened() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF stats_rebuilding() THEN RETURN NULL; END IF;
      WITH facts AS (
        INSERT INTO ticket_stats (ticket_id, repo_id, opened_on, source, type, helper_id, resolved, first_response_seconds, resolution_seconds, rating)
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
          t.rating_score
        FROM opened t ORDER BY t.repo_id, t.id
        RETURNING *
      ), daily AS (
        INSERT INTO stats_daily AS d (repo_id, day, source, type, opened, resolved, rated, rating_sum, sla_met, sla_breached)
        SELECT repo_id, opened_on, source, type, count(*), count(*) FILTER (WHERE resolved), count(rating), coalesce(sum(rating), 0),
          count(*) FILTER (WHERE sla = 'met'), count(*) FILTER (WHERE sla = 'breached')
        FROM facts GROUP BY repo_id, opened_on, source, type ORDER BY repo_id, opened_on, source, type
        ON CONFLICT (repo_id, day, source, type) DO UPDATE SET
          opened = d.opened + excluded.opened, resolved = d.resolved + excluded.resolved, rated = d.rated + excluded.rated,
          rating_sum = d.rating_sum + excluded.rating_sum, sla_met = d.sla_met + excluded.sla_met,
          sla_breached = d.sla_breached + excluded.sla_breached
      ), helpers AS (
        INSERT INTO stats_helper_daily AS h (repo_id, day, helper_id, tickets, resolved, rated, rating_sum)
        SELECT repo_id, opened_on, helper_id, count(*), count(*) FILTER (WHERE resolved), count(rating), coalesce(sum(rating), 0)
        FROM facts WHERE helper_id IS NOT NULL GROUP BY repo_id, opened_on, helper_id ORDER BY repo_id, opened_on, helper_id
        ON CONFLICT (repo_id, day, helper_id) DO UPDATE SET
          tickets = h.tickets + excluded.tickets, resolved = h.resolved + excluded.resolved,
          rated = h.rated + excluded.rated, rating_sum = h.rating_sum + excluded.rating_sum
      )
      INSERT INTO stats_latency_daily AS l (repo_id, day, metric, bucket, tickets)
      SELECT repo_id, opened_on, metric, bucket, count(*) FROM (
        SELECT repo_id, opened_on, 'first_response' AS metric, stats_latency_bucket(first_response_seconds) AS bucket
        FROM facts WHERE first_response_seconds IS NOT NULL
        UNION ALL
        SELECT repo_id, opened_on, 'resolution', stats_latency_bucket(resolution_seconds)
        FROM facts WHERE resolution_seconds IS NOT NULL
      ) AS latencies GROUP BY repo_id, opened_on, metric, bucket ORDER BY repo_id, opened_on, metric, bucket
      ON CONFLICT (repo_id, day, metric, bucket) DO UPDATE SET tickets = l.tickets + excluded.tickets;
      RETURN NULL;
    END
    $$;

    -- What the row-level function still does: a ticket's facts after an update.
    CREATE OR REPLACE FUNCTION stats_ticket_facts() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      resolved_at timestamptz := coalesce(NEW.resolved_at, NEW.closed_at);
    BEGIN
      IF stats_rebuilding() THEN RETURN NULL; END IF;
      UPDATE ticket_stats SET
        source = NEW.track,
        helper_id = NEW.assignee_id,
        resolved = NEW.status IN ('resolved', 'closed') AND NEW.cancelled_at IS NULL,
        first_response_seconds = extract(epoch FROM NEW.first_response_at - NEW.created_at)::int,
        resolution_seconds = CASE WHEN NEW.status IN ('resolved', 'closed') THEN extract(epoch FROM resolved_at - NEW.created_at)::int END,
        rating = NEW.rating_score
      WHERE ticket_id = NEW.id;
      RETURN NULL;
    END
    $$;

    DROP TRIGGER tickets_stats_insert ON tickets;
    CREATE TRIGGER tickets_stats_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS opened
      FOR EACH STATEMENT EXECUTE FUNCTION stats_tickets_opened();
    DROP TRIGGER ticket_stats_rollup ON ticket_stats;
    CREATE TRIGGER ticket_stats_rollup AFTER UPDATE OR DELETE ON ticket_stats
      FOR EACH ROW EXECUTE FUNCTION stats_ticket_rollup();
    -- Written only by the triggers, from the ticket they describe, in its own statement: the checks
    -- cannot fail and cost two lookups a ticket.
    ALTER TABLE ticket_stats DROP CONSTRAINT ticket_stats_ticket_id_fkey, DROP CONSTRAINT ticket_stats_repo_id_fkey;

    CREATE TRIGGER sla_policies_cache AFTER INSERT OR UPDATE OF repo_id OR DELETE ON sla_policies
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:sla_policies');
    CREATE TRIGGER subscriptions_cache AFTER INSERT OR UPDATE OF repo_id OR DELETE ON subscriptions
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:subscriptions');
    CREATE TRIGGER knowledge_settings_cache AFTER INSERT OR UPDATE OR DELETE ON knowledge_settings
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:knowledge');
    CREATE TRIGGER business_calendars_cache AFTER UPDATE OR DELETE ON business_calendars
      FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_change('cache:calendars');
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
