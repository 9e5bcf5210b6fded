import { sql, type Kysely } from 'kysely';

/**
 * Directory search that its indexes answer (searchDirectory in repos.repository.ts):
 * - repos.search_vector: the words of search_text, split at punctuation too ('fastify/fastify-helmet'
 *   gives fastify and helmet, as the query side splits it), stored and GIN-indexed, so that a search
 *   no longer parses the text of every repository;
 * - repo_search_words: every word any repository has used, trigram-indexed, so that a misspelt query
 *   word is compared with a short list of words rather than with the text of every repository. Words
 *   are only added: one no repository uses any more only widens a query to a word nothing matches.
 * The expression indexes the old query needed, and could not use on a table this small, go.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE repos ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
      to_tsvector('simple', regexp_replace(repo_search_text(full_name, description, language, topics), '[[:punct:]]+', ' ', 'g'))
    ) STORED;
    CREATE INDEX repos_search_vector_idx ON repos USING gin (search_vector);
    DROP INDEX repos_search_fts_idx;
    DROP INDEX repos_search_trgm_idx;

    CREATE TABLE repo_search_words (word text PRIMARY KEY);
    CREATE INDEX repo_search_words_trgm_idx ON repo_search_words USING gin (word gin_trgm_ops);
    INSERT INTO repo_search_words (word) SELECT DISTINCT lexeme FROM repos, unnest(search_vector);

    -- In word order, so that two repositories saved at once wait on each other's words rather than deadlock.
    CREATE FUNCTION repo_search_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO repo_search_words (word) SELECT lexeme FROM unnest(NEW.search_vector) ORDER BY lexeme ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$;
    CREATE TRIGGER repos_search_words AFTER INSERT OR UPDATE OF full_name, description, language, topics ON repos
      FOR EACH ROW EXECUTE FUNCTION repo_search_words_add();
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Backline migrations are forward-only: restore a backup to go back.');
}
