import { useRef, useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { Badge, ErrorMessage, Field, TableWrap, useSubmit } from '../../components/ui.tsx';
import { humanize } from '../../lib/format.ts';
import { CalendarList, type Calendar } from './CalendarSettings.tsx';
import { repoPath, type Repo, FormFooter } from './common.tsx';

type Policy = Schemas['SlaPolicy'];
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const TARGETS = [
  ['firstResponse', 'First response'],
  ['nextResponse', 'Next response'],
  ['resolution', 'Resolution'],
] as const;

type Changed = (message: string) => void;

/** The targets a policy has, as the form's fields ("urgent.firstResponse" → "60"). */
const typedTargets = (policy?: Policy) =>
  Object.fromEntries(
    PRIORITIES.flatMap((priority) => TARGETS.filter(([kind]) => policy?.targets[priority][kind] != null).map(([kind]) => [`${priority}.${kind}`, String(policy!.targets[priority][kind])])),
  ) as Record<string, string>;

/** Creates a policy or edits one: targets in minutes per priority; empty fields are no target. */
export function PolicyForm({ repo, calendars, policy, onChanged, onCancel }: { repo: Repo; calendars: Calendar[]; policy?: Policy; onChanged: Changed; onCancel?: () => void }) {
  const [name, setName] = useState(policy?.name ?? '');
  const [calendarId, setCalendarId] = useState(policy?.calendarId ?? '');
  const [targets, setTargets] = useState<Record<string, string>>(() => typedTargets(policy));
  const prefix = policy ? `policy-${policy.id}` : 'policy';
  const save = useSubmit(
    () => {
      const body = {
        name,
        calendarId: calendarId || null,
        targets: Object.fromEntries(
          PRIORITIES.map((priority) => [
            priority,
            Object.fromEntries(TARGETS.filter(([kind]) => targets[`${priority}.${kind}`]).map(([kind]) => [kind, Number(targets[`${priority}.${kind}`])])),
          ]),
        ),
      };
      if (policy) return must(api.PATCH('/api/v1/repos/{owner}/{name}/sla-policies/{policyId}', { params: { path: { ...repoPath(repo), policyId: policy.id } }, body }));
      return must(api.POST('/api/v1/repos/{owner}/{name}/sla-policies', { params: { path: repoPath(repo) }, body }));
    },
    (saved) => onChanged(policy ? `SLA policy ${saved.name} saved.` : `SLA policy ${saved.name} created.`),
  );
  return (
    <form className="settings-form card" onSubmit={save.submit} aria-labelledby={`${prefix}-heading`}>
      <h4 id={`${prefix}-heading`} className="wide">
        {policy ? `Edit SLA policy ${policy.name}` : 'New SLA policy'}
      </h4>
      <Field id={`${prefix}-name`} label="Name">
        <input id={`${prefix}-name`} value={name} onChange={(event) => setName(event.target.value)} />
      </Field>
      <Field id={`${prefix}-calendar`} label="Measured in">
        <select id={`${prefix}-calendar`} value={calendarId} onChange={(event) => setCalendarId(event.target.value)}>
          <option value="">Around the clock</option>
          {calendars.map((calendar) => (
            <option key={calendar.id} value={calendar.id}>
              Business hours: {calendar.name}
            </option>
          ))}
        </select>
      </Field>
      <div className="wide">
        <TableWrap label="Targets in minutes">
          <table className="targets">
            <caption>Targets in minutes (leave empty for none)</caption>
            <thead>
              <tr>
                <th scope="col">Priority</th>
                {TARGETS.map(([kind, label]) => (
                  <th scope="col" key={kind}>
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {PRIORITIES.map((priority) => (
                <tr key={priority}>
                  <th scope="row">{priority}</th>
                  {TARGETS.map(([kind, label]) => (
                    <td key={kind}>
                      <input
                        type="number"
                        step="1"
                        aria-label={`${label} target for ${priority} tickets, minutes`}
                        value={targets[`${priority}.${kind}`] ?? ''}
                        onChange={(event) => setTargets({ ...targets, [`${priority}.${kind}`]: event.target.value })}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </div>
      <FormFooter busy={save.busy} label={policy ? 'Save SLA policy' : 'Create SLA policy'} onCancel={onCancel} error={save.error} />
    </form>
  );
}

const summary = (policy: Policy) =>
  PRIORITIES.flatMap((priority) =>
    TARGETS.filter(([kind]) => policy.targets[priority][kind] !== null).map(([kind, label]) => `${priority} ${label.toLowerCase()} ${policy.targets[priority][kind]} min`),
  ).join(', ');

/** The calendars and policies, with the policy expert tickets get by default; each edited in place or deleted. */
export function SlaLists({ repo, calendars, policies, onChanged }: { repo: Repo; calendars: Calendar[]; policies: Policy[]; onChanged: Changed }) {
  // The policy whose button was pressed, read by the one submit the buttons share.
  const chosen = useRef<string | null>(null);
  const setDefault = useSubmit(
    () => must(api.PUT('/api/v1/repos/{owner}/{name}/sla-policies/default', { params: { path: repoPath(repo) }, body: { policyId: chosen.current } })),
    () => onChanged(chosen.current ? 'Default SLA policy set.' : 'Expert tickets get no SLA by default now.'),
  );
  const removing = useRef<Policy | null>(null);
  const remove = useSubmit(
    () => must(api.DELETE('/api/v1/repos/{owner}/{name}/sla-policies/{policyId}', { params: { path: { ...repoPath(repo), policyId: removing.current!.id } } })),
    () => onChanged(`SLA policy ${removing.current!.name} deleted.`),
  );
  const [editing, setEditing] = useState<string | null>(null);
  const changed = (message: string) => {
    setEditing(null);
    onChanged(message);
  };
  return (
    <>
      <h3>Business-hours calendars</h3>
      <CalendarList repo={repo} calendars={calendars} onChanged={onChanged} />
      <h3>SLA policies</h3>
      {policies.length ? (
        <ul className="plain-list">
          {policies.map((policy) =>
            editing === policy.id ? (
              <li key={policy.id}>
                <PolicyForm repo={repo} calendars={calendars} policy={policy} onChanged={changed} onCancel={() => setEditing(null)} />
              </li>
            ) : (
              <li key={policy.id} className="card">
                <h4>
                  {policy.name} {policy.isDefault && <Badge tone="green">default for expert tickets</Badge>}
                </h4>
                <p className="small">
                  {humanize(policy.measuredIn)}
                  {policy.calendarId ? ` (${calendars.find((calendar) => calendar.id === policy.calendarId)?.name ?? 'calendar'})` : ''}: {summary(policy)}
                </p>
                <div className="actions">
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => {
                      chosen.current = policy.isDefault ? null : policy.id;
                      void setDefault.submit();
                    }}
                  >
                    {policy.isDefault ? `Stop using ${policy.name} by default` : `Use ${policy.name} by default`}
                  </button>
                  <button type="button" className="secondary" onClick={() => setEditing(policy.id)}>
                    Edit SLA policy {policy.name}
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={remove.busy}
                    onClick={() => {
                      removing.current = policy;
                      void remove.submit();
                    }}
                  >
                    Delete SLA policy {policy.name}
                  </button>
                </div>
              </li>
            ),
          )}
        </ul>
      ) : (
        <p className="muted">No SLA policy yet; a plan needs one.</p>
      )}
      <ErrorMessage error={setDefault.error} />
      <ErrorMessage error={remove.error} />
    </>
  );
}
