import { useMemo, useState } from 'react';
import { api, idempotencyKey, must, type Schemas } from '../../api/client.ts';
import { type Column, DataTable, ErrorMessage, Notice, StatusBadge, useSubmit } from '../../components/ui.tsx';
import { dateTime, humanize, money } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';

type Status = 'processing' | 'pending_manual' | 'paid' | 'failed';
const STATUSES: Array<{ value: Status | ''; label: string }> = [
  { value: '', label: 'All' },
  { value: 'pending_manual', label: 'Waiting for a bank transfer' },
  { value: 'processing', label: 'Processing (Stripe)' },
  { value: 'paid', label: 'Paid' },
  { value: 'failed', label: 'Failed' },
];

/** Payouts by status; run the due ones now; record manual bank transfers as paid or failed. */
export function PayoutsTab() {
  const [status, setStatus] = useState<Status | ''>('');
  const [message, setMessage] = useState<string | null>(null);
  const list = useLoad(() => must(api.GET('/api/v1/admin/payouts', { params: { query: status ? { status, limit: 100 } : { limit: 100 } } })), [status]);
  const run = useSubmit(() => must(api.POST('/api/v1/admin/payouts/run')), () =>
    setMessage('The payout run has started: what each helper and repository is owed above the minimum is paid out. Refresh to see the new payouts.'),
  );
  const changed = (text: string) => {
    setMessage(text);
    void list.reload();
  };
  return (
    <section aria-labelledby="payouts-heading">
      <h2 id="payouts-heading">Payouts</h2>
      <div className="row">
        <button type="button" onClick={() => run.submit()} disabled={run.busy}>
          {run.busy ? 'Starting…' : 'Run payouts now'}
        </button>
        <button type="button" className="secondary" onClick={() => void list.reload()} disabled={list.loading}>
          Refresh
        </button>
        <label htmlFor="payout-status">Status</label>
        <select id="payout-status" value={status} onChange={(event) => setStatus(event.target.value as Status | '')}>
          {STATUSES.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={run.error ?? list.error} />
      {message && <Notice tone="success">{message}</Notice>}
      <DataTable label="Payout list" rows={list.data?.items} rowKey={(payout) => payout.id} empty={`No payouts${status ? ' with this status' : ''}.`} columns={payoutColumns(changed)} />
    </section>
  );
}

type AdminPayout = Schemas['Payout'] & { payeeName: string | null };

const payeeOf = (payout: AdminPayout) => `${payout.payee.type === 'helper' ? 'Helper' : 'Repository'} ${payout.payeeName || payout.payee.id}`;

function payoutColumns(onChange: (message: string) => void): Column<AdminPayout>[] {
  return [
    {
      header: 'Payee',
      rowHeader: true,
      cell: (payout) => (
        <>
          {payeeOf(payout)}
          <div className="muted small">created {dateTime(payout.createdAt)}</div>
        </>
      ),
    },
    { header: 'Amount', cell: (payout) => money(payout.amount, payout.currency) },
    { header: 'Period', cell: (payout) => payout.period },
    { header: 'Method', cell: (payout) => (payout.method === 'manual' ? 'Bank transfer' : 'Stripe') },
    {
      header: 'Status',
      cell: (payout) => (
        <>
          <StatusBadge status={payout.status} />
          {payout.paidReference && <div className="muted small">ref. {payout.paidReference}</div>}
          {payout.failureReason && <div className="muted small">{payout.failureReason}</div>}
        </>
      ),
    },
    {
      header: 'Action',
      cell: (payout) =>
        payout.status === 'pending_manual' ? (
          <ManualSettlement payout={payout} label={`${payeeOf(payout)}, ${money(payout.amount, payout.currency)}`} onChange={onChange} />
        ) : (
          <span className="muted">{humanize(payout.status)}</span>
        ),
    },
  ];
}

/** A manual payout is settled by hand: paid (with the transfer's reference) or failed (reversed, owed again). */
function ManualSettlement({ payout, label, onChange }: { payout: Schemas['Payout']; label: string; onChange: (message: string) => void }) {
  const keys = useMemo(() => ({ paid: idempotencyKey(), failed: idempotencyKey() }), []);
  const [reference, setReference] = useState('');
  const [reason, setReason] = useState('');
  const path = { id: payout.id };
  const paid = useSubmit(
    () =>
      must(
        api.POST('/api/v1/admin/payouts/{id}/mark-paid', {
          params: { path, header: { 'idempotency-key': keys.paid } },
          body: reference.trim() ? { reference: reference.trim() } : {},
        }),
      ),
    () => onChange(`Marked ${label} as paid.`),
  );
  const failed = useSubmit(
    () => must(api.POST('/api/v1/admin/payouts/{id}/mark-failed', { params: { path, header: { 'idempotency-key': keys.failed } }, body: { reason: reason.trim() } })),
    () => onChange(`Marked ${label} as failed: the money is owed to the payee again.`),
  );
  const busy = paid.busy || failed.busy;
  return (
    <div className="stack">
      <label htmlFor={`reference-${payout.id}`} className="small">
        Transfer reference (optional)
      </label>
      <input id={`reference-${payout.id}`} value={reference} onChange={(event) => setReference(event.target.value)} />
      <button type="button" onClick={() => paid.submit()} disabled={busy}>
        Mark paid<span className="sr-only">: {label}</span>
      </button>
      <label htmlFor={`reason-${payout.id}`} className="small">
        Why it failed
      </label>
      <input id={`reason-${payout.id}`} value={reason} onChange={(event) => setReason(event.target.value)} />
      <button type="button" className="danger" onClick={() => failed.submit()} disabled={busy || !reason.trim()}>
        Mark failed<span className="sr-only">: {label}</span>
      </button>
      <ErrorMessage error={paid.error ?? failed.error} />
    </div>
  );
}
