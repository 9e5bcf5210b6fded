import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Queryable } from '../../db/database.ts';
import type { BookingsTable, HelperAvailabilityTable } from '../../db/types.ts';
import type { LocalInterval } from '../sla/business-time.ts';
import type { Exception, Range } from './scheduling.slots.ts';

export type AvailabilityRow = Omit<Selectable<HelperAvailabilityTable>, 'weekly_hours' | 'exceptions'> & {
  weekly_hours: Record<string, LocalInterval[]>;
  exceptions: Exception[];
};

export async function findAvailability(db: Queryable, userId: string): Promise<AvailabilityRow | undefined> {
  return (await db.selectFrom('helper_availability').selectAll().where('user_id', '=', userId).executeTakeFirst()) as AvailabilityRow | undefined;
}

export async function saveAvailability(db: Queryable, values: Insertable<HelperAvailabilityTable>): Promise<void> {
  const { user_id: _userId, ...changes } = values;
  await db.insertInto('helper_availability').values(values).onConflict((conflict) => conflict.column('user_id').doUpdateSet(changes)).execute();
}

export async function repoCancelNotice(db: Queryable, repoId: string): Promise<number | undefined> {
  return (await db.selectFrom('repo_booking_policies').select('cancel_notice_hours').where('repo_id', '=', repoId).executeTakeFirst())?.cancel_notice_hours;
}

export async function setRepoCancelNotice(db: Queryable, repoId: string, hours: number, at: Date): Promise<void> {
  await db
    .insertInto('repo_booking_policies')
    .values({ repo_id: repoId, cancel_notice_hours: hours, updated_at: at })
    .onConflict((conflict) => conflict.column('repo_id').doUpdateSet({ cancel_notice_hours: hours, updated_at: at }))
    .execute();
}

/**
 * The helper's confirmed bookings that block any part of [from, to), as [start, blocked until).
 * Written as the exclusion constraint's own expression, so that its GiST index answers it.
 */
export async function busyRanges(db: Queryable, helperId: string, from: Date, to: Date): Promise<Range[]> {
  const rows = await db
    .selectFrom('bookings')
    .select(['starts_at', 'blocked_until'])
    .where('helper_id', '=', helperId)
    .where('status', '=', 'confirmed')
    .where(sql<boolean>`tstzrange(starts_at, blocked_until) && tstzrange(${from}, ${to})`)
    .orderBy('starts_at')
    .execute();
  return rows.map((row) => [row.starts_at.getTime(), row.blocked_until.getTime()]);
}

export async function insertBooking(db: Queryable, values: Insertable<BookingsTable>): Promise<void> {
  await db.insertInto('bookings').values(values).execute();
}

function selectBookings(db: Queryable) {
  return db
    .selectFrom('bookings')
    .innerJoin('users as helper', 'helper.id', 'bookings.helper_id')
    .innerJoin('users as customer', 'customer.id', 'bookings.customer_id')
    .selectAll('bookings')
    .select(['helper.display_name as helper_name', 'helper.email as helper_email', 'customer.display_name as customer_name', 'customer.email as customer_email']);
}

export type BookingView = Awaited<ReturnType<ReturnType<typeof selectBookings>['executeTakeFirstOrThrow']>>;

export async function findBooking(db: Queryable, id: string): Promise<BookingView | undefined> {
  return selectBookings(db).where('bookings.id', '=', id).executeTakeFirst();
}

/** The ticket's bookings, soonest first; with `helperId`, only that helper's. */
export async function listTicketBookings(db: Queryable, ticketId: string, helperId?: string): Promise<BookingView[]> {
  let query = selectBookings(db).where('bookings.ticket_id', '=', ticketId);
  if (helperId) query = query.where('bookings.helper_id', '=', helperId);
  return query.orderBy('bookings.starts_at').orderBy('bookings.id').execute();
}

/** Changes a booking only while it is still confirmed, so that a cancel and a reschedule cannot both win. */
export async function updateIfConfirmed(db: Queryable, id: string, changes: Updateable<BookingsTable>): Promise<boolean> {
  const result = await db.updateTable('bookings').set(changes).where('id', '=', id).where('status', '=', 'confirmed').executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Each only once: the conditions make a second start or stop (or two at once) change nothing. */
export async function markSessionStarted(db: Queryable, id: string, at: Date): Promise<boolean> {
  const result = await db.updateTable('bookings').set({ session_started_at: at, updated_at: at }).where('id', '=', id).where('session_started_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function markSessionStopped(db: Queryable, id: string, at: Date, minutes: number): Promise<boolean> {
  const result = await db
    .updateTable('bookings')
    .set({ session_stopped_at: at, metered_minutes: minutes, updated_at: at })
    .where('id', '=', id)
    .where('session_started_at', 'is not', null)
    .where('session_stopped_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * The exclusion constraint refused the booking (23P01), or PostgreSQL broke a deadlock between it and
 * an overlapping booking written at the same moment (40P01): each insert waits for the other's
 * transaction to learn whether they conflict, and one is aborted, so the other one won the slot. The
 * booking's transaction writes nothing else another writer waits on, so a deadlock there means that.
 */
export const isOverlap = (error: unknown) => ['23P01', '40P01'].includes((error as { code?: string }).code ?? '');
