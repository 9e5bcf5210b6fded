import { useMemo, useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { Chart } from '../components/Chart.tsx';
import { ErrorMessage, Loading, PageTitle } from '../components/ui.tsx';
import { money } from '../lib/format.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useLoad } from '../lib/useLoad.ts';

type Report = Schemas['StatsReport'];
type Figures = Schemas['StatsFigures'];
type Preset = 'last7' | 'last30' | 'thisMonth' | 'lastMonth' | 'thisQuarter' | 'lastQuarter' | 'thisYear' | 'last12' | 'custom';

const DAY = 86_400_000;
const iso = (date: Date) => date.toISOString().slice(0, 10);
const utc = (year: number, month: number, day = 1) => new Date(Date.UTC(year, month, day));

const PRESETS: Record<Exclude<Preset, 'custom'>, string> = {
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  thisMonth: 'This month',
  lastMonth: 'Last month',
  thisQuarter: 'This quarter',
  lastQuarter: 'Last quarter',
  thisYear: 'This year',
  last12: 'Last 12 months',
};

/** A preset's days: `to` is exclusive, as the API reads it. */
function presetRange(preset: Exclude<Preset, 'custom'>, now = new Date()): { from: string; to: string } {
  const today = utc(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const tomorrow = new Date(today.getTime() + DAY);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const quarter = month - (month % 3);
  switch (preset) {
    case 'last7': return { from: iso(new Date(tomorrow.getTime() - 7 * DAY)), to: iso(tomorrow) };
    case 'last30': return { from: iso(new Date(tomorrow.getTime() - 30 * DAY)), to: iso(tomorrow) };
    case 'thisMonth': return { from: iso(utc(year, month)), to: iso(utc(year, month + 1)) };
    case 'lastMonth': return { from: iso(utc(year, month - 1)), to: iso(utc(year, month)) };
    case 'thisQuarter': return { from: iso(utc(year, quarter)), to: iso(utc(year, quarter + 3)) };
    case 'lastQuarter': return { from: iso(utc(year, quarter - 3)), to: iso(utc(year, quarter)) };
    case 'thisYear': return { from: iso(utc(year, 0)), to: iso(utc(year + 1, 0)) };
    case 'last12': return { from: iso(utc(year - 1, month + 1)), to: iso(utc(year, month + 1)) };
  }
}

/** The last day shown to people: the API's `to` is the day after it. */
const lastDay = (to: string) => iso(new Date(new Date(`${to}T00:00:00Z`).getTime() - DAY));
const nextDay = (day: string) => iso(new Date(new Date(`${day}T00:00:00Z`).getTime() + DAY));

function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 3600) return `≤ ${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `≤ ${Math.round((seconds / 3600) * 10) / 10} h`;
  return `≤ ${Math.round((seconds / 86_400) * 10) / 10} d`;
}

const percent = (ratio: number | null | undefined) => (ratio === null || ratio === undefined ? '—' : `${Math.round(ratio * 1000) / 10}%`);

/** "+25% vs previous": how the figure moved; lower is better for times. */
function Change({ current, previous }: { current: number | null; previous: number | null }) {
  if (current === null || previous === null) return <span className="muted">no comparison</span>;
  if (previous === 0) return <span className="muted">{current === 0 ? 'same as before' : 'new this period'}</span>;
  const change = Math.round(((current - previous) / Math.abs(previous)) * 100);
  return <span className="muted">{change === 0 ? 'same as before' : `${change > 0 ? '+' : ''}${change}% vs previous period`}</span>;
}

function Tile({ label, value, current, previous }: { label: string; value: string; current: number | null; previous: number | null }) {
  return (
    <li className="card stat">
      <p className="stat-label">{label}</p>
      <p className="stat-value">{value}</p>
      <Change current={current} previous={previous} />
    </li>
  );
}

function Tiles({ report }: { report: Report }) {
  const { current: now, previous: before, currency } = report;
  const cash = (amount: number) => money(amount, currency);
  const tile = (label: string, pick: (figures: Figures) => number | null, show: (value: number | null) => string) => (
    <Tile key={label} label={label} value={show(pick(now))} current={pick(now)} previous={pick(before)} />
  );
  return (
    <ul className="tiles stats-tiles" aria-label="Figures of the period">
      {tile('Tickets opened', (f) => f.tickets.opened, String)}
      {tile('Tickets resolved', (f) => f.tickets.resolved, String)}
      {tile('Value released', (f) => f.money.value, (v) => cash(v ?? 0))}
      {tile('Commission earned', (f) => f.money.commission, (v) => cash(v ?? 0))}
      {tile('Platform fees', (f) => f.money.platformFee, (v) => cash(v ?? 0))}
      {tile('Processor fees', (f) => f.money.processorFee, (v) => cash(v ?? 0))}
      {tile('Helpers active', (f) => f.activeHelpers, String)}
      {tile('Median first response', (f) => f.firstResponse.medianSeconds, duration)}
      {tile('First response, 9 in 10', (f) => f.firstResponse.p90Seconds, duration)}
      {tile('Median resolution', (f) => f.resolution.medianSeconds, duration)}
      {tile('Resolution, 9 in 10', (f) => f.resolution.p90Seconds, duration)}
      {tile('SLA compliance', (f) => f.sla.compliance, percent)}
      {tile('Satisfaction', (f) => f.satisfaction.average, (v) => (v === null ? '—' : `${v} / 5`))}
      {tile('AI deflection', (f) => f.ai.deflectionRate, percent)}
    </ul>
  );
}

function Charts({ report }: { report: Report }) {
  const cash = useMemo(() => (amount: number) => money(amount, report.currency), [report.currency]);
  const labels = useMemo(() => report.series.map((point) => point.start), [report]);
  const tickets = useMemo(() => report.series.map((point) => point.tickets), [report]);
  const value = useMemo(() => report.series.map((point) => point.value), [report]);
  const sources = useMemo(() => ['ai', 'community', 'expert'] as const, []);
  const types = useMemo(() => ['ticket', 'session', 'plan', 'consulting'] as const, []);
  const bySource = useMemo(() => sources.map((source) => report.current.tickets.bySource[source]), [report, sources]);
  const byType = useMemo(() => types.map((type) => report.current.tickets.byType[type]), [report, types]);
  const sourceLabels = useMemo(() => ['AI', 'Community', 'Expert'], []);
  const typeLabels = useMemo(() => ['Ticket', 'Session', 'Plan', 'Consulting'], []);
  const per = report.period.interval;
  return (
    <div className="charts">
      <Chart kind="bar" label={`Tickets opened per ${per}`} labels={labels} values={tickets} summary={`${report.current.tickets.opened} in all`} />
      <Chart kind="line" label={`Value released per ${per}`} labels={labels} values={value} format={cash} summary={`${cash(report.current.money.value)} in all`} />
      <Chart kind="bar" horizontal label="Tickets by source" labels={sourceLabels} values={bySource} summary={sourceLabels.map((name, index) => `${name} ${bySource[index]}`).join(', ')} />
      <Chart kind="bar" horizontal label="Tickets by type" labels={typeLabels} values={byType} summary={typeLabels.map((name, index) => `${name} ${byType[index]}`).join(', ')} />
    </div>
  );
}

export function DashboardPage({ owner, name }: { owner: string; name: string }) {
  const location = useLocation();
  const params = location.searchParams;
  const initial = presetRange('last30');
  const from = params.get('from') ?? initial.from;
  const to = params.get('to') ?? initial.to;
  const currency = params.get('currency') ?? undefined;
  const preset = (params.get('preset') as Preset | null) ?? (params.get('from') ? 'custom' : 'last30');
  const [draft, setDraft] = useState({ from, last: lastDay(to) });
  const fullName = `${owner}/${name}`;
  const report = useLoad(
    () => must(api.GET('/api/v1/repos/{owner}/{name}/stats', { params: { path: { owner, name }, query: { from, to, currency } } })),
    [owner, name, from, to, currency],
  );

  const go = (next: { from: string; to: string; preset: Preset; currency?: string }) => {
    const query = new URLSearchParams({ from: next.from, to: next.to, preset: next.preset });
    if (next.currency ?? currency) query.set('currency', (next.currency ?? currency) as string);
    setDraft({ from: next.from, last: lastDay(next.to) });
    navigate(`/dashboard/${owner}/${name}?${query}`, { replace: true });
  };
  const data = report.data;
  const download = (path: string, format: 'csv' | 'pdf') => {
    const query = new URLSearchParams({ from, to, format });
    if (data) query.set('currency', data.currency);
    return `/api/v1/repos/${owner}/${name}/${path}?${query}`;
  };

  return (
    <section>
      <PageTitle title={`Dashboard ${fullName}`}>Dashboard: {fullName}</PageTitle>
      <p>
        <Link href={`/dashboard/${fullName}/settings/general`}>Settings</Link>
      </p>
      <form
        className="filters"
        aria-label="Choose the period"
        onSubmit={(event) => {
          event.preventDefault();
          go({ from: draft.from, to: nextDay(draft.last), preset: 'custom' });
        }}
      >
        <div className="field">
          <label htmlFor="preset">Period</label>
          <select id="preset" value={preset} onChange={(event) => event.target.value !== 'custom' && go({ ...presetRange(event.target.value as Exclude<Preset, 'custom'>), preset: event.target.value as Preset })}>
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
        {data && data.currencies.length > 1 && (
          <div className="field">
            <label htmlFor="currency">Currency</label>
            <select id="currency" value={data.currency} onChange={(event) => go({ from, to, preset, currency: event.target.value })}>
              {data.currencies.map((code) => (
                <option key={code}>{code}</option>
              ))}
            </select>
          </div>
        )}
      </form>
      <ErrorMessage error={report.error} />
      {report.loading && !data && <Loading />}
      {data && (
        <>
          <p className="muted" aria-live="polite">
            {data.period.from} to {lastDay(data.period.to)} ({data.period.days} days), compared with {data.previousPeriod.from} to {lastDay(data.previousPeriod.to)}. Money in {data.currency}; times are at most the figure shown.
          </p>
          <Tiles report={data} />
          <h2>Over time and by kind</h2>
          <Charts report={data} />
          <h2>Helpers</h2>
          <p className="muted">
            {data.helpers.length} active in the period, {data.approvedHelpers} approved.
          </p>
          {data.helpers.length > 0 && (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Helper</th>
                    <th scope="col" className="num">Tickets</th>
                    <th scope="col" className="num">Resolved</th>
                    <th scope="col" className="num">Time logged</th>
                    <th scope="col" className="num">Earnings</th>
                    <th scope="col" className="num">Rating</th>
                  </tr>
                </thead>
                <tbody>
                  {data.helpers.map((helper) => (
                    <tr key={helper.id}>
                      <th scope="row">{helper.name}</th>
                      <td className="num">{helper.tickets}</td>
                      <td className="num">{helper.resolved}</td>
                      <td className="num">{helper.minutes} min</td>
                      <td className="num">{money(helper.earnings, data.currency)}</td>
                      <td className="num">{helper.rating === null ? '—' : `${helper.rating} (${helper.rated})`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h2>Questions the docs could not answer</h2>
          {data.unanswered.length ? (
            <ol>
              {data.unanswered.map((question) => (
                <li key={question.question}>
                  {question.question} <span className="muted">({question.count}×)</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted">None in this period.</p>
          )}
          <h2>Downloads</h2>
          <ul>
            <li>
              Stats report: <a href={download('stats', 'csv')} download>CSV</a>, <a href={download('stats', 'pdf')}>PDF</a>
            </li>
            <li>
              Revenue statement: <a href={download('statements', 'csv')} download>CSV</a>, <a href={download('statements', 'pdf')}>PDF</a>
            </li>
          </ul>
        </>
      )}
    </section>
  );
}
