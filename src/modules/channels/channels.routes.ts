import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import { channelsOut } from './channels.schemas.ts';
import type { ChannelsService } from './channels.service.ts';

export function registerChannelRoutes(app: App, channels: ChannelsService) {
  app.get('/api/v1/repos/:owner/:name/channels', {
    schema: {
      tags: ['repositories'],
      summary: 'Where customers reach the repository: Discord, Slack, GitHub, email and web chat, configured or not, linked or not, with conversation counts (maintainers; 404 for anyone else)',
      params: repoParams,
      response: { 200: channelsOut, ...errorResponses },
    },
  }, async (request) => channels.list(request.actor, `${request.params.owner}/${request.params.name}`));
}
