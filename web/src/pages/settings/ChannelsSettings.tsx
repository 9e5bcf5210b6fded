import { api, must, type Schemas } from '../../api/client.ts';
import { Badge, ErrorMessage, Loading, TableWrap } from '../../components/ui.tsx';
import { dateTime } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { repoPath, type SectionProps } from './common.tsx';

type Channel = Schemas['RepoChannel'];

const NAMES: Record<Channel['channel'], string> = { discord: 'Discord', slack: 'Slack', github: 'GitHub', email: 'Email replies', web: 'Web chat' };

/** What each status means for the maintainer, and what to do about it. */
function explain(channel: Channel): { tone: 'green' | 'orange' | 'red' | 'neutral'; label: string; text: string } {
  switch (channel.status) {
    case 'connected':
      return { tone: 'green', label: 'connected', text: `The GitHub App is installed on ${channel.account}: a /support comment on an issue opens a ticket.` };
    case 'suspended':
      return { tone: 'red', label: 'suspended', text: `The GitHub App's installation on ${channel.account} is suspended; resume it on GitHub.` };
    case 'not_installed':
      return { tone: 'orange', label: 'not installed', text: 'Install the Backline GitHub App on this repository to answer /support comments on issues.' };
    case 'ready':
      return { tone: 'green', label: 'available', text: channel.channel === 'web' ? 'The support site and the widget take questions.' : 'Customers pick this repository when they ask there.' };
    default:
      return { tone: 'neutral', label: 'off', text: 'Not configured on this Backline server; the operator can switch it on.' };
  }
}

/** Read-only: where customers can reach the repository, as the server's integrations report it. */
export function ChannelsSettings({ repo }: SectionProps) {
  const channels = useLoad(() => must(api.GET('/api/v1/repos/{owner}/{name}/channels', { params: { path: repoPath(repo) } })), [repo.owner, repo.name]);
  return (
    <section aria-labelledby="channels-heading">
      <h2 id="channels-heading">Channels</h2>
      <ErrorMessage error={channels.error} />
      {channels.loading && !channels.data && <Loading />}
      {channels.data && (
        <TableWrap label="Channels">
          <table>
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Status</th>
                <th scope="col">What it means</th>
                <th scope="col" className="num">Conversations</th>
                <th scope="col">Last activity</th>
              </tr>
            </thead>
            <tbody>
              {channels.data.items.map((channel) => {
                const { tone, label, text } = explain(channel);
                return (
                  <tr key={channel.channel}>
                    <th scope="row">{NAMES[channel.channel]}</th>
                    <td>
                      <Badge tone={tone}>{label}</Badge>
                    </td>
                    <td className="small">{text}</td>
                    <td className="num">{channel.conversations}</td>
                    <td>{dateTime(channel.lastActivityAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}
