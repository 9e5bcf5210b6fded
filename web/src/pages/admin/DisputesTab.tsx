import { useMemo, useState } from 'react';
import { api, idempotencyKey, must, type Schemas } from '../../api/client.ts';
import { ErrorMessage, Loading, Notice, StatusBadge, TableWrap, useSubmit } from '../../components/ui.tsx';
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
      {!list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <p className="muted">{status === 'open' ? 'No dispute is waiting for a decision.' : 'No dispute has been settled yet.'}</p>
      ) : (
        <TableWrap label="Disputed payments">
          <table>
            <thead>
              <tr>
                <th scope="col">Ticket</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Dispute</th>
                {status === 'open' && <th scope="col">Decision</th>}
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((item) => (
                <DisputeRow
                  key={item.payment.id}
                  item={item}
                  decidable={status === 'open'}
                  onSettled={(message) => {
                    setSettled(message);
                    void list.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function DisputeRow({ item, decidable, onSettled }: { item: Disputed; decidable: boolean; onSettled: (message: string) => void }) {
  const { payment, ticket } = item;
  const dispute = payment.disputes.find((candidate) => candidate.status === 'open') ?? payment.disputes.at(-1);
  const customerDispute = payment.disputes.some((candidate) => candidate.status === 'open' && candidate.source === 'customer');
  const what = ticket ? ticket.title : payment.description;
  return (
    <tr>
      <th scope="row">
        {ticket ? <Link href={`/portal/tickets/${ticket.id}`}>{ticket.title}</Link> : payment.description}
        {ticket && <div className="muted small">{ticket.repo}</div>}
      </th>
      <td>
        {money(payment.amount, payment.currency)}
        {payment.refundedAmount > 0 && <div className="muted small">refunded {money(payment.refundedAmount, payment.currency)}</div>}
      </td>
      <td>
        <StatusBadge status={payment.status} />
      </td>
      <td>
        {dispute && (
          <>
            <p className="small">{dispute.reason}</p>
            <p className="muted small">
              {dispute.source === 'provider' ? 'Chargeback' : 'By the customer'} · opened {dateTime(dispute.openedAt)}
              {dispute.status !== 'open' && ` · ${dispute.status}`}
            </p>
          </>
        )}
      </td>
      {decidable && (
        <td>{customerDispute ? <Decision payment={payment} what={what} onSettled={onSettled} /> : <span className="muted small">The card network decides this chargeback.</span>}</td>
      )}
    </tr>
  );
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
