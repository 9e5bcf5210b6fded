import { useRef, useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { ErrorMessage, Field, StatusBadge, useSubmit } from '../../components/ui.tsx';
import { date } from '../../lib/format.ts';
import { repoPath, type SectionProps, SectionStatus, useSectionData } from './common.tsx';

type Helper = Schemas['Helper'];
type Decision = 'approve' | 'reject' | 'remove';

const DECISION_LABELS: Record<Decision, string> = { approve: 'Approve', reject: 'Reject', remove: 'Remove' };
const DECIDED: Record<Decision, string> = { approve: 'approved', reject: 'rejected', remove: 'removed' };
const DECISION_PATHS = {
  approve: '/api/v1/repos/{owner}/{name}/helpers/{userId}/approve',
  reject: '/api/v1/repos/{owner}/{name}/helpers/{userId}/reject',
  remove: '/api/v1/repos/{owner}/{name}/helpers/{userId}/remove',
} as const;

/** One helper with the decisions their status allows; a decision reloads the roster. */
function HelperRow({ repo, helper, decisions, onDecided }: SectionProps & { helper: Helper; decisions: Decision[]; onDecided: (message: string) => void }) {
  // Which button was pressed, read by the one submit the buttons share (so one error line serves them all).
  const chosen = useRef<Decision>('approve');
  const decide = useSubmit(
    () => must(api.POST(DECISION_PATHS[chosen.current], { params: { path: { ...repoPath(repo), userId: helper.userId } }, body: {} })),
    () => onDecided(`${helper.displayName}: ${DECIDED[chosen.current]}.`),
  );
  return (
    <li className="card">
      <h4>
        {helper.displayName} {helper.githubLogin ? <span className="muted small">@{helper.githubLogin}</span> : null} <StatusBadge status={helper.status} />
      </h4>
      {helper.pitch && <p>{helper.pitch}</p>}
      {helper.links.length > 0 && (
        <ul className="small">
          {helper.links.map((link) => (
            <li key={link}>
              <a href={link} rel="noopener noreferrer">
                {link}
              </a>
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">Since {date(helper.decidedAt ?? helper.createdAt)}</p>
      <div className="actions">
        {decisions.map((choice) => (
          <button
            key={choice}
            type="button"
            className={choice === 'approve' ? undefined : choice === 'remove' ? 'danger' : 'secondary'}
            disabled={decide.busy}
            aria-label={`${DECISION_LABELS[choice]} ${helper.displayName}`}
            onClick={() => {
              chosen.current = choice;
              void decide.submit();
            }}
          >
            {DECISION_LABELS[choice]}
          </button>
        ))}
      </div>
      <ErrorMessage error={decide.error} />
    </li>
  );
}

/** An invitation waits for the person to accept; it shows under "Invited" until then. */
function InviteForm({ repo, onInvited }: SectionProps & { onInvited: (message: string) => void }) {
  const [email, setEmail] = useState('');
  const [note, setNote] = useState('');
  const invite = useSubmit(
    () => must(api.POST('/api/v1/repos/{owner}/{name}/helpers/invitations', { params: { path: repoPath(repo) }, body: { email, note } })),
    () => {
      onInvited(`Invitation sent to ${email}.`);
      setEmail('');
      setNote('');
    },
  );
  return (
    <form className="settings-form card" onSubmit={invite.submit} aria-labelledby="invite-heading">
      <h3 id="invite-heading" className="wide">
        Invite a helper
      </h3>
      <Field id="invite-helper-email" label="Email">
        <input id="invite-helper-email" type="email" value={email} onChange={(event) => setEmail(event.target.value)} required />
      </Field>
      <Field id="invite-helper-note" label="Note (optional)" grow>
        <input id="invite-helper-note" value={note} onChange={(event) => setNote(event.target.value)} />
      </Field>
      <div className="actions">
        <button type="submit" disabled={invite.busy}>
          Send invitation
        </button>
      </div>
      <div className="wide">
        <ErrorMessage error={invite.error} />
      </div>
    </form>
  );
}

const GROUPS: Array<{ status: Helper['status']; title: string; empty: string; decisions: Decision[] }> = [
  { status: 'applied', title: 'Applications', empty: 'No application waiting.', decisions: ['approve', 'reject'] },
  { status: 'approved', title: 'Approved helpers', empty: 'No approved helper yet.', decisions: ['remove'] },
  { status: 'invited', title: 'Invited', empty: 'No invitation waiting.', decisions: [] },
];

/** The helper roster: applications to decide, approved helpers to remove, invitations. */
export function HelpersSettings(props: SectionProps) {
  const { repo } = props;
  const roster = useSectionData(() => must(api.GET('/api/v1/repos/{owner}/{name}/helpers', { params: { path: repoPath(repo), query: {} } })), [repo.owner, repo.name]);
  const { changed } = roster;
  const helpers = roster.data?.items ?? [];
  return (
    <section aria-labelledby="helpers-heading">
      <h2 id="helpers-heading">Helpers</h2>
      <SectionStatus section={roster} />
      {GROUPS.map((group) => {
        const members = helpers.filter((helper) => helper.status === group.status);
        return (
          <section key={group.status} aria-labelledby={`helpers-${group.status}`}>
            <h3 id={`helpers-${group.status}`}>
              {group.title} ({members.length})
            </h3>
            {members.length ? (
              <ul className="plain-list">
                {members.map((helper) => (
                  <HelperRow key={helper.userId} {...props} helper={helper} decisions={group.decisions} onDecided={changed} />
                ))}
              </ul>
            ) : (
              <p className="muted">{group.empty}</p>
            )}
          </section>
        );
      })}
      <InviteForm {...props} onInvited={changed} />
    </section>
  );
}
