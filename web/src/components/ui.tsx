import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { errorOf, type ApiError } from '../api/client.ts';

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
    <p className="muted" role="status" aria-live="polite">
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
