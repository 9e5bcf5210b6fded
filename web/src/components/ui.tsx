import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { errorOf, type ApiError } from '../api/client.ts';
import { Link } from '../lib/router.tsx';

export function ErrorMessage({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      <p>{error.message}</p>
      {/* The API's message often names the fields already; the list is for when it does not. */}
      {error.details?.length && !error.details.every((detail) => error.message.includes(detail.message)) ? (
        <ul>
          {error.details.map((detail) => (
            <li key={detail.path + detail.message}>
              <code>{detail.path}</code>: {detail.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted" role="status" aria-live="polite" aria-busy="true">
      {label}
    </p>
  );
}

export function Notice({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

/** A form whose submit is async: disables while sending, shows the API's error next to it. */
export function useSubmit<T>(action: () => Promise<T>, onDone?: (result: T) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const result = await action();
      onDone?.(result);
    } catch (caught) {
      setError(caught && typeof caught === 'object' && 'message' in caught && 'code' in caught ? (caught as ApiError) : errorOf(caught));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit, setError };
}

const loadedPath = window.location.pathname;

/** Whether the page was loaded (not navigated to): the browser then starts focus at the top itself. */
let firstPage = true;

/** Sets the document title and, after a client-side navigation, moves focus to the heading for screen readers. */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Backline`;
    if (firstPage) firstPage = window.location.pathname === loadedPath;
    else ref.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function Badge({ children, tone = 'neutral' }: { children: ReactNode; tone?: 'neutral' | 'green' | 'blue' | 'orange' | 'red' | 'purple' }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

const STATUS_TONES: Record<string, 'neutral' | 'green' | 'blue' | 'orange' | 'red' | 'purple'> = {
  open: 'blue',
  claimed: 'purple',
  in_progress: 'purple',
  waiting_on_customer: 'orange',
  resolved: 'green',
  closed: 'neutral',
  cancelled: 'neutral',
  pending: 'orange',
  held: 'blue',
  authorized: 'blue',
  released: 'green',
  refunded: 'neutral',
  disputed: 'red',
  failed: 'red',
  expired: 'neutral',
  accepted: 'green',
  declined: 'neutral',
  withdrawn: 'neutral',
  paid: 'green',
  issued: 'orange',
  void: 'neutral',
  completed: 'green',
  processing: 'blue',
  pending_manual: 'orange',
  confirmed: 'blue',
};

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONES[status] ?? 'neutral'}>{status.replace(/_/g, ' ')}</Badge>;
}

/** A table that scrolls sideways on narrow screens; focusable and named so keyboard users can scroll it too. */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

/** One column of a DataTable: its header, and what each row shows in it. */
export type Column<T> = {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Right-aligned figures. */
  numeric?: boolean;
  /** The cell that names the row, read out before each of its other cells (a row header). */
  rowHeader?: boolean;
};

/**
 * A list as a table that scrolls on its own on a phone: column headers, a row per item, or the `empty`
 * text when there is none. Tables with rows of their own (totals, opening balances) write their markup.
 */
/** `rows` undefined: still loading (a page passes its load's data as it is, and the table says so). */
export function DataTable<T>({ label, caption, columns, rows, rowKey, empty }: { label: string; caption?: string; columns: Column<T>[]; rows: T[] | undefined; rowKey: (row: T) => string; empty?: ReactNode }) {
  if (!rows) return <Loading />;
  if (rows.length === 0 && empty) return <p className="muted">{empty}</p>;
  return (
    <TableWrap label={label}>
      <table>
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col" className={column.numeric ? 'num' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column, index) =>
                column.rowHeader ? (
                  <th key={index} scope="row" className={column.numeric ? 'num' : undefined}>
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={index} className={column.numeric ? 'num' : undefined}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** A labelled control: the label names the control by its id, the hint is read after it (aria-describedby={`${id}-hint`}). */
export function Field({ id, label, hint, grow, children }: { id: string; label: ReactNode; hint?: ReactNode; grow?: boolean; children: ReactNode }) {
  return (
    <div className={grow ? 'field grow' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p className="muted small hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A checkbox with its label beside it. */
export function Checkbox({ id, label, checked, onChange }: { id: string; label: ReactNode; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="radio" htmlFor={id}>
      <input id={id} type="checkbox" checked={checked} onChange={(event) => onChange(event.target.checked)} />
      {label}
    </label>
  );
}

/** A page's sections (the helper console, a repository's settings): links under the title, the current one marked. */
export function SubNav({ label, links }: { label: string; links: Array<{ href: string; text: string; current: boolean }> }) {
  return (
    <nav className="subnav" aria-label={label}>
      <ul>
        {links.map((link) => (
          <li key={link.href}>
            <Link href={link.href} aria-current={link.current ? 'page' : undefined}>
              {link.text}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
