import type { Schemas } from '../api/client.ts';
import { dateTime, duration } from '../lib/format.ts';
import { slaState } from '../lib/sla.ts';
import { Badge } from './ui.tsx';

/** "First response due in 2 h", or an "Overdue by 15 min" badge: said in words, the colour only repeats it. */
export function SlaDue({ ticket, now }: { ticket: Schemas['Ticket']; now: number }) {
  const state = slaState(ticket, now);
  if (state.kind === 'none') return <span className="muted">No SLA</span>;
  if (state.kind === 'paused') return <span className="muted">SLA paused (waiting on the customer)</span>;
  const left = Date.parse(state.at) - now;
  return (
    <span title={`${state.target} due ${dateTime(state.at)}`}>
      {state.overdue ? <Badge tone="red">{`Overdue by ${duration(left)}`}</Badge> : `Due in ${duration(left)}`}
      <span className="muted small"> · {state.target}</span>
    </span>
  );
}
