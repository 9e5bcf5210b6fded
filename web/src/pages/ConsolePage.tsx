import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { ClaimButton } from '../components/ClaimButton.tsx';
import { ConsoleNav } from '../components/ConsoleNav.tsx';
import { RequireSignIn } from '../components/RequireSignIn.tsx';
import { SlaDue } from '../components/SlaDue.tsx';
import { ErrorMessage, Loading, Notice, PageTitle, StatusBadge, useSubmit, DataTable, type Column } from '../components/ui.tsx';
import { duration, humanize } from '../lib/format.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { usePages } from '../lib/useLoad.ts';
import { useNow } from '../lib/useNow.ts';

export function ConsolePage() {
  return (
    <RequireSignIn>
      <Queue />
    </RequireSignIn>
  );
}

/**
 * The helper's queue across every repository they are approved for, in the API's order (soonest SLA due
 * first, then urgent, then oldest); `?repo=` keeps one repository, filtered by the API so pages stay right.
 */
function Queue() {
  const { me } = useSession();
  const location = useLocation();
  const repo = location.searchParams.get('repo') ?? '';
  const now = useNow();
  const approved = (me?.helps ?? []).filter((help) => help.status === 'approved').map((help) => help.repo);
  const waiting = (me?.helps ?? []).filter((help) => help.status === 'applied' || help.status === 'invited').map((help) => help.repo);
  const queue = usePages(
    (cursor) => must(api.GET('/api/v1/helpers/me/queue', { params: { query: { repo: repo || undefined, cursor, limit: 50 } } })),
    [repo],
  );
  const more = useSubmit(queue.loadMore);

  return (
    <section>
      <PageTitle title="Helper console">Helper console</PageTitle>
      <ConsoleNav />
      {approved.length === 0 ? (
        <NotAHelperYet waiting={waiting} />
      ) : (
        <>
          <form className="filters" aria-label="Filter the queue" onSubmit={(event) => event.preventDefault()}>
            <div className="field">
              <label htmlFor="queue-repo">Repository</label>
              <select
                id="queue-repo"
                value={repo}
                onChange={(event) => navigate(event.target.value ? `/console?repo=${encodeURIComponent(event.target.value)}` : '/console', { replace: true })}
              >
                <option value="">All my repositories ({approved.length})</option>
                {approved.map((fullName) => (
                  <option key={fullName} value={fullName}>
                    {fullName}
                  </option>
                ))}
              </select>
            </div>
          </form>
          <ErrorMessage error={queue.error} />
          {!queue.loaded ? (
            !queue.error && <Loading />
          ) : queue.items.length === 0 ? (
            <p className="muted">
              Nothing waiting{repo ? ` in ${repo}` : ''}. New paid tickets of {repo || approved.join(', ')} appear here, and you get an email for each.
            </p>
          ) : (
            <QueueTable tickets={queue.items} now={now} userId={me?.id} />
          )}
          {queue.nextCursor && (
            <p>
              <button type="button" className="secondary" onClick={() => more.submit()} disabled={more.busy}>
                Load more
              </button>
            </p>
          )}
          <ErrorMessage error={more.error} />
        </>
      )}
      <ApplyToHelp />
    </section>
  );
}

function QueueTable({ tickets, now, userId }: { tickets: Schemas['Ticket'][]; now: number; userId: string | undefined }) {
  const columns: Column<Schemas['Ticket']>[] = [
    {
      header: 'Ticket',
      cell: (ticket) => (
        <>
          <Link href={`/console/tickets/${ticket.id}`}>{ticket.title}</Link>
          <div className="muted small">
            {humanize(ticket.track)} · {humanize(ticket.priority)} priority{ticket.assignee?.id === userId ? ' · yours' : ''}
          </div>
        </>
      ),
    },
    { header: 'Repository', cell: (ticket) => ticket.repo },
    { header: 'SLA', cell: (ticket) => <SlaDue ticket={ticket} now={now} /> },
    { header: 'Age', cell: (ticket) => `${duration(now - Date.parse(ticket.createdAt))} old` },
    { header: 'Status', cell: (ticket) => <StatusBadge status={ticket.status} /> },
    { header: <span className="sr-only">Action</span>, cell: (ticket) => ticket.status === 'open' && !ticket.assignee && <ClaimButton ticket={ticket} /> },
  ];
  return <DataTable label="Queue" caption="Tickets waiting for a helper and tickets assigned to you, most pressing first" columns={columns} rows={tickets} rowKey={(ticket) => ticket.id} />;
}

function NotAHelperYet({ waiting }: { waiting: string[] }) {
  return (
    <Notice>
      <p>
        <strong>You are not an approved helper of any repository yet.</strong> Helpers are experts a repository's maintainers approve: apply below
        with a sentence on why you can help, and once a maintainer approves you, that repository's paid tickets appear in this queue.
      </p>
      {waiting.length > 0 && <p>Waiting for a maintainer's decision: {waiting.join(', ')}.</p>}
    </Notice>
  );
}

function ApplyToHelp() {
  const { refresh } = useSession();
  const [fullName, setFullName] = useState('');
  const [pitch, setPitch] = useState('');
  const [sent, setSent] = useState('');
  const apply = useSubmit(
    () => {
      const [owner, name, ...rest] = fullName.trim().split('/');
      if (!owner || !name || rest.length) throw { code: 'invalid_repo', message: 'Repository: write it as owner/name, as on GitHub.' };
      return must(api.POST('/api/v1/repos/{owner}/{name}/helpers/applications', { params: { path: { owner, name } }, body: { pitch, links: [] } }));
    },
    () => {
      setSent(fullName.trim());
      setFullName('');
      setPitch('');
      void refresh();
    },
  );
  return (
    <section aria-labelledby="apply-heading">
      <h2 id="apply-heading">Apply to help a repository</h2>
      {sent && <Notice tone="success">Application sent to the maintainers of {sent}.</Notice>}
      <form className="stack narrow" onSubmit={apply.submit}>
        <label htmlFor="apply-repo">Repository (owner/name)</label>
        <input id="apply-repo" value={fullName} onChange={(event) => setFullName(event.target.value)} autoComplete="off" required />
        <label htmlFor="apply-pitch">Why you can help</label>
        <textarea id="apply-pitch" value={pitch} onChange={(event) => setPitch(event.target.value)} required />
        <ErrorMessage error={apply.error} />
        <button type="submit" disabled={apply.busy}>
          Apply
        </button>
      </form>
    </section>
  );
}
