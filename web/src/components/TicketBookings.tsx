import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { dateTime, minutes } from '../lib/format.ts';
import { useSession } from '../lib/session.tsx';
import { useLoad } from '../lib/useLoad.ts';
import { ErrorMessage, StatusBadge, useSubmit } from './ui.tsx';

type Booking = Schemas['Booking'];

/** The API lets a session start this long before its booked time (scheduling.bookings.ts). */
const EARLY_START_MS = 15 * 60_000;
/** How far ahead the reschedule picker looks for the helper's free slots (the API allows 31 days). */
const RESCHEDULE_DAYS = 14;

const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/**
 * The sessions booked about a ticket, in the viewer's own time zone, with what the two people in a
 * session may do: download the invitation, start and stop it around its time, move it while that is
 * free, cancel it before it starts. Shows nothing when no session was booked.
 */
export function TicketBookings({ ticketId }: { ticketId: string }) {
  const view = useLoad(() => must(api.GET('/api/v1/bookings', { params: { query: { ticket: ticketId } } })), [ticketId]);
  if (!view.data?.items.length) return null;
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Scheduled sessions</h2>
      <ErrorMessage error={view.error} />
      <ul className="plain-list">
        {view.data.items.map((booking) => (
          <BookingCard key={booking.id} booking={booking} onChange={() => void view.reload()} />
        ))}
      </ul>
    </section>
  );
}

function BookingCard({ booking, onChange }: { booking: Booking; onChange: () => void }) {
  const { me } = useSession();
  const [moving, setMoving] = useState(false);
  const party = me?.id === booking.customer.id || me?.id === booking.helper.id;
  const path = { params: { path: { id: booking.id } } };
  const cancel = useSubmit(() => must(api.POST('/api/v1/bookings/{id}/cancel', { ...path, body: {} })), onChange);
  const start = useSubmit(() => must(api.POST('/api/v1/bookings/{id}/start', path)), onChange);
  const stop = useSubmit(() => must(api.POST('/api/v1/bookings/{id}/stop', path)), onChange);

  const now = Date.now();
  const begins = Date.parse(booking.start);
  const confirmed = booking.status === 'confirmed';
  const { startedAt, stoppedAt, meteredMinutes } = booking.session;
  const canStart = party && confirmed && !startedAt && now >= begins - EARLY_START_MS && now < Date.parse(booking.end);
  const canStop = party && Boolean(startedAt) && !stoppedAt;
  const canCancel = party && confirmed && now < begins;
  const canMove = party && confirmed && now < Date.parse(booking.freeCancellationUntil);
  const label = `${dateTime(booking.start)} with ${booking.helper.displayName}`;

  return (
    <li className="card stack">
      <p className="row">
        <strong>{dateTime(booking.start)}</strong> <StatusBadge status={booking.status} />
      </p>
      <p className="small">
        {minutes(booking.minutes)} with {booking.helper.displayName} · times in your zone ({viewerZone()})
      </p>
      {confirmed && !startedAt && (
        <p className="muted small">
          {now < Date.parse(booking.freeCancellationUntil)
            ? `Free to move or cancel until ${dateTime(booking.freeCancellationUntil)}.`
            : 'Inside the cancellation notice: cancelling now is recorded as a late cancellation.'}
        </p>
      )}
      {booking.lateCancellation && <p className="muted small">Cancelled late.</p>}
      {startedAt && <p className="small">{stoppedAt ? `Session held: ${minutes(meteredMinutes ?? 0)} metered.` : `Session in progress since ${dateTime(startedAt)}.`}</p>}
      <ErrorMessage error={cancel.error ?? start.error ?? stop.error} />
      <p className="row small">
        {confirmed && (
          <a href={`/api/v1/bookings/${booking.id}.ics`} download>
            Add to calendar (.ics)<Which label={label} />
          </a>
        )}
        {canStart && (
          <button type="button" onClick={() => start.submit()} disabled={start.busy}>
            Join session<Which label={label} />
          </button>
        )}
        {canStop && (
          <button type="button" onClick={() => stop.submit()} disabled={stop.busy}>
            End session<Which label={label} />
          </button>
        )}
        {canMove && !moving && (
          <button type="button" className="secondary" onClick={() => setMoving(true)}>
            Reschedule<Which label={label} />
          </button>
        )}
        {canCancel && (
          <button type="button" className="danger" onClick={() => cancel.submit()} disabled={cancel.busy}>
            Cancel session<Which label={label} />
          </button>
        )}
      </p>
      {moving && (
        <Reschedule
          booking={booking}
          onDone={() => {
            setMoving(false);
            onChange();
          }}
          onClose={() => setMoving(false)}
        />
      )}
    </li>
  );
}

/** Which session a button is for, for screen readers (several cards have the same buttons). */
function Which({ label }: { label: string }) {
  return <span className="sr-only">: {label}</span>;
}

/** Another free slot of the same helper, of the same length, picked from the next days. */
function Reschedule({ booking, onDone, onClose }: { booking: Booking; onDone: () => void; onClose: () => void }) {
  const [picked, setPicked] = useState('');
  const slots = useLoad(() => {
    const from = new Date(Date.now() + 60_000).toISOString();
    const to = new Date(Date.now() + RESCHEDULE_DAYS * 86_400_000).toISOString();
    const query = { from, to, minutes: booking.minutes, tz: viewerZone() };
    return must(api.GET('/api/v1/helpers/{id}/slots', { params: { path: { id: booking.helper.id }, query } }));
  }, [booking.id]);
  const move = useSubmit(() => must(api.POST('/api/v1/bookings/{id}/reschedule', { params: { path: { id: booking.id } }, body: { start: picked } })), onDone);
  const fieldId = `reschedule-${booking.id}`;
  const items = slots.data?.items ?? [];
  return (
    <form className="stack" onSubmit={move.submit}>
      <label htmlFor={fieldId}>New time</label>
      <select id={fieldId} value={picked} onChange={(event) => setPicked(event.target.value)} disabled={!items.length}>
        <option value="">{slots.loading ? 'Loading free times…' : items.length ? 'Choose a time' : `No free time in the next ${RESCHEDULE_DAYS} days`}</option>
        {items.map((slot) => (
          <option key={slot.startUtc} value={slot.startUtc}>
            {dateTime(slot.startUtc)}
          </option>
        ))}
      </select>
      <ErrorMessage error={slots.error ?? move.error} />
      <p className="row">
        <button type="submit" disabled={move.busy || !picked}>
          {move.busy ? 'Moving…' : 'Move session'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Keep the current time
        </button>
      </p>
    </form>
  );
}
