import type { Deps } from '../../deps.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.ts';
import type { LlmClient } from '../../integrations/llm/client.ts';
import { newId } from '../../lib/ids.ts';
import { vetHost } from '../../lib/safe-fetch.ts';
import type { Actor } from '../auth/actor.ts';
import type { RepoRow } from '../repos/repos.repository.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { TicketsService, TicketView } from '../tickets/tickets.service.ts';
import type { IndexCache } from './knowledge.cache.ts';
import { applyDocuments, type Progress } from './knowledge.ingest.ts';
import { createKnowledgeJobHandlers, enqueueIngestion, scheduleReingestion } from './knowledge.jobs.ts';
import { configOf, presentIngestion, presentSource, type SourceConfig } from './knowledge.presenter.ts';
import { joinLink, readSource } from './knowledge.read.ts';
import * as store from './knowledge.repository.ts';
import type { CreateSourceInput, UpdateSourceInput } from './knowledge.schemas.ts';
import { readArchive } from './sources/archive.ts';
import { checkGitUrl } from './sources/git.ts';

/**
 * Knowledge sources of a repository and their ingestion: maintainers manage them over the API, the
 * CLI ingests a folder or a Git repository directly, and jobs run triggered and scheduled ingestions.
 */
export function createKnowledgeSources(deps: Deps, services: { repos: ReposService; tickets: TicketsService }, llm: LlmClient | null, cache: IndexCache) {
  const { db, clock, config, logger } = deps;
  const { repos, tickets } = services;

  async function consentedTickets(repoId: string): Promise<TicketView[]> {
    const views = await Promise.all((await store.consentedTicketIds(db, repoId)).map((id) => tickets.findById(db, id)));
    return views.filter((ticket): ticket is TicketView => Boolean(ticket && (ticket.status === 'resolved' || ticket.status === 'closed') && ticket.resolution_summary));
  }

  async function sourceOf(actor: Actor, fullName: string, id: string) {
    const { repo } = await repos.requireMaintainer(actor, fullName);
    const source = await store.findSource(db, repo.id, id);
    if (!source) throw notFound('The knowledge source');
    return { repo, source };
  }

  async function presentWithCounts(repoId: string, rows: store.SourceRow[]) {
    const counts = await store.passageCounts(db, repoId);
    return rows.map((row) => presentSource(row, counts.get(row.id)));
  }

  const queueIngestion = (sourceId: string, repoId: string) => enqueueIngestion(db, clock, { sourceId, repoId });
  const scheduleNext = (source: store.SourceRow) => scheduleReingestion(db, clock, source);

  /** Reads the source and applies it; the report records a failure with its reason instead of throwing. */
  async function runIngestion(ingestionId: string, options: { trusted: boolean; onProgress?: Progress }) {
    const ingestion = await store.findIngestion(db, ingestionId);
    const source = ingestion?.source_id ? await store.findSourceById(db, ingestion.source_id) : undefined;
    if (!ingestion || !source) return;
    await store.updateIngestion(db, ingestionId, { status: 'running', started_at: clock.now() });
    try {
      const content = await readSource(source, { config, trusted: options.trusted, allowAddresses: deps.ssrfAllowList, consentedTickets });
      await applyDocuments(deps, llm, cache, { repoId: source.repo_id, sourceId: source.id, ingestionId, ...content, onProgress: options.onProgress });
    } catch (error) {
      const message = error instanceof AppError ? error.message : 'Ingestion failed unexpectedly; see the server log.';
      if (!(error instanceof AppError)) logger.error({ err: error, ingestionId }, 'knowledge ingestion failed');
      await store.updateIngestion(db, ingestionId, { status: 'failed', error: message, finished_at: clock.now() });
    }
  }

  async function checkCreate(input: CreateSourceInput, isOperator: boolean) {
    if (input.kind === 'path' && !isOperator) throw forbidden('Folders on the server are added by operators or with the CLI (backline knowledge ingest --path).');
    if (input.kind === 'git') await checkGitUrl(input.url, { allowFile: isOperator, allowAddresses: deps.ssrfAllowList });
    // Checked again at every fetch and redirect; refusing here gives the maintainer the reason at once.
    if (input.kind === 'url') await vetHost(new URL(input.url).hostname, deps.ssrfAllowList);
  }

  function configFor(input: CreateSourceInput): SourceConfig {
    switch (input.kind) {
      case 'path': return { path: input.path };
      case 'git': return { url: input.url, ref: input.ref ?? null, subdir: input.subdir ?? null };
      case 'url': return { url: input.url };
      case 'faq': return { entries: input.entries };
      default: return {};
    }
  }

  const defaultName = (input: CreateSourceInput) =>
    input.name ?? (input.kind === 'path' ? input.path : input.kind === 'git' || input.kind === 'url' ? input.url : input.kind);

  return {
    runIngestion,

    /** After a consent changes: the repository's ticket sources ingest again (a withdrawn ticket leaves the index). */
    async refreshTicketSources(repoId: string) {
      for (const source of await store.listSources(db, repoId)) if (source.kind === 'tickets') await queueIngestion(source.id, repoId);
    },

    async list(actor: Actor, fullName: string) {
      const { repo } = await repos.requireMaintainer(actor, fullName);
      return presentWithCounts(repo.id, await store.listSources(db, repo.id));
    },

    async get(actor: Actor, fullName: string, id: string) {
      const { repo, source } = await sourceOf(actor, fullName, id);
      return (await presentWithCounts(repo.id, [source]))[0];
    },

    /** Creating a source queues its first ingestion (an archive waits for its upload). */
    async create(actor: Actor, fullName: string, input: CreateSourceInput) {
      const access = await repos.requireMaintainer(actor, fullName);
      await checkCreate(input, access.isOperator);
      const now = clock.now();
      const id = newId(now.getTime());
      const userId = actor.kind === 'user' ? actor.userId : null;
      await store.insertSource(db, {
        id,
        repo_id: access.repo.id,
        kind: input.kind,
        name: defaultName(input).slice(0, 200),
        config: JSON.stringify(configFor(input)),
        base_url: 'baseUrl' in input ? (input.baseUrl ?? null) : null,
        schedule_minutes: 'scheduleMinutes' in input ? (input.scheduleMinutes ?? null) : null,
        created_by: userId,
        created_at: now,
        updated_at: now,
      });
      const source = (await store.findSourceById(db, id))!;
      if (source.kind !== 'archive') await queueIngestion(id, access.repo.id);
      await scheduleNext(source);
      return presentSource(source);
    },

    async update(actor: Actor, fullName: string, id: string, patch: UpdateSourceInput) {
      const { repo, source } = await sourceOf(actor, fullName, id);
      if (patch.entries && source.kind !== 'faq') throw badRequest('Only FAQ sources have entries.', [{ path: 'body.entries', message: 'not a FAQ source' }]);
      if (patch.ref && source.kind !== 'git') throw badRequest('Only Git sources have a ref.', [{ path: 'body.ref', message: 'not a Git source' }]);
      if (patch.scheduleMinutes && (source.kind === 'archive' || source.kind === 'faq')) {
        throw badRequest(`A ${source.kind} source changes only when you change it; it has no schedule.`, [{ path: 'body.scheduleMinutes', message: 'not schedulable' }]);
      }
      const config = { ...configOf(source), ...(patch.entries ? { entries: patch.entries } : {}), ...(patch.ref ? { ref: patch.ref } : {}) };
      await store.updateSource(db, id, {
        name: patch.name,
        base_url: patch.baseUrl,
        schedule_minutes: patch.scheduleMinutes,
        config: JSON.stringify(config),
        updated_at: clock.now(),
      });
      const updated = (await store.findSourceById(db, id))!;
      // New links or entries change the passages: ingest again (unchanged files are still skipped by hash).
      if ((patch.entries || patch.ref || patch.baseUrl !== undefined) && source.kind !== 'archive') await queueIngestion(id, repo.id);
      if (patch.scheduleMinutes !== undefined) await scheduleNext(updated);
      return (await presentWithCounts(repo.id, [updated]))[0];
    },

    async remove(actor: Actor, fullName: string, id: string) {
      const { repo } = await sourceOf(actor, fullName, id);
      await db.transaction().execute(async (trx) => {
        await store.deleteSource(trx, id);
        await store.bumpIndexVersion(trx, repo.id, clock.now());
      });
      cache.invalidate();
    },

    async trigger(actor: Actor, fullName: string, id: string) {
      const { repo, source } = await sourceOf(actor, fullName, id);
      if (source.kind === 'archive') throw conflict('An archive source is ingested by uploading the archive (PUT .../archive).', 'upload_required');
      return presentIngestion((await store.findIngestion(db, await queueIngestion(id, repo.id)))!);
    },

    /** An uploaded archive is read in memory and ingested at once; its report comes back. */
    async upload(actor: Actor, fullName: string, id: string, bytes: Buffer) {
      const { repo, source } = await sourceOf(actor, fullName, id);
      if (source.kind !== 'archive') throw conflict(`This is a ${source.kind} source; create an archive source to upload an archive.`, 'not_archive');
      const content = readArchive(bytes, {
        maxFileBytes: config.KNOWLEDGE_MAX_FILE_BYTES,
        maxFiles: config.KNOWLEDGE_MAX_FILES,
        maxUnpackedBytes: config.KNOWLEDGE_MAX_UNPACKED_BYTES,
      });
      const ingestionId = newId(clock.now().getTime());
      await store.insertIngestion(db, { id: ingestionId, repo_id: repo.id, source_id: id, trigger: 'upload', status: 'running', started_at: clock.now(), created_at: clock.now() });
      const documents = content.documents.map((document) => ({ ...document, link: joinLink(source.base_url, document.path) }));
      await applyDocuments(deps, llm, cache, { repoId: repo.id, sourceId: id, ingestionId, documents, skipped: content.skipped, complete: true });
      return presentIngestion((await store.findIngestion(db, ingestionId))!);
    },

    async ingestions(actor: Actor, fullName: string, limit: number) {
      const { repo } = await repos.requireMaintainer(actor, fullName);
      return (await store.listIngestions(db, repo.id, limit)).map(presentIngestion);
    },

    async ingestion(actor: Actor, fullName: string, id: string) {
      const { repo } = await repos.requireMaintainer(actor, fullName);
      const row = await store.findIngestion(db, id);
      if (!row || row.repo_id !== repo.id) throw notFound('The ingestion');
      return presentIngestion(row);
    },

    /**
     * The CLI: ingests a folder or a Git repository into the repository now, reusing the source with
     * the same location so that unchanged files are skipped on the next run.
     */
    async ingestLocal(repo: RepoRow, input: { path?: string; git?: string; ref?: string; baseUrl?: string }, onProgress?: Progress) {
      const kind = input.path ? 'path' : 'git';
      const location = input.path ?? input.git!;
      const sources = await store.listSources(db, repo.id);
      let source = sources.find((row) => row.kind === kind && (configOf(row).path ?? configOf(row).url) === location);
      const now = clock.now();
      if (!source) {
        const id = newId(now.getTime());
        await store.insertSource(db, {
          id, repo_id: repo.id, kind, name: location.slice(0, 200),
          config: JSON.stringify(kind === 'path' ? { path: location } : { url: location, ref: input.ref ?? null, subdir: null }),
          base_url: input.baseUrl ?? null, schedule_minutes: null, created_by: null, created_at: now, updated_at: now,
        });
        source = (await store.findSourceById(db, id))!;
      } else if (input.baseUrl !== undefined && input.baseUrl !== source.base_url) {
        await store.updateSource(db, source.id, { base_url: input.baseUrl, updated_at: now });
      }
      const ingestionId = newId(now.getTime());
      await store.insertIngestion(db, { id: ingestionId, repo_id: repo.id, source_id: source.id, trigger: 'cli', status: 'queued', created_at: now });
      await runIngestion(ingestionId, { trusted: true, onProgress });
      return presentIngestion((await store.findIngestion(db, ingestionId))!);
    },

    jobHandlers: createKnowledgeJobHandlers(deps, runIngestion),
  };
}

export type KnowledgeSources = ReturnType<typeof createKnowledgeSources>;
