import type { FastifyReply } from 'fastify';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import { statsCsv } from './stats.csv.ts';
import { renderStatsPdf } from './stats.pdf.ts';
import { statsErrors, statsOut, statsQuery } from './stats.schemas.ts';
import type { StatsReport, StatsService } from './stats.service.ts';

/** The same report in the format asked for: the numbers are computed once, before this. */
async function send(reply: FastifyReply, report: StatsReport, format: 'json' | 'csv' | 'pdf') {
  const name = `stats-${report.repo.fullName.replace('/', '-')}-${report.period.from}-${report.period.to}`;
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(statsCsv(report));
  if (format === 'pdf') return reply.type('application/pdf').header('content-disposition', `inline; filename="${name}.pdf"`).send(await renderStatsPdf(report));
  return report;
}

export function registerStatsRoutes(app: App, stats: StatsService) {
  app.get('/api/v1/repos/:owner/:name/stats', {
    schema: {
      tags: ['stats'],
      summary:
        'The maintainer dashboard for a period, next to the period before it: tickets by source and type, value, commission and fees, helpers, response and resolution times, SLA, satisfaction, AI deflection, series; as JSON, CSV or PDF (maintainers and operators; 404 for anyone else)',
      params: repoParams,
      querystring: statsQuery,
      response: { 200: statsOut, ...statsErrors },
    },
  }, async (request, reply) =>
    send(reply, await stats.report(request.actor, `${request.params.owner}/${request.params.name}`, request.query), request.query.format));
}
