import { useMemo, useState } from 'react';
import { api, idempotencyKey, must, type Schemas } from '../../api/client.ts';
import { type Column, DataTable, ErrorMessage, Notice, StatusBadge, useSubmit } from '../../components/ui.tsx';
import { dateTime, money, toMinorUnits } from '../../lib/format.ts';
import { Link } from '../../lib/router.tsx';
import { useLoad } from '../../lib/useLoad.ts';

type Disputed = { payment: Schemas['Payment']; ticket: { id: string; title: string; repo: string } | null };

/** Disputed payments: the open ones to decide (release to the helper or refund), or the settled ones. */
export function DisputesTab() {
  const [status, setStatus] = useState<'open' | 'closed'>('open');
  const [settled, setSettled] = useState<string | null>(null);
  const list = useLoad(() => must(api.GET('/api/v1/admin/disputes', { params: { query: { status } } })), [status]);
  return (
    <section aria-labelledby="disputes-heading">
      <h2 id="disputes-heading">Disputes</h2>
      <div className="row">
        <label htmlFor="dispute-status">Show</label>
        <select id="dispute-status" value={status} onChange={(event) => setStatus(event.target.value as 'open' | 'closed')}>
          <option value="open">Open: to decide</option>
          <option value="closed">Settled</option>
        </select>
      </div>
      {settled && <Notice tone="success">{settled}</Notice>}
      <ErrorMessage error={list.error} />
      <DataTable
        label="Disputed payments"
        rows={list.data?.items}
        rowKey={(item) => item.payment.id}
        empty={status === 'open' ? 'No dispute is waiting for a decision.' : 'No dispute has been settled yet.'}
        columns={disputeColumns(status === 'open', (message) => {
          setSettled(message);
          void list.reload();
        })}
      />
    </section>
  );
}

/** The dispute's current case: the open one, else the last. */
const disputeOf = (payment: Schemas['Payment']) => payment.disputes.find((candidate) => candidate.status === 'open') ?? payment.disputes.at(-1);

function disputeColumns(decidable: boolean, onSettled: (message: string) => void): Column<Disputed>[] {
  const columns: Column<Disputed>[] = [
    {
      header: 'Ticket',
      rowHeader: true,
      cell: ({ payment, ticket }) => (
        <>
          {ticket ? <Link href={`/portal/tickets/${ticket.id}`}>{ticket.title}</Link> : payment.description}
          {ticket && <div className="muted small">{ticket.repo}</div>}
        </>
      ),
    },
    {
      header: 'Amount',
      cell: ({ payment }) => (
        <>
          {money(payment.amount, payment.currency)}
          {payment.refundedAmount > 0 && <div className="muted small">refunded {money(payment.refundedAmount, payment.currency)}</div>}
        </>
      ),
    },
    { header: 'Status', cell: ({ payment }) => <StatusBadge status={payment.status} /> },
    {
      header: 'Dispute',
      cell: ({ payment }) => {
        const dispute = disputeOf(payment);
        return (
          dispute && (
            <>
              <p className="small">{dispute.reason}</p>
              <p className="muted small">
                {dispute.source === 'provider' ? 'Chargeback' : 'By the customer'} · opened {dateTime(dispute.openedAt)}
                {dispute.status !== 'open' && ` · ${dispute.status}`}
              </p>
            </>
          )
        );
      },
    },
  ];
  if (!decidable) return columns;
  return [
    ...columns,
    {
      header: 'Decision',
      cell: ({ payment, ticket }) =>
        payment.disputes.some((candidate) => candidate.status === 'open' && candidate.source === 'customer') ? (
          <Decision payment={payment} what={ticket ? ticket.title : payment.description} onSettled={onSettled} />
        ) : (
          <span className="muted small">The card network decides this chargeback.</span>
        ),
    },
  ];
}

/** Release everything to the helper, or refund all or part (the rest is released). One key per decision on this page. */
function Decision({ payment, what, onSettled }: { payment: Schemas['Payment']; what: string; onSettled: (message: string) => void }) {
  // A retried click is the same decision; a failed attempt stores nothing, so the key survives it.
  const keys = useMemo(() => ({ release: idempotencyKey(), refund: idempotencyKey() }), []);
  const [typed, setTyped] = useState('');
  const fieldId = `refund-${payment.id}`;
  const resolve = (body: { outcome: 'release' | 'refund'; amount?: number }) =>
    must(api.POST('/api/v1/admin/payments/{id}/dispute-resolution', { params: { path: { id: payment.id }, header: { 'idempotency-key': keys[body.outcome] } }, body }));
  const release = useSubmit(() => resolve({ outcome: 'release' }), () => onSettled(`Released the payment for “${what}” to the helper.`));
  const refund = useSubmit(
    async () => {
      const amount = typed.trim() ? toMinorUnits(typed, payment.currency) : undefined;
      if (amount === null) throw { code: 'invalid_amount', message: `Enter the refund as an amount in ${payment.currency}, such as 25.00, or leave it empty to refund everything.` };
      return resolve(amount === undefined ? { outcome: 'refund' } : { outcome: 'refund', amount });
    },
    () => onSettled(`Refunded ${typed.trim() ? typed.trim() + ' ' + payment.currency : 'the whole payment'} for “${what}”.`),
  );
  const busy = release.busy || refund.busy;
  return (
    <div className="stack">
      <button type="button" onClick={() => release.submit()} disabled={busy}>
        Release to helper<span className="sr-only">: {what}</span>
      </button>
      <label htmlFor={fieldId} className="small">
        Refund amount in {payment.currency} (empty: all)
      </label>
      <input id={fieldId} inputMode="decimal" value={typed} onChange={(event) => setTyped(event.target.value)} />
      <button type="button" className="danger" onClick={() => refund.submit()} disabled={busy}>
        Refund<span className="sr-only">: {what}</span>
      </button>
      <ErrorMessage error={release.error ?? refund.error} />
    </div>
  );
}
