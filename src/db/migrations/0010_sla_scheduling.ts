import { sql, type Kysely } from 'kysely';

/**
 * SLA clocks (business-hours calendars, policies, each ticket's due times), release support windows
 * with the version a ticket is about, and scheduling (helpers' availability, bookings that the database
 * itself keeps from overlapping). See docs/sla.md and docs/scheduling.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The exclusion constraint on bookings mixes = on uuid with && on ranges in one GiST index.
    CREATE EXTENSION IF NOT EXISTS btree_gist;

    -- Working hours of a repository's support team: weekly intervals in a zone, and holidays.
    CREATE TABLE business_calendars (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      time_zone text NOT NULL,
      -- { "monday": [{ "start": "09:00", "end": "17:00" }], ... } in the calendar's zone
      weekly_hours jsonb NOT NULL,
      holidays date[] NOT NULL DEFAULT '{}',
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX business_calendars_name_key ON business_calendars (repo_id, lower(name));

    CREATE TABLE sla_policies (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      -- NULL: targets run around the clock.
      calendar_id uuid REFERENCES business_calendars(id),
      -- { "urgent": { "firstResponse": 60, "nextResponse": 120, "resolution": 480 }, ... } in minutes
      targets jsonb NOT NULL,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX sla_policies_name_key ON sla_policies (repo_id, lower(name));

    -- The policy a repository applies to its expert tickets when nothing more specific (a plan) does.
    CREATE TABLE repo_sla_defaults (
      repo_id uuid PRIMARY KEY REFERENCES repos(id),
      policy_id uuid NOT NULL REFERENCES sla_policies(id),
      updated_by uuid NOT NULL REFERENCES users(id),
      updated_at timestamptz NOT NULL
    );

    -- A ticket's SLA clock. Targets are copied for the ticket's priority when the policy is attached, so a
    -- clock never changes under a ticket. source says what attached it ('repo_default' now, plans later).
    CREATE TABLE ticket_sla (
      ticket_id uuid PRIMARY KEY REFERENCES tickets(id),
      policy_id uuid NOT NULL REFERENCES sla_policies(id),
      source text NOT NULL CHECK (source IN ('repo_default', 'plan')),
      -- The ticket's repository, copied for the helper queue's walk per repository.
      repo_id uuid NOT NULL REFERENCES repos(id),
      calendar_id uuid REFERENCES business_calendars(id),
      first_response_minutes integer CHECK (first_response_minutes > 0),
      next_response_minutes integer CHECK (next_response_minutes > 0),
      resolution_minutes integer CHECK (resolution_minutes > 0),
      first_response_due_at timestamptz,
      first_response_met_at timestamptz,
      first_response_breached_at timestamptz,
      -- Set while a customer message waits for an answer from the support side.
      next_response_due_at timestamptz,
      next_response_breached_at timestamptz,
      resolution_due_at timestamptz,
      resolution_met_at timestamptz,
      resolution_breached_at timestamptz,
      -- Waiting on the customer: due times move by the business time spent here.
      paused_at timestamptz,
      -- Closed or cancelled: no clock runs.
      stopped_at timestamptz,
      -- The earliest due time still running; NULL when paused, stopped or all met. Orders the helper queue.
      next_due_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX ticket_sla_queue_idx ON ticket_sla (repo_id, next_due_at, ticket_id) WHERE next_due_at IS NOT NULL;
    -- The sweep reads every running clock in pages by ticket id.
    CREATE INDEX ticket_sla_running_idx ON ticket_sla (ticket_id) WHERE next_due_at IS NOT NULL;

    -- General Support and Technical Guidance per major version. Dates are inclusive calendar days;
    -- a NULL end is open-ended.
    CREATE TABLE release_windows (
      repo_id uuid NOT NULL REFERENCES repos(id),
      major integer NOT NULL CHECK (major >= 0),
      general_from date NOT NULL,
      general_until date,
      guidance_from date,
      guidance_until date,
      upgrade_path text NOT NULL DEFAULT '',
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (repo_id, major),
      CHECK (general_until IS NULL OR general_until > general_from),
      -- Technical Guidance follows General Support: it needs an end to General Support and starts no earlier.
      CHECK (guidance_from IS NULL OR (general_until IS NOT NULL AND guidance_from >= general_until)),
      CHECK (guidance_until IS NULL OR (guidance_from IS NOT NULL AND guidance_until > guidance_from))
    );

    ALTER TABLE tickets ADD COLUMN version text CHECK (length(version) <= 50);
    ALTER TABLE tickets ADD COLUMN version_major integer;

    -- A helper's weekly availability in their own zone, exceptions by date, and their booking terms.
    CREATE TABLE helper_availability (
      user_id uuid PRIMARY KEY REFERENCES users(id),
      time_zone text NOT NULL,
      weekly_hours jsonb NOT NULL,
      -- [{ "date": "2026-12-24", "off": true, "intervals": [...] }]: a day off, extra hours, or both (hours instead)
      exceptions jsonb NOT NULL DEFAULT '[]',
      buffer_minutes integer NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 240),
      -- NULL: the repository's notice, else the platform's BOOKING_CANCEL_NOTICE_HOURS.
      cancel_notice_hours integer CHECK (cancel_notice_hours BETWEEN 0 AND 720),
      updated_at timestamptz NOT NULL
    );

    CREATE TABLE repo_booking_policies (
      repo_id uuid PRIMARY KEY REFERENCES repos(id),
      cancel_notice_hours integer NOT NULL CHECK (cancel_notice_hours BETWEEN 0 AND 720),
      updated_at timestamptz NOT NULL
    );

    CREATE TABLE bookings (
      id uuid PRIMARY KEY,
      helper_id uuid NOT NULL REFERENCES users(id),
      customer_id uuid NOT NULL REFERENCES users(id),
      ticket_id uuid REFERENCES tickets(id),
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      -- ends_at plus the helper's buffer when booked: the next booking may start from here.
      blocked_until timestamptz NOT NULL,
      customer_time_zone text NOT NULL,
      helper_time_zone text NOT NULL,
      -- The free-cancellation notice that applied when booked; later policy changes do not move it.
      cancel_notice_hours integer NOT NULL,
      status text NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
      cancelled_at timestamptz,
      cancelled_by uuid REFERENCES users(id),
      late_cancellation boolean,
      cancel_reason text,
      rescheduled_at timestamptz,
      session_started_at timestamptz,
      session_stopped_at timestamptz,
      metered_minutes integer,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK (ends_at > starts_at AND blocked_until >= ends_at),
      CHECK (helper_id <> customer_id),
      -- Never two confirmed bookings of one helper overlapping, buffers included, however many requests race.
      CONSTRAINT bookings_no_overlap EXCLUDE USING gist (helper_id WITH =, tstzrange(starts_at, blocked_until) WITH &&)
        WHERE (status = 'confirmed')
    );
    CREATE INDEX bookings_customer_idx ON bookings (customer_id, starts_at);
    CREATE INDEX bookings_ticket_idx ON bookings (ticket_id) WHERE ticket_id IS NOT NULL;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
