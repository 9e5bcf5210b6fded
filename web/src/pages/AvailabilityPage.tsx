import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { ConsoleNav } from '../components/ConsoleNav.tsx';
import { RequireSignIn } from '../components/RequireSignIn.tsx';
import { ErrorMessage, Loading, Notice, PageTitle, useSubmit } from '../components/ui.tsx';
import { dateTime } from '../lib/format.ts';
import { useLoad } from '../lib/useLoad.ts';

type Availability = Schemas['HelperAvailability'];
type Day = keyof Availability['weeklyHours'];
type Range = { start: string; end: string };

const DAYS: Day[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const dayName = (day: Day) => day[0].toUpperCase() + day.slice(1);
const ZONES = Intl.supportedValuesOf('timeZone');

export function AvailabilityPage() {
  return (
    <RequireSignIn>
      <AvailabilityLoader />
    </RequireSignIn>
  );
}

function AvailabilityLoader() {
  const availability = useLoad(() => must(api.GET('/api/v1/helpers/me/availability')), []);
  return (
    <section>
      <PageTitle title="Availability">Availability</PageTitle>
      <ConsoleNav />
      <ErrorMessage error={availability.error} />
      {availability.data ? <AvailabilityEditor saved={availability.data} onSaved={availability.setData} /> : !availability.error && <Loading />}
    </section>
  );
}

/**
 * The weekly hours customers may book sessions in, in the helper's own time zone. Exceptions (days off,
 * extra hours) are kept as they are; the API checks every range and says which one is wrong.
 */
function AvailabilityEditor({ saved, onSaved }: { saved: Availability; onSaved: (next: Availability) => void }) {
  // A helper who never published starts in the browser's zone rather than the profile's default.
  const [timeZone, setTimeZone] = useState(saved.updatedAt ? saved.timeZone : Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [week, setWeek] = useState<Record<Day, Range[]>>(saved.weeklyHours);
  const [bufferMinutes, setBufferMinutes] = useState(String(saved.bufferMinutes));
  const [done, setDone] = useState(false);
  const zones = ZONES.includes(timeZone) ? ZONES : [timeZone, ...ZONES];

  const change = (day: Day, ranges: Range[]) => {
    setDone(false);
    setWeek({ ...week, [day]: ranges });
  };
  const save = useSubmit(
    () =>
      must(
        api.PUT('/api/v1/helpers/me/availability', {
          body: { timeZone, weeklyHours: week, exceptions: saved.exceptions, bufferMinutes: Number(bufferMinutes), cancelNoticeHours: saved.cancelNoticeHours },
        }),
      ),
    (result) => {
      setDone(true);
      onSaved(result);
    },
  );

  return (
    <form className="stack" onSubmit={save.submit} aria-label="Weekly availability">
      <p className="muted">
        Customers book live sessions with you inside these hours.{' '}
        {saved.updatedAt ? `Last saved ${dateTime(saved.updatedAt)}.` : 'Not published yet: customers cannot book you until you save.'}
      </p>
      <div className="row">
        <div className="field">
          <label htmlFor="availability-zone">Time zone</label>
          <select id="availability-zone" value={timeZone} onChange={(event) => setTimeZone(event.target.value)}>
            {zones.map((zone) => (
              <option key={zone}>{zone}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="availability-buffer">Free minutes after each booking</label>
          <input id="availability-buffer" type="number" min={0} value={bufferMinutes} onChange={(event) => setBufferMinutes(event.target.value)} />
        </div>
      </div>
      {DAYS.map((day) => (
        <DayRanges key={day} day={day} ranges={week[day]} onChange={(ranges) => change(day, ranges)} />
      ))}
      {saved.exceptions.length > 0 && <p className="muted small">{saved.exceptions.length} date exceptions (days off, extra hours) are kept as they are.</p>}
      <ErrorMessage error={save.error} />
      {done && !save.error && <Notice tone="success">Availability saved.</Notice>}
      <p>
        <button type="submit" disabled={save.busy}>
          {save.busy ? 'Saving…' : 'Save availability'}
        </button>
      </p>
    </form>
  );
}

function DayRanges({ day, ranges, onChange }: { day: Day; ranges: Range[]; onChange: (ranges: Range[]) => void }) {
  const name = dayName(day);
  const set = (index: number, patch: Partial<Range>) => onChange(ranges.map((range, at) => (at === index ? { ...range, ...patch } : range)));
  const last = ranges[ranges.length - 1];
  return (
    <fieldset className="day-ranges">
      <legend>{name}</legend>
      {ranges.length === 0 && <p className="muted small">Not available</p>}
      {ranges.map((range, index) => (
        <div className="row" key={index}>
          <div className="field">
            <label htmlFor={`${day}-${index}-start`}>From</label>
            <input id={`${day}-${index}-start`} value={range.start} onChange={(event) => set(index, { start: event.target.value })} placeholder="09:00" size={6} />
          </div>
          <div className="field">
            <label htmlFor={`${day}-${index}-end`}>To</label>
            <input id={`${day}-${index}-end`} value={range.end} onChange={(event) => set(index, { end: event.target.value })} placeholder="17:00" size={6} />
          </div>
          <button type="button" className="secondary" onClick={() => onChange(ranges.filter((_, at) => at !== index))} aria-label={`Remove ${name} ${range.start}–${range.end}`}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="secondary" onClick={() => onChange([...ranges, last ? { start: last.end, end: '' } : { start: '09:00', end: '17:00' }])}>
        {`Add hours on ${name}`}
      </button>
    </fieldset>
  );
}
