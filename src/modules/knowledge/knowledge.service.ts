import type { Deps } from '../../deps.ts';
import { badRequest, conflict, forbidden, invalidField, notFound } from '../../errors.ts';
import { llmClientFromConfig, type LlmClient } from '../../integrations/llm/client.ts';
import { DAY } from '../../lib/clock.ts';
import { GroupCommit } from '../../lib/group-commit.ts';
import { newId } from '../../lib/ids.ts';
import type { Actor } from '../auth/actor.ts';
import type { ReposService } from '../repos/repos.service.ts';
import type { TicketsService } from '../tickets/tickets.service.ts';
import { answerQuestion } from './knowledge.ask.ts';
import { IndexCache } from './knowledge.cache.ts';
import { SearchThread } from './knowledge.searcher.ts';
import { DEFAULT_THRESHOLD } from './knowledge.confidence.ts';
import { presentSettings } from './knowledge.presenter.ts';
import * as store from './knowledge.repository.ts';
import type { SettingsInput } from './knowledge.schemas.ts';
import { createKnowledgeSources } from './knowledge.sources.ts';

/**
 * AI answers grounded in each repository's own docs (docs/knowledge.md): sources and ingestion (in
 * knowledge.sources.ts), questions and answers, feedback, per-repository settings and stats.
 * `llm` defaults to the endpoint in the configuration; null means extractive answers only.
 */
export function createKnowledgeService(deps: Deps, services: { repos: ReposService; tickets: TicketsService }, llm: LlmClient | null = llmClientFromConfig(deps.config)) {
  const { db, clock } = deps;
  const { repos, tickets } = services;
  const searchThread = new SearchThread();
  const cache = new IndexCache<Awaited<ReturnType<typeof settingsOf>>>(deps.notifications, clock, (passages) => searchThread.build(passages));
  const sources = createKnowledgeSources(deps, services, llm, cache);
  // Answers are stored by group commit: under load one statement stores every answer composed while the
  // previous one was written; the reply still waits until its answer is stored.
  const answers = new GroupCommit((rows: store.AnswerInsert[]) => store.insertAnswers(db, rows));

  /** Questions, answers, feedback and deflection of [from, to), and the questions the docs could not answer. */
  async function aiFigures(repoId: string, from: Date, to: Date) {
    const figures = await store.answerStats(db, repoId, from, to);
    const unanswered = await store.topUnanswered(db, repoId, from, to, 10);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      ...figures,
      deflectionRate: figures.questions ? Math.round((figures.helpful / figures.questions) * 1000) / 1000 : 0,
      topUnanswered: unanswered.map((row) => ({ question: row.question, count: row.count, lastAskedAt: row.lastAskedAt.toISOString() })),
    };
  }

  async function settingsOf(repoId: string) {
    const row = await store.findSettings(db, repoId);
    return {
      version: row?.index_version ?? 0,
      ask: {
        threshold: row?.threshold ?? DEFAULT_THRESHOLD,
        answerLength: row?.answer_length ?? 'medium',
        sourceIds: row?.source_ids ?? null,
        extraInstructions: row?.extra_instructions ?? '',
      },
    };
  }

  return {
    sources,
    jobHandlers: sources.jobHandlers,
    /** Stops the search thread (the server closing). */
    close: () => searchThread.close(),

    /** Anyone may ask on a verified repository that offers AI; every question and answer is kept for stats. */
    async ask(actor: Actor, fullName: string, question: string) {
      // Who asks does not matter beyond seeing the repository (kept by the repositories service), and only verified ones can be asked.
      const { repo } = await repos.access(actor, fullName);
      if (repo.status !== 'verified') throw notFound(`The repository ${fullName}`);
      if (!repo.offers_ai) {
        throw conflict(`AI answers are off for ${repo.full_name}; ask the community or an expert instead. Maintainers turn them on in the repository's AI settings.`, 'ai_disabled');
      }
      const started = performance.now();
      const { settings, index } = await cache.get(repo.id, () => settingsOf(repo.id), () => store.passagesForIndex(db, repo.id));
      const reply = await answerQuestion(deps, llm, { repo, index, question, settings: settings.ask });
      const id = newId(clock.now().getTime());
      await answers.add({
        id,
        repo_id: repo.id,
        user_id: actor.kind === 'user' ? actor.userId : null,
        question,
        answer: reply.answer,
        mode: reply.mode,
        confidence: reply.confidence,
        declined: reply.declined,
        citations: JSON.stringify(reply.citations),
        latency_ms: Math.round(performance.now() - started),
        created_at: clock.now(),
      });
      return { id, ...reply, handoff: { community: repo.offers_community, expert: repo.offers_expert } };
    },

    /** The asker marks the answer; an anonymous question's answer takes feedback from whoever holds its id. */
    async feedback(actor: Actor, answerId: string, helpful: boolean) {
      const answer = await store.findAnswer(db, answerId);
      if (!answer) throw notFound('The answer');
      if (answer.user_id && (actor.kind !== 'user' || actor.userId !== answer.user_id)) throw forbidden('Only the person who asked may rate this answer.');
      await store.setFeedback(db, answerId, helpful, clock.now());
      return { id: answerId, helpful };
    },

    async settings(actor: Actor, fullName: string) {
      const { repo } = await repos.requireMaintainer(actor, fullName);
      return presentSettings(await store.findSettings(db, repo.id), repo.offers_ai, llm !== null, DEFAULT_THRESHOLD);
    },

    async updateSettings(actor: Actor, fullName: string, input: SettingsInput) {
      const { repo } = await repos.requireMaintainer(actor, fullName);
      if (input.sourceIds) {
        const known = new Set((await store.listSources(db, repo.id)).map((source) => source.id));
        const unknown = input.sourceIds.find((id) => !known.has(id));
        if (unknown) throw invalidField('body.sourceIds', `${unknown} is not a knowledge source of ${repo.full_name}`);
      }
      // On/off is the repository's "ai" offering, so the directory and the ask endpoint agree.
      if (input.enabled !== undefined && input.enabled !== repo.offers_ai) await repos.update(actor, fullName, { offerings: { ai: input.enabled } });
      await store.upsertSettings(db, repo.id, {
        extra_instructions: input.extraInstructions,
        source_ids: input.sourceIds,
        answer_length: input.answerLength,
        threshold: input.threshold,
        updated_at: clock.now(),
      });
      cache.invalidate();
      const enabled = input.enabled ?? repo.offers_ai;
      return presentSettings(await store.findSettings(db, repo.id), enabled, llm !== null, DEFAULT_THRESHOLD);
    },

    async stats(actor: Actor, fullName: string, range: { from?: string; to?: string }) {
      const { repo } = await repos.requireMaintainer(actor, fullName);
      const to = range.to ? new Date(range.to) : clock.now();
      const from = range.from ? new Date(range.from) : new Date(to.getTime() - 30 * DAY);
      if (from >= to) throw badRequest('`from` must be before `to`.', [{ path: 'querystring.from', message: 'must be before to' }]);
      return aiFigures(repo.id, from, to);
    },

    /** The AI figures of [from, to) for a repository whose access the caller already checked (the stats dashboard). */
    figures: aiFigures,

    /** The requester's consent that their resolved ticket, personal data removed, may teach the AI. */
    async setTicketConsent(actor: Actor, ticketId: string, consent: boolean) {
      const { ticket } = await tickets.access(actor, ticketId);
      if (actor.kind !== 'user' || ticket.requester_id !== actor.userId) throw forbidden('Only the person who opened the ticket can consent to its reuse.');
      if (consent) await store.recordConsent(db, { ticket_id: ticket.id, repo_id: ticket.repo_id, consented_by: actor.userId, consented_at: clock.now() });
      else await store.withdrawConsent(db, ticket.id);
      await sources.refreshTicketSources(ticket.repo_id);
      const row = await store.findConsent(db, ticket.id);
      return { ticketId: ticket.id, consent: Boolean(row), consentedAt: row ? row.consented_at.toISOString() : null };
    },
  };
}

export type KnowledgeService = ReturnType<typeof createKnowledgeService>;
