import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { RequireSignIn } from '../components/RequireSignIn.tsx';
import { ErrorMessage, Loading, PageTitle, StatusBadge, useSubmit, DataTable, type Column } from '../components/ui.tsx';
import { dateTime, humanize } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { usePages } from '../lib/useLoad.ts';

const STATUSES = ['open', 'claimed', 'in_progress', 'waiting_on_customer', 'resolved', 'closed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];

export function PortalPage() {
  return (
    <RequireSignIn>
      <MyTickets />
    </RequireSignIn>
  );
}

/** Every ticket the customer can see, across repositories: filtered by the API, searched on the page. */
const trackName = (track: string) => (track === 'expert' ? 'Expert' : track === 'ai' ? 'AI' : 'Community');

const ticketColumns: Column<Schemas['Ticket']>[] = [
  {
    header: 'Ticket',
    cell: (ticket) => (
      <>
        <Link href={`/portal/tickets/${ticket.id}`}>{ticket.title}</Link>
        <div className="muted small">
          {trackName(ticket.track)}
          {ticket.org ? ` · ${ticket.org}` : ''}
        </div>
      </>
    ),
  },
  { header: 'Repository', cell: (ticket) => ticket.repo },
  { header: 'Status', cell: (ticket) => <StatusBadge status={ticket.status} /> },
  { header: 'Updated', cell: (ticket) => dateTime(ticket.updatedAt) },
];

function MyTickets() {
  const [status, setStatus] = useState<Status | ''>('');
  const [track, setTrack] = useState<'' | 'ai' | 'community' | 'expert'>('');
  const [search, setSearch] = useState('');
  const tickets = usePages(
    (cursor) => must(api.GET('/api/v1/tickets', { params: { query: { status: status || undefined, track: track || undefined, limit: 50, cursor } } })),
    [status, track],
  );
  const more = useSubmit(tickets.loadMore);
  const all = tickets.items;
  const needle = search.trim().toLowerCase();
  const shown = needle ? all.filter((ticket) => `${ticket.title} ${ticket.repo} ${ticket.body}`.toLowerCase().includes(needle)) : all;

  return (
    <section>
      <PageTitle title="My tickets">My tickets</PageTitle>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="field grow">
          <label htmlFor="ticket-search">Search</label>
          <input id="ticket-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="Title, repository or text" />
        </div>
        <div className="field">
          <label htmlFor="ticket-status">Status</label>
          <select id="ticket-status" value={status} onChange={(event) => setStatus(event.target.value as Status | '')}>
            <option value="">Any</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {humanize(value)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ticket-track">Kind</label>
          <select id="ticket-track" value={track} onChange={(event) => setTrack(event.target.value as typeof track)}>
            <option value="">Any</option>
            <option value="expert">Expert</option>
            <option value="community">Community</option>
            <option value="ai">AI</option>
          </select>
        </div>
      </form>
      <ErrorMessage error={tickets.error} />
      {tickets.loading && !tickets.loaded ? (
        <Loading />
      ) : shown.length === 0 ? (
        <p className="muted">
          No tickets{needle || status || track ? ' match' : ' yet'}. <Link href="/">Find a repository</Link> to ask for help.
        </p>
      ) : (
        <DataTable label="Your tickets" caption="Your tickets" columns={ticketColumns} rows={shown} rowKey={(ticket) => ticket.id} />
      )}
      {tickets.nextCursor ? (
        <p>
          <button type="button" className="secondary" onClick={() => more.submit()} disabled={more.busy}>
            Load more
          </button>
        </p>
      ) : null}
      <ErrorMessage error={more.error} />
    </section>
  );
}
