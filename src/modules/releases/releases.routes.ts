import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import { putWindowsBody, windowsOut } from './releases.schemas.ts';
import type { ReleasesService } from './releases.service.ts';

const tags = ['releases'];
const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;

export function registerReleaseRoutes(app: App, releases: ReleasesService) {
  app.get('/api/v1/repos/:owner/:name/release-windows', {
    schema: { tags, summary: 'General Support and Technical Guidance windows per major version, newest first', params: repoParams, response: { 200: windowsOut, ...errorResponses } },
  }, async (request) => releases.get(request.actor, fullNameOf(request.params)));

  app.put('/api/v1/repos/:owner/:name/release-windows', {
    schema: {
      tags,
      summary: 'Replace the release support windows (maintainers)',
      params: repoParams,
      body: putWindowsBody,
      response: { 200: windowsOut, ...errorResponses },
    },
  }, async (request) => releases.replace(request.actor, fullNameOf(request.params), request.body));
}
