import type { FastifyReply } from 'fastify';
import { idParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import { statementCsv } from './statements.csv.ts';
import { renderStatementPdf } from './statements.pdf.ts';
import { payoutStatementQuery, statementErrors, statementQuery, statementResponse } from './statements.schemas.ts';
import type { Statement, StatementsService } from './statements.service.ts';

/** The same statement in the format asked for: the numbers are computed once, before this. */
async function send(reply: FastifyReply, statement: Statement, format: 'json' | 'csv' | 'pdf') {
  const name = `statement-${statement.payee.type}-${statement.currency}-${statement.from.slice(0, 10)}`;
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(statementCsv(statement));
  if (format === 'pdf') return reply.type('application/pdf').header('content-disposition', `inline; filename="${name}.pdf"`).send(await renderStatementPdf(statement));
  return statement;
}

export function registerStatementRoutes(app: App, statements: StatementsService) {
  app.get('/api/v1/helpers/me/statements', {
    schema: {
      tags: ['payouts'],
      summary: 'Your earnings statement for a period (from inclusive, to exclusive) as JSON, CSV or PDF',
      querystring: statementQuery,
      response: { 200: statementResponse, ...statementErrors },
    },
  }, async (request, reply) => send(reply, await statements.helper(request.actor, request.query), request.query.format));

  app.get('/api/v1/repos/:owner/:name/statements', {
    schema: {
      tags: ['payouts'],
      summary: "The repository's revenue statement for a period as JSON, CSV or PDF (maintainers)",
      params: repoParams,
      querystring: statementQuery,
      response: { 200: statementResponse, ...statementErrors },
    },
  }, async (request, reply) =>
    send(reply, await statements.repo(request.actor, `${request.params.owner}/${request.params.name}`, request.query), request.query.format));

  app.get('/api/v1/payouts/:id/statement', {
    schema: {
      tags: ['payouts'],
      summary: 'What one payout paid: every line since the previous payout (its payee, maintainers, operators)',
      params: idParams,
      querystring: payoutStatementQuery,
      response: { 200: statementResponse, ...statementErrors },
    },
  }, async (request, reply) => send(reply, await statements.payout(request.actor, request.params.id), request.query.format));
}
