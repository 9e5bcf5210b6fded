import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { RequireSignIn } from '../components/RequireSignIn.tsx';
import { ErrorMessage, Loading, PageTitle, StatusBadge, TableWrap } from '../components/ui.tsx';
import { dateTime, humanize } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { useLoad } from '../lib/useLoad.ts';

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
function MyTickets() {
  const [status, setStatus] = useState<Status | ''>('');
  const [track, setTrack] = useState<'' | 'ai' | 'community' | 'expert'>('');
  const [search, setSearch] = useState('');
  const [pages, setPages] = useState<Schemas['Ticket'][][]>([]);
  // The cursor of the next page once "Load more" was used ('' when there is none).
  const [cursor, setCursor] = useState<string | null>(null);
  const tickets = useLoad(async () => {
    setPages([]);
    setCursor(null);
    return must(api.GET('/api/v1/tickets', { params: { query: { status: status || undefined, track: track || undefined, limit: 50 } } }));
  }, [status, track]);
  const nextCursor = cursor ?? tickets.data?.nextCursor ?? null;
  const loadMore = async () => {
    if (!nextCursor) return;
    const more = await must(api.GET('/api/v1/tickets', { params: { query: { status: status || undefined, track: track || undefined, limit: 50, cursor: nextCursor } } }));
    setPages((previous) => [...previous, more.items]);
    setCursor(more.nextCursor ?? '');
  };
  const all = [...(tickets.data?.items ?? []), ...pages.flat()];
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
      {tickets.loading && !tickets.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <p className="muted">
          No tickets{needle || status || track ? ' match' : ' yet'}. <Link href="/">Find a repository</Link> to ask for help.
        </p>
      ) : (
        <TableWrap label="Your tickets">
          <table>
            <caption className="sr-only">Your tickets</caption>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Repository</th>
                <th scope="col">Status</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((ticket) => (
                <tr key={ticket.id}>
                  <td>
                    <Link href={`/portal/tickets/${ticket.id}`}>{ticket.title}</Link>
                    <div className="muted small">{ticket.track === 'expert' ? 'Expert' : ticket.track === 'ai' ? 'AI' : 'Community'}{ticket.org ? ` · ${ticket.org}` : ''}</div>
                  </td>
                  <td>{ticket.repo}</td>
                  <td>
                    <StatusBadge status={ticket.status} />
                  </td>
                  <td>{dateTime(ticket.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {nextCursor ? (
        <p>
          <button type="button" className="secondary" onClick={loadMore}>
            Load more
          </button>
        </p>
      ) : null}
    </section>
  );
}
