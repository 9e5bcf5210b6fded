import { sql, type Kysely } from 'kysely';

/** People, organizations, repositories, helpers, tickets, mail and jobs: the core platform. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE EXTENSION IF NOT EXISTS pg_trgm;

    CREATE TABLE users (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      display_name text NOT NULL,
      github_login text,
      time_zone text NOT NULL DEFAULT 'UTC',
      is_operator boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX users_email_key ON users (lower(email));
    CREATE UNIQUE INDEX users_github_login_key ON users (lower(github_login)) WHERE github_login IS NOT NULL;

    CREATE TABLE magic_links (
      id uuid PRIMARY KEY,
      email text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      redirect_to text,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX magic_links_email_idx ON magic_links (lower(email), created_at);

    CREATE TABLE sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id),
      token_hash text NOT NULL UNIQUE,
      expires_at timestamptz NOT NULL,
      rotated_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX sessions_user_idx ON sessions (user_id);

    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id),
      name text NOT NULL,
      token_prefix text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      last_used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

    CREATE TABLE orgs (
      id uuid PRIMARY KEY,
      slug text NOT NULL UNIQUE,
      name text NOT NULL,
      legal_name text,
      address_line1 text,
      address_line2 text,
      postal_code text,
      city text,
      region text,
      country char(2),
      vat_id text,
      po_number_default text,
      billing_email text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );

    CREATE TABLE org_members (
      org_id uuid NOT NULL REFERENCES orgs(id),
      user_id uuid NOT NULL REFERENCES users(id),
      role text NOT NULL CHECK (role IN ('admin', 'member')),
      created_at timestamptz NOT NULL,
      PRIMARY KEY (org_id, user_id)
    );
    CREATE INDEX org_members_user_idx ON org_members (user_id);

    CREATE TABLE org_invitations (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('admin', 'member')),
      token_hash text NOT NULL UNIQUE,
      invited_by uuid NOT NULL REFERENCES users(id),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX org_invitations_open_key ON org_invitations (org_id, lower(email))
      WHERE accepted_at IS NULL AND revoked_at IS NULL;

    -- array_to_string is only STABLE in general (element types may format by locale); for text[] it is
    -- immutable, which the generated column below needs.
    CREATE FUNCTION repo_search_text(full_name text, description text, language text, topics text[]) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT lower(full_name || ' ' || description || ' ' || coalesce(language, '') || ' ' || array_to_string(topics, ' ')) $$;

    CREATE TABLE repos (
      id uuid PRIMARY KEY,
      owner text NOT NULL,
      name text NOT NULL,
      full_name text NOT NULL,
      description text NOT NULL DEFAULT '',
      topics text[] NOT NULL DEFAULT '{}',
      language text,
      homepage_url text,
      docs_url text,
      status text NOT NULL CHECK (status IN ('pending', 'verified', 'rejected')),
      verification_method text CHECK (verification_method IN ('github', 'operator')),
      verified_at timestamptz,
      verified_by uuid REFERENCES users(id),
      offers_ai boolean NOT NULL DEFAULT false,
      offers_community boolean NOT NULL DEFAULT true,
      offers_expert boolean NOT NULL DEFAULT false,
      currency char(3) NOT NULL DEFAULT 'USD',
      commission_bps integer NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
      show_helpers boolean NOT NULL DEFAULT true,
      search_text text GENERATED ALWAYS AS (repo_search_text(full_name, description, language, topics)) STORED,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX repos_full_name_key ON repos (lower(full_name));
    CREATE INDEX repos_search_trgm_idx ON repos USING gin (search_text gin_trgm_ops);
    CREATE INDEX repos_search_fts_idx ON repos USING gin (to_tsvector('simple', search_text));
    CREATE INDEX repos_topics_idx ON repos USING gin (topics);

    CREATE TABLE repo_maintainers (
      repo_id uuid NOT NULL REFERENCES repos(id),
      user_id uuid NOT NULL REFERENCES users(id),
      role text NOT NULL CHECK (role IN ('owner', 'maintainer')),
      created_at timestamptz NOT NULL,
      PRIMARY KEY (repo_id, user_id)
    );
    CREATE INDEX repo_maintainers_user_idx ON repo_maintainers (user_id);

    CREATE TABLE onboarding_requests (
      id uuid PRIMARY KEY,
      full_name text NOT NULL,
      requested_by uuid REFERENCES users(id),
      org_id uuid REFERENCES orgs(id),
      email text,
      note text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL
    );
    CREATE INDEX onboarding_requests_name_idx ON onboarding_requests (lower(full_name));
    CREATE UNIQUE INDEX onboarding_requests_requester_key ON onboarding_requests (lower(full_name), requested_by)
      WHERE requested_by IS NOT NULL;

    CREATE TABLE repo_helpers (
      repo_id uuid NOT NULL REFERENCES repos(id),
      user_id uuid NOT NULL REFERENCES users(id),
      status text NOT NULL CHECK (status IN ('applied', 'invited', 'approved', 'rejected', 'removed')),
      pitch text NOT NULL DEFAULT '',
      links text[] NOT NULL DEFAULT '{}',
      invited_by uuid REFERENCES users(id),
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      decision_note text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (repo_id, user_id)
    );
    CREATE INDEX repo_helpers_user_idx ON repo_helpers (user_id) WHERE status = 'approved';

    CREATE TABLE tickets (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      requester_id uuid NOT NULL REFERENCES users(id),
      org_id uuid REFERENCES orgs(id),
      title text NOT NULL,
      body text NOT NULL,
      body_html text NOT NULL,
      track text NOT NULL CHECK (track IN ('ai', 'community', 'expert')),
      priority text NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
      channel text NOT NULL CHECK (channel IN ('web', 'api', 'discord', 'slack', 'github', 'email')),
      status text NOT NULL CHECK (status IN ('open', 'claimed', 'in_progress', 'waiting_on_customer', 'resolved', 'closed', 'cancelled')),
      assignee_id uuid REFERENCES users(id),
      claimed_at timestamptz,
      first_response_at timestamptz,
      resolved_at timestamptz,
      resolution_summary text,
      confirmed_at timestamptz,
      closed_at timestamptz,
      cancelled_at timestamptz,
      rating_score smallint CHECK (rating_score BETWEEN 1 AND 5),
      rating_comment text,
      rated_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX tickets_repo_status_idx ON tickets (repo_id, status, id);
    CREATE INDEX tickets_requester_idx ON tickets (requester_id, id);
    CREATE INDEX tickets_org_idx ON tickets (org_id, id) WHERE org_id IS NOT NULL;
    CREATE INDEX tickets_assignee_idx ON tickets (assignee_id, status) WHERE assignee_id IS NOT NULL;
    CREATE INDEX tickets_queue_idx ON tickets (repo_id, priority, id) WHERE track = 'expert' AND status = 'open';

    CREATE TABLE ticket_messages (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id),
      author_id uuid NOT NULL REFERENCES users(id),
      body text NOT NULL,
      body_html text NOT NULL,
      internal boolean NOT NULL DEFAULT false,
      channel text NOT NULL DEFAULT 'api',
      created_at timestamptz NOT NULL
    );
    CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (ticket_id, id);

    CREATE TABLE ticket_events (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES tickets(id),
      actor_id uuid REFERENCES users(id),
      type text NOT NULL,
      data jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL
    );
    CREATE INDEX ticket_events_ticket_idx ON ticket_events (ticket_id, id);

    CREATE TABLE emails (
      id uuid PRIMARY KEY,
      to_address text NOT NULL,
      subject text NOT NULL,
      text_body text NOT NULL,
      html_body text,
      dedupe_key text UNIQUE,
      status text NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
      transport text,
      sent_at timestamptz,
      error text,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX emails_to_idx ON emails (lower(to_address), created_at);

    CREATE TABLE jobs (
      id uuid PRIMARY KEY,
      queue text NOT NULL,
      payload jsonb NOT NULL,
      singleton_key text UNIQUE,
      run_at timestamptz NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL,
      locked_by text,
      locked_until timestamptz,
      completed_at timestamptz,
      failed_at timestamptz,
      last_error text,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE completed_at IS NULL AND failed_at IS NULL;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
