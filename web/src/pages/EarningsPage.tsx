import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { ConsoleNav } from '../components/ConsoleNav.tsx';
import { PeriodPicker } from '../components/PeriodPicker.tsx';
import { RequireSignIn } from '../components/RequireSignIn.tsx';
import { ErrorMessage, Loading, Notice, PageTitle, StatusBadge, TableWrap, useSubmit, DataTable, type Column } from '../components/ui.tsx';
import { date, humanize, money, fromMinor, toMinorUnits } from '../lib/format.ts';
import { lastDay, usePeriod } from '../lib/period.ts';
import { useLoad } from '../lib/useLoad.ts';

export function EarningsPage() {
  return (
    <RequireSignIn>
      <Earnings />
    </RequireSignIn>
  );
}

/** What the helper is owed and was paid: balances, payout settings, payouts with their statements, a statement for any period. */
function Earnings() {
  const account = useLoad(async () => {
    const [balance, payouts, settings] = await Promise.all([
      must(api.GET('/api/v1/helpers/me/balance')),
      must(api.GET('/api/v1/helpers/me/payouts')),
      must(api.GET('/api/v1/helpers/me/payout-settings')),
    ]);
    return { balance, payouts: payouts.items, settings };
  }, []);
  return (
    <section>
      <PageTitle title="Earnings">Earnings</PageTitle>
      <ConsoleNav />
      <ErrorMessage error={account.error} />
      {!account.data ? (
        !account.error && <Loading />
      ) : (
        <>
          <Balances balance={account.data.balance} />
          <Payouts payouts={account.data.payouts} />
          <PayoutSettings settings={account.data.settings} currencies={account.data.balance.items.map((item) => item.currency)} onSaved={() => void account.reload()} />
        </>
      )}
      <PeriodStatement />
    </section>
  );
}

function Balances({ balance }: { balance: Schemas['PayoutBalance'] }) {
  return (
    <section aria-labelledby="balance-heading">
      <h2 id="balance-heading">Balance</h2>
      {balance.items.length === 0 ? (
        <p className="muted">Nothing earned yet. When a customer confirms your work (or the grace period passes), your share shows here.</p>
      ) : (
        <ul className="tiles" aria-label="Balance per currency">
          {balance.items.map((item) => (
            <li key={item.currency} className="card stat">
              <p className="stat-label">Owed to you in {item.currency}</p>
              <p className="stat-value">{money(item.balance, item.currency)}</p>
              <p className="muted small">
                {item.inPayout > 0 && `${money(item.inPayout, item.currency)} on its way. `}
                {item.paidThisPeriod
                  ? `Paid out for ${item.currentPeriod} already; the next ${balance.schedule} payout follows.`
                  : `Paid out ${balance.schedule} (${item.currentPeriod}) once it reaches ${money(item.minimum, item.currency)}.`}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const statementLink = (payoutId: string, format: 'csv' | 'pdf') => `/api/v1/payouts/${payoutId}/statement?format=${format}`;

function Payouts({ payouts }: { payouts: Schemas['Payout'][] }) {
  const columns: Column<Schemas['Payout']>[] = [
    { header: 'Date', cell: (payout) => date(payout.paidAt ?? payout.createdAt) },
    { header: 'Period', cell: (payout) => payout.period },
    { header: 'Amount', numeric: true, cell: (payout) => money(payout.amount, payout.currency) },
    {
      header: 'Status',
      cell: (payout) => (
        <>
          <StatusBadge status={payout.status} />
          {payout.method === 'manual' && payout.status === 'pending_manual' && <div className="muted small">by bank transfer</div>}
          {payout.failureReason && <div className="small">{payout.failureReason}</div>}
        </>
      ),
    },
    {
      header: 'Statement',
      cell: (payout) => (
        <>
          <a href={statementLink(payout.id, 'csv')} download aria-label={`Statement of the ${payout.period} payout as CSV`}>
            CSV
          </a>
          {' · '}
          <a href={statementLink(payout.id, 'pdf')} aria-label={`Statement of the ${payout.period} payout as PDF`}>
            PDF
          </a>
        </>
      ),
    },
  ];
  return (
    <section aria-labelledby="payouts-heading">
      <h2 id="payouts-heading">Payouts</h2>
      <DataTable label="Payouts" columns={columns} rows={payouts} rowKey={(payout) => payout.id} empty="No payouts yet." />
    </section>
  );
}

function PayoutSettings({ settings, currencies, onSaved }: { settings: Schemas['PayoutSettings']; currencies: string[]; onSaved: () => void }) {
  const [schedule, setSchedule] = useState(settings.schedule);
  // The currencies the helper has money in, and any they set a minimum for before.
  const codes = [...new Set([...currencies, ...Object.keys(settings.minimums)])].sort();
  const [minimums, setMinimums] = useState<Record<string, string>>(() =>
    Object.fromEntries(codes.map((code) => [code, settings.minimums[code] === undefined ? '' : fromMinor(settings.minimums[code], code)])),
  );
  const [done, setDone] = useState(false);
  const save = useSubmit(
    () => {
      const chosen: Record<string, number> = {};
      for (const [code, text] of Object.entries(minimums)) {
        if (!text.trim()) continue;
        const minor = toMinorUnits(text, code);
        if (minor === null || minor <= 0) throw { code: 'invalid_input', message: `Minimum in ${code}: write a positive amount such as 100.00, or leave it empty for the platform minimum.` };
        chosen[code] = minor;
      }
      setDone(false);
      return must(api.PUT('/api/v1/helpers/me/payout-settings', { body: { schedule, minimums: chosen } }));
    },
    () => {
      setDone(true);
      onSaved();
    },
  );
  return (
    <section aria-labelledby="settings-heading">
      <h2 id="settings-heading">Payout settings</h2>
      <form className="stack narrow" onSubmit={save.submit}>
        <label htmlFor="payout-schedule">How often</label>
        <select id="payout-schedule" value={schedule} onChange={(event) => setSchedule(event.target.value as typeof schedule)}>
          <option value="weekly">Weekly</option>
          <option value="monthly">Monthly</option>
        </select>
        {codes.map((code) => (
          <div className="stack" key={code}>
            <label htmlFor={`minimum-${code}`}>Minimum payout in {code} (empty: the platform's, {money(settings.platformMinimum, code)})</label>
            <input id={`minimum-${code}`} inputMode="decimal" value={minimums[code] ?? ''} onChange={(event) => setMinimums({ ...minimums, [code]: event.target.value })} />
          </div>
        ))}
        <ErrorMessage error={save.error} />
        {done && !save.error && <Notice tone="success">Payout settings saved.</Notice>}
        <button type="submit" disabled={save.busy}>
          Save payout settings
        </button>
      </form>
    </section>
  );
}

/** The earnings statement of a chosen period: the same numbers as its CSV and PDF, which are one link away. */
function PeriodStatement() {
  const { from, to, preset, currency, go } = usePeriod('/console/earnings', 'thisMonth');
  const statement = useLoad(() => must(api.GET('/api/v1/helpers/me/statements', { params: { query: { from, to, currency } } })), [from, to, currency]);
  const data = statement.data;
  const download = (format: 'csv' | 'pdf') => {
    const query = new URLSearchParams({ from, to, format });
    if (data) query.set('currency', data.currency);
    return `/api/v1/helpers/me/statements?${query}`;
  };
  return (
    <section aria-labelledby="statement-heading">
      <h2 id="statement-heading">Statement</h2>
      <PeriodPicker period={{ from, to, preset }} onChange={go}>
        {data && data.currencies.length > 1 && (
          <div className="field">
            <label htmlFor="statement-currency">Currency</label>
            <select id="statement-currency" value={data.currency} onChange={(event) => go({ from, to, preset, currency: event.target.value })}>
              {data.currencies.map((code) => (
                <option key={code}>{code}</option>
              ))}
            </select>
          </div>
        )}
      </PeriodPicker>
      <ErrorMessage error={statement.error} />
      {statement.loading && !data && <Loading />}
      {data && <StatementTable statement={data} lastShownDay={lastDay(to)} />}
      {data && (
        <p>
          Download this statement: <a href={download('csv')} download aria-label="Download the statement as CSV">CSV</a>,{' '}
          <a href={download('pdf')} aria-label="Download the statement as PDF">PDF</a>
        </p>
      )}
    </section>
  );
}

function StatementTable({ statement, lastShownDay }: { statement: Schemas['Statement']; lastShownDay: string }) {
  const cash = (amount: number) => money(amount, statement.currency);
  return (
    <>
      <p className="muted" aria-live="polite">
        {statement.from.slice(0, 10)} to {lastShownDay}, in {statement.currency}. {statement.note}
      </p>
      <TableWrap label="Statement lines">
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">What</th>
              <th scope="col" className="num">Paid by the customer</th>
              <th scope="col" className="num">Commission</th>
              <th scope="col" className="num">Platform fee</th>
              <th scope="col" className="num">Processor fee</th>
              <th scope="col" className="num">Yours</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{statement.from.slice(0, 10)}</td>
              <th scope="row" colSpan={5}>
                Opening balance
              </th>
              <td className="num">{cash(statement.openingBalance)}</td>
            </tr>
            {statement.lines.map((line) => (
              <tr key={`${line.transactionId}-${line.kind}`}>
                <td>{date(line.date)}</td>
                <td>
                  {line.ticket ? line.ticket.title : line.description}
                  <div className="muted small">{humanize(line.kind)}</div>
                </td>
                <td className="num">{cash(line.gross)}</td>
                <td className="num">{cash(line.commission)}</td>
                <td className="num">{cash(line.platformFee)}</td>
                <td className="num">{cash(line.processorFee)}</td>
                <td className="num">{cash(line.net)}</td>
              </tr>
            ))}
            <tr>
              <td />
              <th scope="row">Total</th>
              <td className="num">{cash(statement.totals.gross)}</td>
              <td className="num">{cash(statement.totals.commission)}</td>
              <td className="num">{cash(statement.totals.platformFee)}</td>
              <td className="num">{cash(statement.totals.processorFee)}</td>
              <td className="num">{cash(statement.totals.net)}</td>
            </tr>
            <tr>
              <td>{lastShownDay}</td>
              <th scope="row" colSpan={5}>
                Closing balance
              </th>
              <td className="num">{cash(statement.closingBalance)}</td>
            </tr>
          </tbody>
        </table>
      </TableWrap>
      {statement.lines.length === 0 && <p className="muted">No money moved in this period.</p>}
    </>
  );
}
