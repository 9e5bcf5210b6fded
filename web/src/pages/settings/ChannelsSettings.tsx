import { api, must, type Schemas } from '../../api/client.ts';
import { Badge, type Column, DataTable, ErrorMessage } from '../../components/ui.tsx';
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

const columns: Column<Channel>[] = [
  { header: 'Channel', rowHeader: true, cell: (channel) => NAMES[channel.channel] },
  {
    header: 'Status',
    cell: (channel) => {
      const { tone, label } = explain(channel);
      return <Badge tone={tone}>{label}</Badge>;
    },
  },
  { header: 'What it means', cell: (channel) => <span className="small">{explain(channel).text}</span> },
  { header: 'Conversations', numeric: true, cell: (channel) => channel.conversations },
  { header: 'Last activity', cell: (channel) => dateTime(channel.lastActivityAt) },
];

/** Read-only: where customers can reach the repository, as the server's integrations report it. */
export function ChannelsSettings({ repo }: SectionProps) {
  const channels = useLoad(() => must(api.GET('/api/v1/repos/{owner}/{name}/channels', { params: { path: repoPath(repo) } })), [repo.owner, repo.name]);
  return (
    <section aria-labelledby="channels-heading">
      <h2 id="channels-heading">Channels</h2>
      <ErrorMessage error={channels.error} />
      <DataTable label="Channels" columns={columns} rows={channels.data?.items} rowKey={(channel) => channel.channel} />
    </section>
  );
}
