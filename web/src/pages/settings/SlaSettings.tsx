import { useRef, useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { Badge, Checkbox, ErrorMessage, Field, TableWrap, useSubmit } from '../../components/ui.tsx';
import { humanize, splitList } from '../../lib/format.ts';
import { repoPath, type Repo } from './common.tsx';

type Calendar = Schemas['BusinessCalendar'];
type Policy = Schemas['SlaPolicy'];

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const TARGETS = [
  ['firstResponse', 'First response'],
  ['nextResponse', 'Next response'],
  ['resolution', 'Resolution'],
] as const;

type Changed = (message: string) => void;

/** A calendar with the same hours on each chosen weekday: the common case; the API takes more. */
export function CalendarForm({ repo, onChanged }: { repo: Repo; onChanged: Changed }) {
  const [form, setForm] = useState({
    name: '',
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    days: new Set<string>(WEEKDAYS.slice(0, 5)),
    start: '09:00',
    end: '17:00',
    holidays: '',
  });
  const create = useSubmit(
    () =>
      must(
        api.POST('/api/v1/repos/{owner}/{name}/calendars', {
          params: { path: repoPath(repo) },
          body: {
            name: form.name,
            timeZone: form.timeZone,
            weeklyHours: Object.fromEntries(WEEKDAYS.filter((day) => form.days.has(day)).map((day) => [day, [{ start: form.start, end: form.end }]])),
            holidays: splitList(form.holidays),
          },
        }),
      ),
    (calendar) => onChanged(`Calendar ${calendar.name} created.`),
  );
  const toggle = (day: string, on: boolean) => {
    const days = new Set(form.days);
    if (on) days.add(day);
    else days.delete(day);
    setForm({ ...form, days });
  };
  return (
    <form className="settings-form card" onSubmit={create.submit} aria-labelledby="calendar-form-heading">
      <h4 id="calendar-form-heading" className="wide">
        New business-hours calendar
      </h4>
      <Field id="calendar-name" label="Name">
        <input id="calendar-name" value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
      </Field>
      <Field id="calendar-zone" label="Time zone">
        <input id="calendar-zone" value={form.timeZone} onChange={(event) => setForm({ ...form, timeZone: event.target.value })} />
      </Field>
      <Field id="calendar-start" label="Opens at">
        <input id="calendar-start" type="time" value={form.start} onChange={(event) => setForm({ ...form, start: event.target.value })} />
      </Field>
      <Field id="calendar-end" label="Closes at">
        <input id="calendar-end" type="time" value={form.end} onChange={(event) => setForm({ ...form, end: event.target.value })} />
      </Field>
      <fieldset>
        <legend>Working days</legend>
        <div className="row">
          {WEEKDAYS.map((day) => (
            <Checkbox key={day} id={`calendar-${day}`} label={day[0].toUpperCase() + day.slice(1)} checked={form.days.has(day)} onChange={(on) => toggle(day, on)} />
          ))}
        </div>
      </fieldset>
      <div className="wide">
        <Field id="calendar-holidays" label="Holidays" hint="Dates YYYY-MM-DD, comma-separated">
          <input id="calendar-holidays" aria-describedby="calendar-holidays-hint" value={form.holidays} onChange={(event) => setForm({ ...form, holidays: event.target.value })} />
        </Field>
      </div>
      <div className="actions">
        <button type="submit" disabled={create.busy}>
          Create calendar
        </button>
      </div>
      <div className="wide">
        <ErrorMessage error={create.error} />
      </div>
    </form>
  );
}

/** Targets in minutes per priority; empty fields are no target. */
export function PolicyForm({ repo, calendars, onChanged }: { repo: Repo; calendars: Calendar[]; onChanged: Changed }) {
  const [name, setName] = useState('');
  const [calendarId, setCalendarId] = useState('');
  const [targets, setTargets] = useState<Record<string, string>>({});
  const create = useSubmit(
    () =>
      must(
        api.POST('/api/v1/repos/{owner}/{name}/sla-policies', {
          params: { path: repoPath(repo) },
          body: {
            name,
            calendarId: calendarId || null,
            targets: Object.fromEntries(
              PRIORITIES.map((priority) => [
                priority,
                Object.fromEntries(TARGETS.filter(([kind]) => targets[`${priority}.${kind}`]).map(([kind]) => [kind, Number(targets[`${priority}.${kind}`])])),
              ]),
            ),
          },
        }),
      ),
    (policy) => onChanged(`SLA policy ${policy.name} created.`),
  );
  return (
    <form className="settings-form card" onSubmit={create.submit} aria-labelledby="policy-form-heading">
      <h4 id="policy-form-heading" className="wide">
        New SLA policy
      </h4>
      <Field id="policy-name" label="Name">
        <input id="policy-name" value={name} onChange={(event) => setName(event.target.value)} />
      </Field>
      <Field id="policy-calendar" label="Measured in">
        <select id="policy-calendar" value={calendarId} onChange={(event) => setCalendarId(event.target.value)}>
          <option value="">Around the clock</option>
          {calendars.map((calendar) => (
            <option key={calendar.id} value={calendar.id}>
              Business hours: {calendar.name}
            </option>
          ))}
        </select>
      </Field>
      <div className="wide">
        <TableWrap label="Targets in minutes">
          <table className="targets">
            <caption>Targets in minutes (leave empty for none)</caption>
            <thead>
              <tr>
                <th scope="col">Priority</th>
                {TARGETS.map(([kind, label]) => (
                  <th scope="col" key={kind}>
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {PRIORITIES.map((priority) => (
                <tr key={priority}>
                  <th scope="row">{priority}</th>
                  {TARGETS.map(([kind, label]) => (
                    <td key={kind}>
                      <input
                        type="number"
                        step="1"
                        aria-label={`${label} target for ${priority} tickets, minutes`}
                        value={targets[`${priority}.${kind}`] ?? ''}
                        onChange={(event) => setTargets({ ...targets, [`${priority}.${kind}`]: event.target.value })}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </div>
      <div className="actions">
        <button type="submit" disabled={create.busy}>
          Create SLA policy
        </button>
      </div>
      <div className="wide">
        <ErrorMessage error={create.error} />
      </div>
    </form>
  );
}

/** The calendars and policies, with the policy expert tickets get by default. */
export function SlaLists({ repo, calendars, policies, onChanged }: { repo: Repo; calendars: Calendar[]; policies: Policy[]; onChanged: Changed }) {
  // The policy whose button was pressed, read by the one submit the buttons share.
  const chosen = useRef<string | null>(null);
  const setDefault = useSubmit(
    () => must(api.PUT('/api/v1/repos/{owner}/{name}/sla-policies/default', { params: { path: repoPath(repo) }, body: { policyId: chosen.current } })),
    () => onChanged(chosen.current ? 'Default SLA policy set.' : 'Expert tickets get no SLA by default now.'),
  );
  const summary = (policy: Policy) =>
    PRIORITIES.flatMap((priority) =>
      TARGETS.filter(([kind]) => policy.targets[priority][kind] !== null).map(([kind, label]) => `${priority} ${label.toLowerCase()} ${policy.targets[priority][kind]} min`),
    ).join(', ');
  return (
    <>
      <h3>Business-hours calendars</h3>
      {calendars.length ? (
        <ul>
          {calendars.map((calendar) => (
            <li key={calendar.id}>
              <strong>{calendar.name}</strong> ({calendar.timeZone}):{' '}
              {WEEKDAYS.filter((day) => calendar.weeklyHours[day].length)
                .map((day) => `${day.slice(0, 3)} ${calendar.weeklyHours[day].map((interval) => `${interval.start}–${interval.end}`).join(', ')}`)
                .join('; ')}
              {calendar.holidays.length ? `; ${calendar.holidays.length} holidays` : ''}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No calendar: policies measure around the clock.</p>
      )}
      <h3>SLA policies</h3>
      {policies.length ? (
        <ul className="plain-list">
          {policies.map((policy) => (
            <li key={policy.id} className="card">
              <h4>
                {policy.name} {policy.isDefault && <Badge tone="green">default for expert tickets</Badge>}
              </h4>
              <p className="small">
                {humanize(policy.measuredIn)}: {summary(policy)}
              </p>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  chosen.current = policy.isDefault ? null : policy.id;
                  void setDefault.submit();
                }}
              >
                {policy.isDefault ? `Stop using ${policy.name} by default` : `Use ${policy.name} by default`}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No SLA policy yet; a plan needs one.</p>
      )}
      <ErrorMessage error={setDefault.error} />
    </>
  );
}
