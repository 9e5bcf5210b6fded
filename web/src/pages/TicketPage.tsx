import { useMemo, useState } from 'react';
import { api, idempotencyKey, must, type Schemas } from '../api/client.ts';
import { ClaimButton } from '../components/ClaimButton.tsx';
import { HelperPanel } from '../components/HelperPanel.tsx';
import { RequireSignIn } from '../components/RequireSignIn.tsx';
import { TicketBookings } from '../components/TicketBookings.tsx';
import { Badge, ErrorMessage, Loading, Notice, PageTitle, StatusBadge, useSubmit } from '../components/ui.tsx';
import { dateTime, humanize, minutes, money } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useLoad } from '../lib/useLoad.ts';

/** `from`: where the page was opened from, for the way back (the customer portal or the helper console). */
export function TicketPage({ id, from = 'portal' }: { id: string; from?: 'portal' | 'console' }) {
  return (
    <RequireSignIn>
      <Ticket id={id} from={from} />
    </RequireSignIn>
  );
}

const byId = { params: { path: { id: '' } } };
const withId = (id: string) => ({ params: { path: { id } } }) as typeof byId;

/**
 * A ticket with everything the customer acts on (the conversation, quotes, payments, time, invoices) and,
 * for its assigned helper, the work on it: internal notes, quotes, time, resolution.
 */
function Ticket({ id, from }: { id: string; from: 'portal' | 'console' }) {
  const { me } = useSession();
  const view = useLoad(async () => {
    const [ticket, messages, quotes, payments, time] = await Promise.all([
      must(api.GET('/api/v1/tickets/{id}', withId(id))),
      must(api.GET('/api/v1/tickets/{id}/messages', { params: { path: { id }, query: { limit: 100 } } })),
      must(api.GET('/api/v1/tickets/{id}/quotes', withId(id))).catch(() => ({ items: [] as Schemas['Quote'][] })),
      must(api.GET('/api/v1/tickets/{id}/payments', withId(id))).catch(() => ({ items: [] as Schemas['Payment'][] })),
      must(api.GET('/api/v1/tickets/{id}/time-entries', withId(id))).catch(() => ({ items: [] as Schemas['TimeEntry'][] })),
    ]);
    return { ticket, messages: messages.items, quotes: quotes.items, payments: payments.items, time: time.items };
  }, [id]);

  if (view.error && !view.data) {
    return (
      <section>
        <PageTitle title="Ticket">Ticket</PageTitle>
        <ErrorMessage error={view.error} />
      </section>
    );
  }
  if (!view.data) return <Loading />;
  const { ticket, messages, quotes, payments, time } = view.data;
  const mine = me?.id === ticket.requester.id;
  const assigned = !!me && me.id === ticket.assignee?.id;
  const helpsHere = !!me?.helps.some((help) => help.repo === ticket.repo && help.status === 'approved');
  // Who may write internal notes, as the API decides it (its `note` rule): the repository's team.
  const team = assigned || helpsHere || !!me?.maintains.some((maintained) => maintained.repo === ticket.repo);
  const reload = () => void view.reload();

  return (
    <article>
      <p className="muted small">
        {from === 'console' ? <Link href="/console">Helper console</Link> : <Link href="/portal">My tickets</Link>} / <Link href={`/s/${ticket.repo}`}>{ticket.repo}</Link>
      </p>
      <PageTitle title={ticket.title}>{ticket.title}</PageTitle>
      <p className="row">
        <StatusBadge status={ticket.status} />
        <span className="muted">
          {ticket.track === 'expert' ? 'Expert help' : ticket.track === 'ai' ? 'AI' : 'Community'} · {humanize(ticket.priority)} priority · opened {dateTime(ticket.createdAt)}
          {ticket.assignee ? ` · helped by ${assigned ? 'you' : ticket.assignee.displayName}` : ''}
        </span>
        {helpsHere && ticket.track === 'expert' && ticket.status === 'open' && !ticket.assignee && <ClaimButton ticket={ticket} onClaimed={reload} />}
      </p>
      {ticket.versionSupport && ticket.versionSupport.status === 'unsupported' && (
        <Notice tone="warning">Version {ticket.version} is no longer supported. {ticket.versionSupport.upgradePath}</Notice>
      )}
      <div className="grid-2">
        <div>
          <section aria-labelledby="conversation-heading">
            <h2 id="conversation-heading">Conversation</h2>
            <ol className="conversation">
              <li className={`message${mine ? ' mine' : ''}`}>
                <p className="message-meta">
                  {ticket.requester.displayName} · {dateTime(ticket.createdAt)}
                </p>
                <div className="markdown" dangerouslySetInnerHTML={{ __html: ticket.bodyHtml }} />
              </li>
              {messages.map((message) => (
                <li key={message.id} className={`message${message.author.id === me?.id ? ' mine' : ''}${message.internal ? ' internal' : ''}`}>
                  <p className="message-meta">
                    {message.author.displayName} · {dateTime(message.createdAt)}
                    {message.internal && (
                      <>
                        {' '}
                        <Badge tone="orange">internal note</Badge>
                      </>
                    )}
                  </p>
                  {/* Rendered by the server from Markdown with raw HTML escaped and unsafe links dropped. */}
                  <div className="markdown" dangerouslySetInnerHTML={{ __html: message.bodyHtml }} />
                </li>
              ))}
            </ol>
            {ticket.resolutionSummary && (
              <Notice tone="success">
                <strong>Resolved:</strong> {ticket.resolutionSummary}
              </Notice>
            )}
            {!['closed', 'cancelled'].includes(ticket.status) && <Reply ticketId={ticket.id} canNote={team} onSent={reload} />}
          </section>
          {assigned && <HelperPanel ticket={ticket} onChange={reload} />}
          {mine && <Decisions ticket={ticket} onChange={reload} />}
        </div>
        <aside aria-label="Quotes, payments and time">
          <TicketBookings ticketId={ticket.id} />
          <Quotes quotes={quotes} canDecide={mine} userId={me?.id} onChange={reload} />
          <Payments payments={payments} forCustomer={mine} />
          <TimeLogged entries={time} />
        </aside>
      </div>
    </article>
  );
}

/** A reply to the customer; the repository's team (`canNote`) may instead add a note the customer never sees. */
function Reply({ ticketId, canNote, onSent }: { ticketId: string; canNote: boolean; onSent: () => void }) {
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const { busy, error, submit } = useSubmit(
    () => must(api.POST('/api/v1/tickets/{id}/messages', { params: { path: { id: ticketId } }, body: { body, channel: 'web', internal: canNote && internal } })),
    () => {
      setBody('');
      onSent();
    },
  );
  return (
    <form className="stack reply" onSubmit={submit}>
      <label htmlFor="reply">{internal ? 'Internal note (Markdown)' : 'Reply (Markdown)'}</label>
      <textarea id="reply" value={body} onChange={(event) => setBody(event.target.value)} />
      {canNote && (
        <label className="radio">
          <input type="checkbox" checked={internal} onChange={(event) => setInternal(event.target.checked)} />
          Internal note: only the repository's maintainers and helpers see it
        </label>
      )}
      <ErrorMessage error={error} />
      <button type="submit" disabled={busy || !body.trim()}>
        {busy ? 'Sending…' : internal ? 'Add note' : 'Send reply'}
      </button>
    </form>
  );
}

/** Accepting a quote creates the payment; the customer goes straight to its checkout. */
function Quotes({ quotes, canDecide, userId, onChange }: { quotes: Schemas['Quote'][]; canDecide: boolean; userId: string | undefined; onChange: () => void }) {
  if (!quotes.length) return null;
  return (
    <section aria-labelledby="quotes-heading">
      <h2 id="quotes-heading">Quotes</h2>
      <ul className="plain-list">
        {quotes.map((quote) => (
          <QuoteCard key={quote.id} quote={quote} canDecide={canDecide} canWithdraw={quote.helperId === userId} onChange={onChange} />
        ))}
      </ul>
    </section>
  );
}

function QuoteCard({ quote, canDecide, canWithdraw, onChange }: { quote: Schemas['Quote']; canDecide: boolean; canWithdraw: boolean; onChange: () => void }) {
  // One key per quote on this page: a retried click is the same acceptance, never a second payment.
  const key = useMemo(() => idempotencyKey(), []);
  const accept = useSubmit(
    () => must(api.POST('/api/v1/quotes/{id}/accept', { params: { path: { id: quote.id }, header: { 'idempotency-key': key } } })),
    (result) => {
      if (result.payment.url) window.location.assign(result.payment.url);
      else onChange();
    },
  );
  const decline = useSubmit(() => must(api.POST('/api/v1/quotes/{id}/decline', { params: { path: { id: quote.id } } })), onChange);
  const withdraw = useSubmit(() => must(api.POST('/api/v1/quotes/{id}/withdraw', { params: { path: { id: quote.id } } })), onChange);
  return (
    <li className="card">
      <p className="price">{money(quote.amount, quote.currency)}</p>
      <p>{quote.description}</p>
      <p className="muted small">
        About {minutes(quote.estimatedMinutes)} · <StatusBadge status={quote.status} />
        {quote.status === 'pending' ? ` · valid until ${dateTime(quote.expiresAt)}` : ''}
      </p>
      <ErrorMessage error={accept.error ?? decline.error ?? withdraw.error} />
      {canDecide && quote.status === 'pending' && (
        <p className="row">
          <button type="button" onClick={() => accept.submit()} disabled={accept.busy}>
            {accept.busy ? 'Accepting…' : 'Accept and pay'}
          </button>
          <button type="button" className="secondary" onClick={() => decline.submit()} disabled={decline.busy}>
            Decline
          </button>
        </p>
      )}
      {canWithdraw && quote.status === 'pending' && (
        <p>
          <button type="button" className="secondary" onClick={() => withdraw.submit()} disabled={withdraw.busy}>
            Withdraw quote
          </button>
        </p>
      )}
    </li>
  );
}

/** The customer reads what they can do about held money; the helper reads when it reaches them. */
function Payments({ payments, forCustomer }: { payments: Schemas['Payment'][]; forCustomer: boolean }) {
  if (!payments.length) return null;
  return (
    <section aria-labelledby="payments-heading">
      <h2 id="payments-heading">Payments</h2>
      <ul className="plain-list">
        {payments.map((payment) => (
          <li key={payment.id} className="card">
            <p className="row">
              <strong>{money(payment.amount, payment.currency)}</strong> <StatusBadge status={payment.status} />
            </p>
            <p className="small">{payment.description}</p>
            {payment.status === 'held' && payment.releaseDueAt && (
              <p className="muted small">
                Held in escrow; released to the helper on {dateTime(payment.releaseDueAt)} unless {forCustomer ? 'you dispute' : 'the customer disputes'}.
              </p>
            )}
            {payment.status === 'held' && !payment.releaseDueAt && (
              <p className="muted small">Held in escrow until {forCustomer ? 'you confirm' : 'the customer confirms'} the work is done.</p>
            )}
            {payment.refundedAmount > 0 && <p className="small">Refunded {money(payment.refundedAmount, payment.currency)}</p>}
            <p className="row small">
              {forCustomer && payment.status === 'pending' && payment.url && (
                <a className="button" href={payment.url}>
                  Pay now
                </a>
              )}
              {payment.invoiceId && (
                <a href={`/api/v1/invoices/${payment.invoiceId}.pdf`} download>
                  Download invoice (PDF)
                </a>
              )}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}

function TimeLogged({ entries }: { entries: Schemas['TimeEntry'][] }) {
  if (!entries.length) return null;
  const total = entries.reduce((sum, entry) => sum + entry.minutes, 0);
  return (
    <section aria-labelledby="time-heading">
      <h2 id="time-heading">Time logged</h2>
      <ul className="plain-list small">
        {entries.map((entry) => (
          <li key={entry.id}>
            <strong>{minutes(entry.minutes)}</strong> · {dateTime(entry.createdAt)}
            {entry.note && <div className="muted">{entry.note}</div>}
          </li>
        ))}
      </ul>
      <p>
        <strong>Total: {minutes(total)}</strong>
      </p>
    </section>
  );
}

/** What the requester decides once help was given: confirm (closes, releases the money), reopen, rate. */
function Decisions({ ticket, onChange }: { ticket: Schemas['Ticket']; onChange: () => void }) {
  const [score, setScore] = useState(5);
  const [comment, setComment] = useState('');
  const confirm = useSubmit(() => must(api.POST('/api/v1/tickets/{id}/confirm', withId(ticket.id))), onChange);
  const reopen = useSubmit(() => must(api.POST('/api/v1/tickets/{id}/reopen', { params: { path: { id: ticket.id } }, body: {} })), onChange);
  const cancel = useSubmit(() => must(api.POST('/api/v1/tickets/{id}/cancel', { params: { path: { id: ticket.id } }, body: {} })), onChange);
  const rate = useSubmit(() => must(api.POST('/api/v1/tickets/{id}/rating', { params: { path: { id: ticket.id } }, body: { score, comment } })), onChange);
  const resolved = ticket.status === 'resolved';
  const finished = resolved || ticket.status === 'closed';
  return (
    <section aria-labelledby="decide-heading">
      <h2 id="decide-heading">Your decision</h2>
      <ErrorMessage error={confirm.error ?? reopen.error ?? cancel.error ?? rate.error} />
      <p className="row">
        {resolved && (
          <button type="button" onClick={() => confirm.submit()} disabled={confirm.busy}>
            Confirm it is solved
          </button>
        )}
        {finished && (
          <button type="button" className="secondary" onClick={() => reopen.submit()} disabled={reopen.busy}>
            Reopen
          </button>
        )}
        {!finished && ticket.status !== 'cancelled' && (
          <button type="button" className="danger" onClick={() => cancel.submit()} disabled={cancel.busy}>
            Withdraw ticket
          </button>
        )}
      </p>
      {finished && !ticket.rating && (
        <form className="card stack" onSubmit={rate.submit}>
          <fieldset>
            <legend>How was the help?</legend>
            <div className="row">
              {[1, 2, 3, 4, 5].map((value) => (
                <label key={value} className="radio">
                  <input type="radio" name="score" value={value} checked={score === value} onChange={() => setScore(value)} />
                  {value} {value === 1 ? 'star' : 'stars'}
                </label>
              ))}
            </div>
          </fieldset>
          <label htmlFor="rating-comment">Comment (optional)</label>
          <textarea id="rating-comment" value={comment} onChange={(event) => setComment(event.target.value)} />
          <button type="submit" disabled={rate.busy}>
            Send rating
          </button>
        </form>
      )}
      {ticket.rating && (
        <p>
          You rated this {ticket.rating.score}/5{ticket.rating.comment ? `: “${ticket.rating.comment}”` : ''}.
        </p>
      )}
    </section>
  );
}
