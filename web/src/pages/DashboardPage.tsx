import { useMemo } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { Chart } from '../components/Chart.tsx';
import { PeriodPicker } from '../components/PeriodPicker.tsx';
import { DataTable, ErrorMessage, Loading, PageTitle } from '../components/ui.tsx';
import { money } from '../lib/format.ts';
import { lastDay, usePeriod } from '../lib/period.ts';
import { Link } from '../lib/router.tsx';
import { useLoad } from '../lib/useLoad.ts';

type Report = Schemas['StatsReport'];
type Figures = Schemas['StatsFigures'];

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
  const { from, to, preset, currency, go } = usePeriod(`/dashboard/${owner}/${name}`, 'last30');
  const fullName = `${owner}/${name}`;
  const report = useLoad(
    () => must(api.GET('/api/v1/repos/{owner}/{name}/stats', { params: { path: { owner, name }, query: { from, to, currency } } })),
    [owner, name, from, to, currency],
  );

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
      <PeriodPicker period={{ from, to, preset }} onChange={go}>
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
      </PeriodPicker>
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
            <DataTable
              label="Helpers"
              rows={data.helpers}
              rowKey={(helper) => helper.id}
              columns={[
                { header: 'Helper', rowHeader: true, cell: (helper) => helper.name },
                { header: 'Tickets', numeric: true, cell: (helper) => helper.tickets },
                { header: 'Resolved', numeric: true, cell: (helper) => helper.resolved },
                { header: 'Time logged', numeric: true, cell: (helper) => `${helper.minutes} min` },
                { header: 'Earnings', numeric: true, cell: (helper) => money(helper.earnings, data.currency) },
                { header: 'Rating', numeric: true, cell: (helper) => (helper.rating === null ? '—' : `${helper.rating} (${helper.rated})`) },
              ]}
            />
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
