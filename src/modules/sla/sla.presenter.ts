import { PRIORITIES } from '../tickets/tickets.schemas.ts';
import type { CalendarRow, PolicyRow } from './sla.repository.ts';
import { TARGET_KINDS } from './sla.ticket-view.ts';
import { fullWeek } from './working-time.schemas.ts';

export function presentCalendar(row: CalendarRow, repoFullName: string) {
  return {
    id: row.id,
    repo: repoFullName,
    name: row.name,
    timeZone: row.time_zone,
    weeklyHours: fullWeek(row.weekly_hours),
    holidays: [...row.holidays].sort(),
    createdAt: row.created_at.toISOString(),
  };
}

/** Every priority and target is listed, null where the policy sets none. */
export function presentPolicy(row: PolicyRow, repoFullName: string) {
  const targets = Object.fromEntries(
    PRIORITIES.map((priority) => [priority, Object.fromEntries(TARGET_KINDS.map((kind) => [kind, row.targets[priority]?.[kind] ?? null]))]),
  ) as Record<(typeof PRIORITIES)[number], Record<(typeof TARGET_KINDS)[number], number | null>>;
  return {
    id: row.id,
    repo: repoFullName,
    name: row.name,
    calendarId: row.calendar_id,
    measuredIn: row.calendar_id ? ('business_hours' as const) : ('around_the_clock' as const),
    targets,
    isDefault: row.is_default,
    createdAt: row.created_at.toISOString(),
  };
}
