import { useEffect, useState, type ReactNode } from 'react';
import { lastDay, nextDay, presetRange, PRESETS, type NamedPreset, type Period } from '../lib/period.ts';

/**
 * Choose a period: a preset applies at once, a custom range on "Show". People type the last day they want
 * (inclusive); the API gets the day after. `children` are more fields of the same form (a currency).
 */
export function PeriodPicker({ period, onChange, children }: { period: Period; onChange: (next: Period) => void; children?: ReactNode }) {
  const [draft, setDraft] = useState({ from: period.from, last: lastDay(period.to) });
  useEffect(() => setDraft({ from: period.from, last: lastDay(period.to) }), [period.from, period.to]);
  return (
    <form
      className="filters"
      aria-label="Choose the period"
      onSubmit={(event) => {
        event.preventDefault();
        onChange({ from: draft.from, to: nextDay(draft.last), preset: 'custom' });
      }}
    >
      <div className="field">
        <label htmlFor="preset">Period</label>
        <select
          id="preset"
          value={period.preset}
          onChange={(event) => event.target.value !== 'custom' && onChange({ ...presetRange(event.target.value as NamedPreset), preset: event.target.value as NamedPreset })}
        >
          {Object.entries(PRESETS).map(([key, text]) => (
            <option key={key} value={key}>
              {text}
            </option>
          ))}
          <option value="custom">Custom range</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="from">From</label>
        <input id="from" type="date" value={draft.from} onChange={(event) => setDraft({ ...draft, from: event.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="last">To (inclusive)</label>
        <input id="last" type="date" value={draft.last} onChange={(event) => setDraft({ ...draft, last: event.target.value })} />
      </div>
      <button type="submit">Show</button>
      {children}
    </form>
  );
}
