import { sql, type Kysely } from 'kysely';

/**
 * Knowledge for AI answers (src/modules/knowledge, docs/knowledge.md): where a repository's docs come
 * from, the passages they are split into, each ingestion's report, the per-repository settings with
 * the index version, every question asked with its answer, and ticket owners' consent to reuse tickets.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- config holds what the kind needs: {path}, {url, ref}, {url}, {entries: [{question, answer}]}.
    CREATE TABLE knowledge_sources (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      kind text NOT NULL CHECK (kind IN ('path', 'git', 'archive', 'url', 'faq', 'tickets')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      config jsonb NOT NULL,
      -- Links of passages: base_url + relative path + #anchor (a docs site or a "blob" URL on GitHub).
      base_url text,
      schedule_minutes integer CHECK (schedule_minutes IS NULL OR schedule_minutes BETWEEN 15 AND 43200),
      created_by uuid REFERENCES users(id),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE INDEX knowledge_sources_repo_idx ON knowledge_sources (repo_id, created_at);

    -- One row per file (or page, FAQ entry, ticket) of a source: the hash makes re-ingestion skip it when unchanged.
    CREATE TABLE knowledge_documents (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      source_id uuid NOT NULL REFERENCES knowledge_sources(id) ON DELETE CASCADE,
      path text NOT NULL,
      content_hash text NOT NULL,
      updated_at timestamptz NOT NULL,
      UNIQUE (source_id, path)
    );

    CREATE TABLE knowledge_passages (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      source_id uuid NOT NULL REFERENCES knowledge_sources(id) ON DELETE CASCADE,
      document_id uuid NOT NULL REFERENCES knowledge_documents(id) ON DELETE CASCADE,
      position integer NOT NULL,
      title_path text[] NOT NULL,
      anchor text NOT NULL,
      url text NOT NULL,
      text text NOT NULL,
      content_hash text NOT NULL,
      -- Set when EMBEDDINGS_MODEL is configured: the passage's vector for hybrid retrieval.
      embedding real[]
    );
    CREATE INDEX knowledge_passages_repo_idx ON knowledge_passages (repo_id);
    CREATE INDEX knowledge_passages_document_idx ON knowledge_passages (document_id);

    CREATE TABLE knowledge_ingestions (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      source_id uuid REFERENCES knowledge_sources(id) ON DELETE SET NULL,
      trigger text NOT NULL CHECK (trigger IN ('api', 'cli', 'schedule', 'upload')),
      status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
      files_seen integer NOT NULL DEFAULT 0,
      files_indexed integer NOT NULL DEFAULT 0,
      files_unchanged integer NOT NULL DEFAULT 0,
      files_removed integer NOT NULL DEFAULT 0,
      passages_added integer NOT NULL DEFAULT 0,
      passages_removed integer NOT NULL DEFAULT 0,
      skipped jsonb NOT NULL DEFAULT '[]',
      error text,
      started_at timestamptz,
      finished_at timestamptz,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX knowledge_ingestions_repo_idx ON knowledge_ingestions (repo_id, created_at DESC);

    -- index_version goes up in every transaction that changes the repository's passages: a process
    -- whose cached index has an older version reloads it (several servers share one PostgreSQL).
    CREATE TABLE knowledge_settings (
      repo_id uuid PRIMARY KEY REFERENCES repos(id),
      extra_instructions text NOT NULL DEFAULT '',
      source_ids uuid[],
      answer_length text NOT NULL DEFAULT 'medium' CHECK (answer_length IN ('short', 'medium', 'long')),
      threshold real NOT NULL DEFAULT 0.3 CHECK (threshold BETWEEN 0 AND 1),
      index_version bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL
    );

    CREATE TABLE knowledge_answers (
      id uuid PRIMARY KEY,
      repo_id uuid NOT NULL REFERENCES repos(id),
      user_id uuid REFERENCES users(id),
      question text NOT NULL,
      answer text NOT NULL,
      mode text NOT NULL CHECK (mode IN ('extractive', 'generated')),
      confidence real NOT NULL,
      declined boolean NOT NULL,
      citations jsonb NOT NULL,
      latency_ms integer NOT NULL,
      helpful boolean,
      feedback_at timestamptz,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX knowledge_answers_repo_idx ON knowledge_answers (repo_id, created_at);

    -- The customer's consent that their resolved ticket, with personal data removed, may teach the AI.
    CREATE TABLE knowledge_ticket_consents (
      ticket_id uuid PRIMARY KEY REFERENCES tickets(id),
      repo_id uuid NOT NULL REFERENCES repos(id),
      consented_by uuid NOT NULL REFERENCES users(id),
      consented_at timestamptz NOT NULL
    );
    CREATE INDEX knowledge_ticket_consents_repo_idx ON knowledge_ticket_consents (repo_id);
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
