import { sql, type Kysely } from 'kysely';

/**
 * A ticket a customer opens is never assigned, answered or resolved yet, so it adds nothing to the daily
 * sums per helper or to the latency buckets. 0025's statement trigger still wrote to both tables with
 * every batch of new tickets: two more upserts in its one statement, which PostgreSQL prepared, opened
 * the tables and indexes of, and ran over nothing (5% of PostgreSQL's CPU per new ticket). Now the facts
 * and the day's sums go in as before, and the helper and latency sums only when a ticket of the batch
 * comes in already assigned, answered or resolved (an import, a fixture), read back from the facts just
 * written. What each table ends up holding is the same as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION stats_tickets_opened() RETURNS trigger LANGUAGE plpgsql AS $$
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
      )
      INSERT INTO stats_daily AS d (repo_id, day, source, type, opened, resolved, rated, rating_sum, sla_met, sla_breached)
      SELECT repo_id, opened_on, source, type, count(*), count(*) FILTER (WHERE resolved), count(rating), coalesce(sum(rating), 0),
        count(*) FILTER (WHERE sla = 'met'), count(*) FILTER (WHERE sla = 'breached')
      FROM facts GROUP BY repo_id, opened_on, source, type ORDER BY repo_id, opened_on, source, type
      ON CONFLICT (repo_id, day, source, type) DO UPDATE SET
        opened = d.opened + excluded.opened, resolved = d.resolved + excluded.resolved, rated = d.rated + excluded.rated,
        rating_sum = d.rating_sum + excluded.rating_sum, sla_met = d.sla_met + excluded.sla_met,
        sla_breached = d.sla_breached + excluded.sla_breached;
      IF NOT EXISTS (SELECT 1 FROM opened t WHERE t.assignee_id IS NOT NULL OR t.first_response_at IS NOT NULL OR t.status IN ('resolved', 'closed')) THEN
        RETURN NULL;
      END IF;
      INSERT INTO stats_helper_daily AS h (repo_id, day, helper_id, tickets, resolved, rated, rating_sum)
      SELECT s.repo_id, s.opened_on, s.helper_id, count(*), count(*) FILTER (WHERE s.resolved), count(s.rating), coalesce(sum(s.rating), 0)
      FROM ticket_stats s JOIN opened t ON t.id = s.ticket_id WHERE s.helper_id IS NOT NULL
      GROUP BY s.repo_id, s.opened_on, s.helper_id ORDER BY s.repo_id, s.opened_on, s.helper_id
      ON CONFLICT (repo_id, day, helper_id) DO UPDATE SET
        tickets = h.tickets + excluded.tickets, resolved = h.resolved + excluded.resolved,
        rated = h.rated + excluded.rated, rating_sum = h.rating_sum + excluded.rating_sum;
      INSERT INTO stats_latency_daily AS l (repo_id, day, metric, bucket, tickets)
      SELECT repo_id, opened_on, metric, bucket, count(*) FROM (
        SELECT s.repo_id, s.opened_on, 'first_response' AS metric, stats_latency_bucket(s.first_response_seconds) AS bucket
        FROM ticket_stats s JOIN opened t ON t.id = s.ticket_id WHERE s.first_response_seconds IS NOT NULL
        UNION ALL
        SELECT s.repo_id, s.opened_on, 'resolution', stats_latency_bucket(s.resolution_seconds)
        FROM ticket_stats s JOIN opened t ON t.id = s.ticket_id WHERE s.resolution_seconds IS NOT NULL
      ) AS latencies GROUP BY repo_id, opened_on, metric, bucket ORDER BY repo_id, opened_on, metric, bucket
      ON CONFLICT (repo_id, day, metric, bucket) DO UPDATE SET tickets = l.tickets + excluded.tickets;
      RETURN NULL;
    END
    $$;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
