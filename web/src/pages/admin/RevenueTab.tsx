import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { DataTable, ErrorMessage, Loading, Notice, useSubmit } from '../../components/ui.tsx';
import { date, humanize, money } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';

/** What the platform earned this month, what it holds and owes per currency, and whether the ledger is sound. */
export function RevenueTab() {
  const overview = useLoad(() => must(api.GET('/api/v1/admin/money/overview')), []);
  return (
    <>
      <ErrorMessage error={overview.error} />
      {!overview.data ? <Loading /> : <Overview data={overview.data} />}
      <LedgerCheck />
    </>
  );
}

function Overview({ data }: { data: Schemas['MoneyOverview'] }) {
  return (
    <>
      <section aria-labelledby="revenue-heading">
        <h2 id="revenue-heading">Platform revenue</h2>
        <p className="muted small">
          From {date(data.from)} to {date(new Date(Date.parse(data.to) - 1).toISOString())} (UTC).
        </p>
        <DataTable
          label="Platform revenue"
          rows={data.revenue}
          rowKey={(row) => `${row.period}-${row.currency}`}
          empty="No revenue in this period."
          columns={[
            { header: 'Month', cell: (row) => row.period, rowHeader: true },
            { header: 'Currency', cell: (row) => row.currency },
            { header: 'Platform fees', cell: (row) => money(row.platformFees, row.currency) },
            { header: 'Processor fees', cell: (row) => money(row.processorFees, row.currency) },
            { header: 'Net', cell: (row) => money(row.net, row.currency) },
          ]}
        />
      </section>
      <section aria-labelledby="balances-heading">
        <h2 id="balances-heading">Held and owed, per currency</h2>
        <DataTable
          label="Balances per currency"
          rows={data.balances}
          rowKey={(row) => row.currency}
          empty="No money has moved yet."
          columns={[
            { header: 'Currency', cell: (row) => row.currency, rowHeader: true },
            { header: 'Escrow held', cell: (row) => money(row.escrowHeld, row.currency) },
            { header: 'Owed to helpers', cell: (row) => money(row.owedToHelpers, row.currency) },
            { header: 'Owed to repositories', cell: (row) => money(row.owedToRepos, row.currency) },
            { header: 'Owed by payees', cell: (row) => money(row.owedByPayees, row.currency) },
            {
              header: 'Pending payouts',
              cell: (row) =>
                data.pendingPayouts
                  .filter((pending) => pending.currency === row.currency)
                  .map((pending) => `${pending.count} ${humanize(pending.status)}: ${money(pending.amount, pending.currency)}`)
                  .join('; ') || '—',
            },
          ]}
        />
        {data.negativeBalances.length > 0 && (
          <Notice tone="warning">
            <p>Payees owing money (refunds after a payout, repaid from later earnings):</p>
            <ul>
              {data.negativeBalances.map((row) => (
                <li key={`${row.payee.id}-${row.currency}`}>
                  {row.payee.name ?? row.payee.id} ({row.payee.type}): {money(row.balance, row.currency)}
                </li>
              ))}
            </ul>
          </Notice>
        )}
      </section>
    </>
  );
}

function LedgerCheck() {
  const [result, setResult] = useState<Schemas['LedgerCheck'] | null>(null);
  const check = useSubmit(() => must(api.GET('/api/v1/admin/ledger/check')), setResult);
  return (
    <section aria-labelledby="ledger-heading">
      <h2 id="ledger-heading">Ledger check</h2>
      <p className="muted small">Balanced transactions, zero-sum currencies, stored balances, reversals and idempotency keys, over the whole ledger.</p>
      <button type="button" onClick={() => check.submit()} disabled={check.busy}>
        {check.busy ? 'Checking…' : 'Check the ledger'}
      </button>
      <ErrorMessage error={check.error} />
      {result &&
        (result.ok ? (
          <Notice tone="success">The ledger is consistent.</Notice>
        ) : (
          <div className="alert alert-error" role="alert">
            <p>The ledger has {result.problems.length} problem(s):</p>
            <ul>
              {result.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </div>
        ))}
    </section>
  );
}
