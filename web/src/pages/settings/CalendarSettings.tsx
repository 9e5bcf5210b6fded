import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { ErrorMessage, Field, useSubmit } from '../../components/ui.tsx';
import { splitList } from '../../lib/format.ts';
import { repoPath, type Repo, FormFooter } from './common.tsx';

export type Calendar = Schemas['BusinessCalendar'];
type Changed = (message: string) => void;
type Weekday = keyof Calendar['weeklyHours'];
type Interval = { start: string; end: string };

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const satisfies readonly Weekday[];
const dayName = (day: Weekday) => day[0].toUpperCase() + day.slice(1);
const OFFICE_HOURS: Interval[] = [{ start: '09:00', end: '17:00' }];

/** A new calendar starts as an office week, Monday to Friday 09:00-17:00, the common case. */
const officeWeek = () => Object.fromEntries(WEEKDAYS.map((day, index) => [day, index < 5 ? OFFICE_HOURS : []])) as Record<Weekday, Interval[]>;

/** One weekday's intervals: each with its own opening and closing time, added and removed one by one. */
function DayHours({ prefix, day, intervals, onChange }: { prefix: string; day: Weekday; intervals: Interval[]; onChange: (intervals: Interval[]) => void }) {
  const set = (index: number, patch: Partial<Interval>) => onChange(intervals.map((interval, at) => (at === index ? { ...interval, ...patch } : interval)));
  // A second interval starts an hour after the last one ends: a lunch break is the usual reason to add one.
  const last = intervals[intervals.length - 1];
  const next = last ? { start: last.end, end: last.end < '23:00' ? `${String(Number(last.end.slice(0, 2)) + 1).padStart(2, '0')}:${last.end.slice(3)}` : '24:00' } : OFFICE_HOURS[0];
  return (
    <fieldset className="wide">
      <legend>{dayName(day)}</legend>
      {intervals.length === 0 && <p className="muted small">Closed</p>}
      {intervals.map((interval, index) => (
        <div className="row" key={index}>
          <Field id={`${prefix}-${day}-${index}-start`} label={`${dayName(day)} opens at`}>
            <input id={`${prefix}-${day}-${index}-start`} type="time" value={interval.start} onChange={(event) => set(index, { start: event.target.value })} />
          </Field>
          <Field id={`${prefix}-${day}-${index}-end`} label={`${dayName(day)} closes at`}>
            <input id={`${prefix}-${day}-${index}-end`} type="time" value={interval.end} onChange={(event) => set(index, { end: event.target.value })} />
          </Field>
          <button type="button" className="secondary" onClick={() => onChange(intervals.filter((_, at) => at !== index))}>
            Remove {dayName(day)} {interval.start}–{interval.end}
          </button>
        </div>
      ))}
      <button type="button" className="secondary" onClick={() => onChange([...intervals, next])}>
        Add hours on {dayName(day)}
      </button>
    </fieldset>
  );
}

/** Creates a calendar or edits one: each weekday its own intervals, and holidays. */
export function CalendarForm({ repo, calendar, onChanged, onCancel }: { repo: Repo; calendar?: Calendar; onChanged: Changed; onCancel?: () => void }) {
  const [form, setForm] = useState(() => ({
    name: calendar?.name ?? '',
    timeZone: calendar?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    week: calendar ? calendar.weeklyHours : officeWeek(),
    holidays: calendar?.holidays.join(', ') ?? '',
  }));
  const prefix = calendar ? `calendar-${calendar.id}` : 'calendar';
  const save = useSubmit(
    () => {
      // Closed days are left out; the API stores and returns every weekday anyway.
      const body = { name: form.name, timeZone: form.timeZone, weeklyHours: Object.fromEntries(WEEKDAYS.filter((day) => form.week[day].length).map((day) => [day, form.week[day]])), holidays: splitList(form.holidays) };
      if (calendar) return must(api.PATCH('/api/v1/repos/{owner}/{name}/calendars/{calendarId}', { params: { path: { ...repoPath(repo), calendarId: calendar.id } }, body }));
      return must(api.POST('/api/v1/repos/{owner}/{name}/calendars', { params: { path: repoPath(repo) }, body }));
    },
    (saved) => onChanged(calendar ? `Calendar ${saved.name} saved.` : `Calendar ${saved.name} created.`),
  );
  const heading = `${prefix}-heading`;
  return (
    <form className="settings-form card" onSubmit={save.submit} aria-labelledby={heading}>
      <h4 id={heading} className="wide">
        {calendar ? `Edit calendar ${calendar.name}` : 'New business-hours calendar'}
      </h4>
      <Field id={`${prefix}-name`} label="Name">
        <input id={`${prefix}-name`} value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
      </Field>
      <Field id={`${prefix}-zone`} label="Time zone">
        <input id={`${prefix}-zone`} value={form.timeZone} onChange={(event) => setForm({ ...form, timeZone: event.target.value })} />
      </Field>
      {WEEKDAYS.map((day) => (
        <DayHours key={day} prefix={prefix} day={day} intervals={form.week[day]} onChange={(intervals) => setForm({ ...form, week: { ...form.week, [day]: intervals } })} />
      ))}
      <div className="wide">
        <Field id={`${prefix}-holidays`} label="Holidays" hint="Dates YYYY-MM-DD, comma-separated">
          <input id={`${prefix}-holidays`} aria-describedby={`${prefix}-holidays-hint`} value={form.holidays} onChange={(event) => setForm({ ...form, holidays: event.target.value })} />
        </Field>
      </div>
      <FormFooter busy={save.busy} label={calendar ? 'Save calendar' : 'Create calendar'} onCancel={onCancel} error={save.error} />
    </form>
  );
}

const hoursText = (calendar: Calendar) =>
  WEEKDAYS.filter((day) => calendar.weeklyHours[day].length)
    .map((day) => `${day.slice(0, 3)} ${calendar.weeklyHours[day].map((interval) => `${interval.start}–${interval.end}`).join(', ')}`)
    .join('; ');

/** The calendars, each edited in place or deleted (the API refuses, naming why, while a policy or ticket counts in it). */
export function CalendarList({ repo, calendars, onChanged }: { repo: Repo; calendars: Calendar[]; onChanged: Changed }) {
  const [editing, setEditing] = useState<string | null>(null);
  const changed = (message: string) => {
    setEditing(null);
    onChanged(message);
  };
  if (!calendars.length) return <p className="muted">No calendar: policies measure around the clock.</p>;
  return (
    <ul className="plain-list">
      {calendars.map((calendar) =>
        editing === calendar.id ? (
          <li key={calendar.id}>
            <CalendarForm repo={repo} calendar={calendar} onChanged={changed} onCancel={() => setEditing(null)} />
          </li>
        ) : (
          <CalendarItem key={calendar.id} repo={repo} calendar={calendar} onEdit={() => setEditing(calendar.id)} onChanged={changed} />
        ),
      )}
    </ul>
  );
}

function CalendarItem({ repo, calendar, onEdit, onChanged }: { repo: Repo; calendar: Calendar; onEdit: () => void; onChanged: Changed }) {
  const remove = useSubmit(
    () => must(api.DELETE('/api/v1/repos/{owner}/{name}/calendars/{calendarId}', { params: { path: { ...repoPath(repo), calendarId: calendar.id } } })),
    () => onChanged(`Calendar ${calendar.name} deleted.`),
  );
  return (
    <li className="card">
      <h4>{calendar.name}</h4>
      <p className="small">
        {calendar.timeZone}: {hoursText(calendar)}
        {calendar.holidays.length ? `; holidays ${calendar.holidays.join(', ')}` : ''}
      </p>
      <div className="actions">
        <button type="button" className="secondary" onClick={onEdit}>
          Edit calendar {calendar.name}
        </button>
        <button type="button" className="danger" disabled={remove.busy} onClick={() => void remove.submit()}>
          Delete calendar {calendar.name}
        </button>
      </div>
      <ErrorMessage error={remove.error} />
    </li>
  );
}
