import { fullWeek } from '../sla/working-time.schemas.ts';
import { formatInZone } from '../sla/zoned-format.ts';
import type { AvailabilityRow, BookingView } from './scheduling.repository.ts';

const HOUR_MS = 3_600_000;

export function presentAvailability(row: AvailabilityRow | undefined, userId: string, profileTimeZone: string) {
  return {
    helperId: userId,
    timeZone: row?.time_zone ?? profileTimeZone,
    weeklyHours: fullWeek(row?.weekly_hours ?? {}),
    exceptions: (row?.exceptions ?? []).map((item) => ({ date: item.date, off: item.off, intervals: item.intervals })),
    bufferMinutes: row?.buffer_minutes ?? 0,
    cancelNoticeHours: row?.cancel_notice_hours ?? null,
    updatedAt: row ? row.updated_at.toISOString() : null,
  };
}

export function presentBooking(row: BookingView) {
  const start = row.starts_at.getTime();
  return {
    id: row.id,
    helper: { id: row.helper_id, displayName: row.helper_name },
    customer: { id: row.customer_id, displayName: row.customer_name },
    ticketId: row.ticket_id,
    status: row.status,
    start: row.starts_at.toISOString(),
    end: row.ends_at.toISOString(),
    minutes: Math.round((row.ends_at.getTime() - start) / 60_000),
    customerTimeZone: row.customer_time_zone,
    helperTimeZone: row.helper_time_zone,
    startForCustomer: formatInZone([start], row.customer_time_zone)[0],
    startForHelper: formatInZone([start], row.helper_time_zone)[0],
    freeCancellationUntil: new Date(start - row.cancel_notice_hours * HOUR_MS).toISOString(),
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    cancelledBy: row.cancelled_by,
    lateCancellation: row.late_cancellation,
    session: { startedAt: row.session_started_at?.toISOString() ?? null, stoppedAt: row.session_stopped_at?.toISOString() ?? null, meteredMinutes: row.metered_minutes },
    createdAt: row.created_at.toISOString(),
  };
}
