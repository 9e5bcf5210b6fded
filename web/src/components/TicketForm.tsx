import { useEffect, useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { config, isExportedSite } from '../config.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { ErrorMessage, useSubmit } from './ui.tsx';

export type TicketDraft = { title: string; body: string; track: 'ai' | 'community' | 'expert' };
type Track = TicketDraft['track'];
type Priority = 'urgent' | 'high' | 'normal' | 'low';

/** Opens a ticket on the community or expert track; signed-in users only (the ticket is theirs). */
export function TicketForm({ repo, offerings, draft }: { repo: Schemas['Repository']; offerings: Schemas['Offering'][]; draft: TicketDraft | null }) {
  const { me, loading } = useSession();
  const location = useLocation();
  const tracks: Track[] = [...(repo.offerings.expert ? (['expert'] as const) : []), ...(repo.offerings.community ? (['community'] as const) : [])];
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [track, setTrack] = useState<Track>(tracks[0] ?? 'community');
  const [priority, setPriority] = useState<Priority>('normal');
  const [offeringId, setOfferingId] = useState('');
  const [version, setVersion] = useState('');
  const [org, setOrg] = useState('');
  useEffect(() => {
    if (!draft) return;
    setTitle(draft.title);
    setBody(draft.body);
    if (tracks.includes(draft.track)) setTrack(draft.track);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft]);
  const { busy, error, submit } = useSubmit(
    () =>
      must(
        api.POST('/api/v1/tickets', {
          body: {
            repo: repo.fullName,
            title,
            body,
            track,
            priority,
            channel: 'web',
            offeringId: track === 'expert' && offeringId ? offeringId : undefined,
            version: version.trim() || undefined,
            org: org || undefined,
          },
        }),
      ),
    (ticket) => navigate(`/portal/tickets/${ticket.id}`),
  );

  if (!tracks.length) return <p className="muted">This repository takes no tickets here yet.</p>;
  if (isExportedSite) {
    return (
      <p>
        <a className="button" href={`${config.platformUrl}/s/${repo.fullName}`}>
          Open a ticket on Backline
        </a>
      </p>
    );
  }
  if (loading) return null;
  if (!me) {
    return (
      <p>
        <Link className="button" href={`/sign-in?next=${encodeURIComponent(location.pathname + '#ticket')}`}>
          Sign in to open a ticket
        </Link>
      </p>
    );
  }
  const activeOfferings = offerings.filter((offering) => offering.active);
  return (
    <form className="card stack" onSubmit={submit}>
      <label htmlFor="ticket-title">Title</label>
      <input id="ticket-title" value={title} onChange={(event) => setTitle(event.target.value)} maxLength={200} required />
      <label htmlFor="ticket-body">What do you need? (Markdown)</label>
      <textarea id="ticket-body" value={body} onChange={(event) => setBody(event.target.value)} rows={6} />
      <fieldset>
        <legend>Who should help</legend>
        {tracks.map((option) => (
          <label key={option} className="radio">
            <input type="radio" name="track" value={option} checked={track === option} onChange={() => setTrack(option)} />
            {option === 'expert' ? 'A paid expert approved by the maintainers' : 'The community (free)'}
          </label>
        ))}
      </fieldset>
      {track === 'expert' && activeOfferings.length > 0 && (
        <>
          <label htmlFor="ticket-offering">Offering</label>
          <select id="ticket-offering" value={offeringId} onChange={(event) => setOfferingId(event.target.value)}>
            <option value="">Let the expert quote a price</option>
            {activeOfferings.map((offering) => (
              <option key={offering.id} value={offering.id}>
                {offering.name}
              </option>
            ))}
          </select>
        </>
      )}
      <div className="row">
        <div className="field">
          <label htmlFor="ticket-priority">Priority</label>
          <select id="ticket-priority" value={priority} onChange={(event) => setPriority(event.target.value as Priority)}>
            <option value="low">Low</option>
            <option value="normal">Normal</option>
            <option value="high">High</option>
            <option value="urgent">Urgent</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="ticket-version">Version (optional)</label>
          <input id="ticket-version" value={version} onChange={(event) => setVersion(event.target.value)} placeholder="e.g. 2.3.1" />
        </div>
        {me.orgs.length > 0 && (
          <div className="field">
            <label htmlFor="ticket-org">On behalf of</label>
            <select id="ticket-org" value={org} onChange={(event) => setOrg(event.target.value)}>
              <option value="">Myself</option>
              {me.orgs.map((membership) => (
                <option key={membership.slug} value={membership.slug}>
                  {membership.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <ErrorMessage error={error} />
      <button type="submit" disabled={busy || !title.trim()}>
        {busy ? 'Opening…' : 'Open ticket'}
      </button>
    </form>
  );
}
