import { z } from 'zod';
import type { Config } from '../../config.ts';
import { badRequest } from '../../errors.ts';
import { idParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import {
  answerOut,
  askBody,
  consentBody,
  consentOut,
  createSourceBody,
  feedbackBody,
  feedbackOut,
  ingestionOut,
  knowledgeErrors,
  settingsBody,
  settingsOut,
  sourceOut,
  sourceParams,
  statsOut,
  statsQuery,
  updateSourceBody,
} from './knowledge.schemas.ts';
import { presentAnswer } from './knowledge.presenter.ts';
import type { KnowledgeService } from './knowledge.service.ts';

const tags = ['knowledge'];
const base = '/api/v1/repos/:owner/:name';
const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;
const ARCHIVE_TYPES = ['application/octet-stream', 'application/zip', 'application/gzip', 'application/x-gzip', 'application/x-tar', 'application/x-compressed-tar'];

export function registerKnowledgeRoutes(app: App, knowledge: KnowledgeService, config: Config) {
  const { sources } = knowledge;

  app.post(`${base}/ask`, {
    schema: {
      tags,
      summary: 'Ask a question; the answer comes from the repository\'s docs with citations, or is declined with a pointer to community and expert help',
      params: repoParams,
      body: askBody,
      response: { 200: answerOut, ...knowledgeErrors },
    },
    config: { rateLimit: { max: config.ASK_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' } },
  }, async (request) => presentAnswer(await knowledge.ask(request.actor, fullNameOf(request.params), request.body.question)));

  app.post('/api/v1/answers/:id/feedback', {
    schema: { tags, summary: 'Mark an answer helpful or not (the asker)', params: idParams, body: feedbackBody, response: { 200: feedbackOut, ...knowledgeErrors } },
  }, async (request) => knowledge.feedback(request.actor, request.params.id, request.body.helpful));

  app.get(`${base}/ai-settings`, {
    schema: { tags, summary: 'AI settings of a repository (maintainers)', params: repoParams, response: { 200: settingsOut, ...knowledgeErrors } },
  }, async (request) => knowledge.settings(request.actor, fullNameOf(request.params)));

  app.put(`${base}/ai-settings`, {
    schema: {
      tags,
      summary: 'Change AI settings: on or off, extra instructions, sources, answer length, confidence threshold (maintainers)',
      params: repoParams,
      body: settingsBody,
      response: { 200: settingsOut, ...knowledgeErrors },
    },
  }, async (request) => knowledge.updateSettings(request.actor, fullNameOf(request.params), request.body));

  app.get(`${base}/ai-stats`, {
    schema: {
      tags,
      summary: 'Questions, answers, declines, feedback, deflection rate and the top unanswered questions for a period (maintainers)',
      params: repoParams,
      querystring: statsQuery,
      response: { 200: statsOut, ...knowledgeErrors },
    },
  }, async (request) => knowledge.stats(request.actor, fullNameOf(request.params), request.query));

  app.get(`${base}/knowledge/sources`, {
    schema: { tags, summary: 'Knowledge sources with their document and passage counts (maintainers)', params: repoParams, response: { 200: z.object({ items: z.array(sourceOut) }), ...knowledgeErrors } },
  }, async (request) => ({ items: await sources.list(request.actor, fullNameOf(request.params)) }));

  app.post(`${base}/knowledge/sources`, {
    schema: {
      tags,
      summary: 'Add a knowledge source (Git repository, page URL, FAQ entries, resolved tickets, archive upload, server folder); its first ingestion is queued (maintainers)',
      params: repoParams,
      body: createSourceBody,
      response: { 201: sourceOut, ...knowledgeErrors },
    },
  }, async (request, reply) => reply.code(201).send(await sources.create(request.actor, fullNameOf(request.params), request.body)));

  app.get(`${base}/knowledge/sources/:id`, {
    schema: { tags, summary: 'A knowledge source (maintainers)', params: sourceParams, response: { 200: sourceOut, ...knowledgeErrors } },
  }, async (request) => sources.get(request.actor, fullNameOf(request.params), request.params.id));

  app.patch(`${base}/knowledge/sources/:id`, {
    schema: { tags, summary: 'Change a source: name, link base, schedule, Git ref, FAQ entries (maintainers)', params: sourceParams, body: updateSourceBody, response: { 200: sourceOut, ...knowledgeErrors } },
  }, async (request) => sources.update(request.actor, fullNameOf(request.params), request.params.id, request.body));

  app.delete(`${base}/knowledge/sources/:id`, {
    schema: { tags, summary: 'Remove a source and its passages from the index (maintainers)', params: sourceParams, response: { 204: z.null(), ...knowledgeErrors } },
  }, async (request, reply) => {
    await sources.remove(request.actor, fullNameOf(request.params), request.params.id);
    return reply.code(204).send(null);
  });

  app.post(`${base}/knowledge/sources/:id/ingest`, {
    schema: { tags, summary: 'Ingest a source again now; unchanged files are skipped (maintainers)', params: sourceParams, response: { 202: ingestionOut, ...knowledgeErrors } },
  }, async (request, reply) => reply.code(202).send(await sources.trigger(request.actor, fullNameOf(request.params), request.params.id)));

  app.get(`${base}/knowledge/ingestions`, {
    schema: {
      tags,
      summary: 'Ingestion reports, newest first, with skipped files and their reasons (maintainers)',
      params: repoParams,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
      response: { 200: z.object({ items: z.array(ingestionOut) }), ...knowledgeErrors },
    },
  }, async (request) => ({ items: await sources.ingestions(request.actor, fullNameOf(request.params), request.query.limit) }));

  app.get(`${base}/knowledge/ingestions/:id`, {
    schema: { tags, summary: 'One ingestion report (maintainers)', params: sourceParams, response: { 200: ingestionOut, ...knowledgeErrors } },
  }, async (request) => sources.ingestion(request.actor, fullNameOf(request.params), request.params.id));

  app.put('/api/v1/tickets/:id/knowledge-consent', {
    schema: {
      tags,
      summary: 'Consent (or not) that your resolved ticket, personal data removed, may be used to answer others (the requester)',
      params: idParams,
      body: consentBody,
      response: { 200: consentOut, ...knowledgeErrors },
    },
  }, async (request) => knowledge.setTicketConsent(request.actor, request.params.id, request.body.consent));

  // The archive arrives as raw bytes, with its own size limit; the parser is scoped to this route.
  app.register(async (scope) => {
    scope.addContentTypeParser(ARCHIVE_TYPES, { parseAs: 'buffer', bodyLimit: config.KNOWLEDGE_MAX_UPLOAD_BYTES }, (_request, body, done) => done(null, body));
    (scope as unknown as App).put(`${base}/knowledge/sources/:id/archive`, {
      bodyLimit: config.KNOWLEDGE_MAX_UPLOAD_BYTES,
      schema: {
        tags,
        summary: 'Upload a .tar, .tar.gz or .zip of docs to an archive source and ingest it now (maintainers; Content-Type application/octet-stream)',
        params: sourceParams,
        response: { 201: ingestionOut, ...knowledgeErrors },
      },
    }, async (request, reply) => {
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw badRequest('Send the archive as the request body with Content-Type application/octet-stream.');
      return reply.code(201).send(await sources.upload(request.actor, fullNameOf(request.params), request.params.id, body));
    });
  });
}
