import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { DataTable, ErrorMessage, Loading, Notice, StatusBadge, useSubmit } from '../../components/ui.tsx';
import { date, dateTime, humanize, money } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';

/** Runs a comparison of the ledger with the provider over a period, and lists the runs with their differences. */
export function ReconciliationTab() {
  const runs = useLoad(() => must(api.GET('/api/v1/admin/reconciliation')), []);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const run = useSubmit(
    () => must(api.POST('/api/v1/admin/reconciliation', { body: { ...(from ? { from } : {}), ...(to ? { to } : {}) } })),
    () => void runs.reload(),
  );
  return (
    <>
      <section aria-labelledby="reconcile-heading">
        <h2 id="reconcile-heading">Run a reconciliation</h2>
        <form className="row" onSubmit={run.submit}>
          <div className="field">
            <label htmlFor="reconcile-from">From (default: first of this month)</label>
            <input id="reconcile-from" type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="reconcile-to">To, exclusive (default: first of next month)</label>
            <input id="reconcile-to" type="date" value={to} onChange={(event) => setTo(event.target.value)} />
          </div>
          <button type="submit" disabled={run.busy}>
            {run.busy ? 'Comparing…' : 'Run reconciliation'}
          </button>
        </form>
        <ErrorMessage error={run.error} />
      </section>
      <section aria-labelledby="runs-heading">
        <h2 id="runs-heading">Runs</h2>
        <ErrorMessage error={runs.error} />
        {!runs.data ? (
          <Loading />
        ) : runs.data.items.length === 0 ? (
          <p className="muted">No reconciliation has been run yet.</p>
        ) : (
          <ul className="plain-list">
            {runs.data.items.map((item) => (
              <Run key={item.id} run={item} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function Run({ run }: { run: Schemas['ReconciliationRun'] }) {
  const period = `${date(run.from)} to ${date(new Date(Date.parse(run.to) - 1).toISOString())}`;
  return (
    <li className="card stack">
      <p className="row">
        <strong>
          {run.provider === 'stripe' ? 'Stripe' : 'Sandbox'}, {period}
        </strong>
        <StatusBadge status={run.status} />
      </p>
      <p className="muted small">
        Run {dateTime(run.startedAt)} · {run.checked} records checked · {run.differences.length} difference(s)
      </p>
      {run.error && <Notice tone="warning">{run.error}</Notice>}
      {run.status === 'completed' && run.differences.length === 0 && <p className="small">The ledger agrees with the provider.</p>}
      {run.differences.length > 0 && (
        <DataTable
          label={`Differences of the run of ${dateTime(run.startedAt)}`}
          rows={run.differences}
          rowKey={(difference) => `${difference.object}-${difference.externalId}-${difference.issue}`}
          columns={[
            { header: 'Object', cell: (difference) => difference.object, rowHeader: true },
            { header: 'Provider id', cell: (difference) => <code>{difference.externalId}</code> },
            { header: 'Issue', cell: (difference) => humanize(difference.issue) },
            { header: 'Ledger', cell: (difference) => (difference.ledgerAmount === null ? '—' : money(difference.ledgerAmount, difference.currency)) },
            { header: 'Provider', cell: (difference) => (difference.providerAmount === null ? '—' : money(difference.providerAmount, difference.currency)) },
          ]}
        />
      )}
    </li>
  );
}
