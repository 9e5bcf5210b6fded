import { publicUrl, type Config } from '../../config.ts';
import type { EmailDraft } from '../mail/mail.service.ts';
import { formatInZone } from '../sla/zoned-format.ts';
import type { BookingView } from './scheduling.repository.ts';

type Party = { userId: string; email: string; timeZone: string; otherName: string };

export const partiesOf = (booking: BookingView): Party[] => [
  { userId: booking.helper_id, email: booking.helper_email, timeZone: booking.helper_time_zone, otherName: booking.customer_name },
  { userId: booking.customer_id, email: booking.customer_email, timeZone: booking.customer_time_zone, otherName: booking.helper_name },
];

/**
 * Booking emails, each in the recipient's own time zone, with the invitation link. Dedupe keys name
 * the booking, the cause and the start time, so a retried job or a repeated request sends once.
 */
export function bookingEmails(config: Config) {
  const when = (booking: BookingView, party: Party) => `${formatInZone([booking.starts_at.getTime()], party.timeZone)[0]} (${party.timeZone})`;
  const invite = (booking: BookingView) => `${publicUrl(config)}/api/v1/bookings/${booking.id}.ics`;
  const minutes = (booking: BookingView) => Math.round((booking.ends_at.getTime() - booking.starts_at.getTime()) / 60_000);

  return {
    confirmed: (booking: BookingView, party: Party): EmailDraft => ({
      to: party.email,
      subject: `Session booked with ${party.otherName}`,
      text: `A ${minutes(booking)}-minute session with ${party.otherName} starts ${when(booking, party)}.\n\nAdd it to your calendar: ${invite(booking)}`,
      dedupeKey: `booking-confirmed:${booking.id}:${booking.starts_at.getTime()}:${party.userId}`,
    }),

    moved: (booking: BookingView, party: Party): EmailDraft => ({
      to: party.email,
      subject: `Session with ${party.otherName} moved`,
      text: `Your session with ${party.otherName} now starts ${when(booking, party)}.\n\nThe updated invitation: ${invite(booking)}`,
      dedupeKey: `booking-moved:${booking.id}:${booking.starts_at.getTime()}:${party.userId}`,
    }),

    cancelled: (booking: BookingView, party: Party): EmailDraft => ({
      to: party.email,
      subject: `Session with ${party.otherName} cancelled`,
      text: `The session with ${party.otherName} that was to start ${when(booking, party)} is cancelled.${booking.cancel_reason ? `\n\nReason: ${booking.cancel_reason}` : ''}`,
      dedupeKey: `booking-cancelled:${booking.id}:${party.userId}`,
    }),

    reminder: (booking: BookingView, party: Party, lead: string): EmailDraft => ({
      to: party.email,
      subject: `Reminder: session with ${party.otherName} in ${lead}`,
      text: `Your session with ${party.otherName} starts ${when(booking, party)}.\n\n${invite(booking)}`,
      dedupeKey: `booking-reminder:${booking.id}:${lead}:${booking.starts_at.getTime()}:${party.userId}`,
    }),
  };
}
