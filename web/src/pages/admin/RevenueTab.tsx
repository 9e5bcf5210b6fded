import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { ErrorMessage, Loading, Notice, TableWrap, useSubmit } from '../../components/ui.tsx';
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
        {data.revenue.length === 0 ? (
          <p className="muted">No revenue in this period.</p>
        ) : (
          <TableWrap label="Platform revenue">
            <table>
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Currency</th>
                  <th scope="col">Platform fees</th>
                  <th scope="col">Processor fees</th>
                  <th scope="col">Net</th>
                </tr>
              </thead>
              <tbody>
                {data.revenue.map((row) => (
                  <tr key={`${row.period}-${row.currency}`}>
                    <th scope="row">{row.period}</th>
                    <td>{row.currency}</td>
                    <td>{money(row.platformFees, row.currency)}</td>
                    <td>{money(row.processorFees, row.currency)}</td>
                    <td>{money(row.net, row.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
      <section aria-labelledby="balances-heading">
        <h2 id="balances-heading">Held and owed, per currency</h2>
        {data.balances.length === 0 ? (
          <p className="muted">No money has moved yet.</p>
        ) : (
          <TableWrap label="Balances per currency">
            <table>
              <thead>
                <tr>
                  <th scope="col">Currency</th>
                  <th scope="col">Escrow held</th>
                  <th scope="col">Owed to helpers</th>
                  <th scope="col">Owed to repositories</th>
                  <th scope="col">Owed by payees</th>
                  <th scope="col">Pending payouts</th>
                </tr>
              </thead>
              <tbody>
                {data.balances.map((row) => (
                  <tr key={row.currency}>
                    <th scope="row">{row.currency}</th>
                    <td>{money(row.escrowHeld, row.currency)}</td>
                    <td>{money(row.owedToHelpers, row.currency)}</td>
                    <td>{money(row.owedToRepos, row.currency)}</td>
                    <td>{money(row.owedByPayees, row.currency)}</td>
                    <td>
                      {data.pendingPayouts
                        .filter((pending) => pending.currency === row.currency)
                        .map((pending) => `${pending.count} ${humanize(pending.status)}: ${money(pending.amount, pending.currency)}`)
                        .join('; ') || '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
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
