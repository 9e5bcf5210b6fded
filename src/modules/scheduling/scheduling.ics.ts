import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { MINUTE_MS, zoneOffsetSpans } from '../sla/business-time.ts';
import type { BookingView } from './scheduling.repository.ts';

const YEAR_MS = 365 * 86_400_000;
const icsLocal = (instant: number, offset: number) => new Date(instant + offset).toISOString().slice(0, 19).replace(/[-:]/g, '');
const icsOffset = (offset: number) => {
  const minutes = Math.abs(offset) / MINUTE_MS;
  return `${offset < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
};

/**
 * A VTIMEZONE with the zone's actual offset changes in the year either side of `around`, from the same
 * offset spans the business-time engine uses: calendar clients then show the event at the right local
 * time even where they know the zone under another rule set.
 */
export function vtimezone(timeZone: string, around: number): string {
  const spans = zoneOffsetSpans(timeZone, around - YEAR_MS, around + YEAR_MS);
  const standard = Math.min(...spans.map(([, , offset]) => offset));
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  spans.forEach(([start, , offset], index) => {
    const before = index === 0 ? offset : spans[index - 1][2];
    const kind = offset > standard ? 'DAYLIGHT' : 'STANDARD';
    lines.push(`BEGIN:${kind}`, `DTSTART:${icsLocal(start, before)}`, `TZOFFSETFROM:${icsOffset(before)}`, `TZOFFSETTO:${icsOffset(offset)}`, `END:${kind}`);
  });
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

/**
 * The calendar invitation of a booking, in the viewer's time zone: the helper organizes, the customer
 * attends. A cancelled booking gives a CANCEL with the same UID, so importing it removes the event.
 */
export function bookingInvite(booking: BookingView, viewerTimeZone: string, link: string): string {
  const cancelled = booking.status === 'cancelled';
  const calendar = ical({
    prodId: { company: 'Backline', product: 'Backline', language: 'EN' },
    method: cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    // The zone goes on the event only: as the calendar's zone, ical-generator would also write DTSTAMP in
    // local time, which must be UTC. The generator still adds a VTIMEZONE for every zone events use.
    timezone: { name: null, generator: (zone) => vtimezone(zone, booking.starts_at.getTime()) },
  });
  calendar.createEvent({
    id: `${booking.id}@backline`,
    // Must grow with every change; seconds since creation at the last update do, without a counter column.
    sequence: Math.floor((booking.updated_at.getTime() - booking.created_at.getTime()) / 1000),
    // Luxon dates: ical-generator writes them as wall-clock times of their own zone (a native Date it would
    // write as UTC digits under the zone's TZID).
    stamp: booking.updated_at,
    start: DateTime.fromJSDate(booking.starts_at, { zone: viewerTimeZone }),
    end: DateTime.fromJSDate(booking.ends_at, { zone: viewerTimeZone }),
    timezone: viewerTimeZone,
    summary: `Session: ${booking.helper_name} and ${booking.customer_name}`,
    description: `A ${Math.round((booking.ends_at.getTime() - booking.starts_at.getTime()) / MINUTE_MS)}-minute session booked on Backline.\n${link}`,
    url: link,
    organizer: { name: booking.helper_name, email: booking.helper_email },
    attendees: [
      { name: booking.customer_name, email: booking.customer_email, role: ICalAttendeeRole.REQ, status: cancelled ? ICalAttendeeStatus.DECLINED : ICalAttendeeStatus.ACCEPTED },
    ],
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  return calendar.toString();
}
