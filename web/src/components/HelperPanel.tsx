import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { toMinorUnits } from '../lib/format.ts';
import { ErrorMessage, Notice, useSubmit } from './ui.tsx';

/** What the assigned helper does on a ticket besides replying: quote, log time, resolve. */
export function HelperPanel({ ticket, onChange }: { ticket: Schemas['Ticket']; onChange: () => void }) {
  const finished = ['resolved', 'closed', 'cancelled'].includes(ticket.status);
  return (
    <section className="stack" aria-labelledby="helper-heading">
      <h2 id="helper-heading">Your work on this ticket</h2>
      {!finished && <QuoteForm ticketId={ticket.id} onSent={onChange} />}
      {ticket.status !== 'closed' && ticket.status !== 'cancelled' && <TimeForm ticketId={ticket.id} onLogged={onChange} />}
      {!finished && <ResolveForm ticketId={ticket.id} onResolved={onChange} />}
    </section>
  );
}

/** A form error of the page's own (a field the API never sees in that shape), in the API's error shape. */
const invalid = (message: string) => ({ code: 'invalid_input', message });

/** The end of a local calendar day, as the instant the API expects. */
const endOfDay = (day: string) => new Date(`${day}T23:59:00`).toISOString();

function QuoteForm({ ticketId, onSent }: { ticketId: string; onSent: () => void }) {
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [description, setDescription] = useState('');
  const [estimate, setEstimate] = useState('60');
  const [validUntil, setValidUntil] = useState('');
  const [sent, setSent] = useState(false);
  const send = useSubmit(
    () => {
      const code = currency.trim().toUpperCase();
      const minor = toMinorUnits(amount, code);
      if (minor === null || minor <= 0) throw invalid(`Amount: write a positive amount of ${code || 'the currency'}, such as 120.00.`);
      const body = { amount: minor, currency: code, description, estimatedMinutes: Number(estimate), ...(validUntil ? { expiresAt: endOfDay(validUntil) } : {}) };
      return must(api.POST('/api/v1/tickets/{id}/quotes', { params: { path: { id: ticketId } }, body }));
    },
    () => {
      setSent(true);
      setAmount('');
      setDescription('');
      onSent();
    },
  );
  return (
    <form className="card stack" aria-labelledby="quote-heading" onSubmit={send.submit}>
      <h3 id="quote-heading">Send a quote</h3>
      <div className="row">
        <div className="field grow">
          <label htmlFor="quote-amount">Amount</label>
          <input id="quote-amount" inputMode="decimal" value={amount} onChange={(event) => setAmount(event.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="quote-currency">Currency</label>
          <input id="quote-currency" value={currency} onChange={(event) => setCurrency(event.target.value)} maxLength={3} size={4} required />
        </div>
      </div>
      <label htmlFor="quote-description">What the price covers</label>
      <textarea id="quote-description" value={description} onChange={(event) => setDescription(event.target.value)} required />
      <div className="row">
        <div className="field">
          <label htmlFor="quote-estimate">Estimated minutes</label>
          <input id="quote-estimate" type="number" min={1} value={estimate} onChange={(event) => setEstimate(event.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="quote-expiry">Valid until (optional)</label>
          <input id="quote-expiry" type="date" value={validUntil} onChange={(event) => setValidUntil(event.target.value)} />
        </div>
      </div>
      <ErrorMessage error={send.error} />
      {sent && !send.error && <Notice tone="success">Quote sent; the customer accepts and pays it on the ticket.</Notice>}
      <button type="submit" disabled={send.busy}>
        {send.busy ? 'Sending…' : 'Send quote'}
      </button>
    </form>
  );
}

function TimeForm({ ticketId, onLogged }: { ticketId: string; onLogged: () => void }) {
  const [minutes, setMinutes] = useState('');
  const [note, setNote] = useState('');
  const log = useSubmit(
    () => must(api.POST('/api/v1/tickets/{id}/time-entries', { params: { path: { id: ticketId } }, body: { minutes: Number(minutes), note } })),
    () => {
      setMinutes('');
      setNote('');
      onLogged();
    },
  );
  return (
    <form className="card stack" aria-labelledby="time-form-heading" onSubmit={log.submit}>
      <h3 id="time-form-heading">Log time</h3>
      <label htmlFor="time-minutes">Minutes</label>
      <input id="time-minutes" type="number" min={1} value={minutes} onChange={(event) => setMinutes(event.target.value)} required />
      <label htmlFor="time-note">What you did (optional)</label>
      <input id="time-note" value={note} onChange={(event) => setNote(event.target.value)} />
      <ErrorMessage error={log.error} />
      <button type="submit" disabled={log.busy}>
        Log time
      </button>
    </form>
  );
}

function ResolveForm({ ticketId, onResolved }: { ticketId: string; onResolved: () => void }) {
  const [summary, setSummary] = useState('');
  const resolve = useSubmit(() => must(api.POST('/api/v1/tickets/{id}/resolve', { params: { path: { id: ticketId } }, body: { summary } })), onResolved);
  return (
    <form className="card stack" aria-labelledby="resolve-heading" onSubmit={resolve.submit}>
      <h3 id="resolve-heading">Mark as resolved</h3>
      <label htmlFor="resolve-summary">What solved it (the customer reads this)</label>
      <textarea id="resolve-summary" value={summary} onChange={(event) => setSummary(event.target.value)} required />
      <ErrorMessage error={resolve.error} />
      <button type="submit" disabled={resolve.busy}>
        Resolve
      </button>
    </form>
  );
}
