import { useState } from 'react';
import type { ApiError } from '../../api/client.ts';
import { Badge, ErrorMessage, Loading, Notice } from '../../components/ui.tsx';
import { useLoad } from '../../lib/useLoad.ts';
import type { Schemas } from '../../api/client.ts';

export type Repo = Schemas['Repository'];

/** What every settings section gets: the repository as last loaded, and how to replace it after a change. */
export type SectionProps = { repo: Repo; onRepoChange: (repo: Repo) => void };

/** The path parameters of every /api/v1/repos/{owner}/{name}/... call. */
export const repoPath = (repo: Pick<Repo, 'owner' | 'name'>) => ({ owner: repo.owner, name: repo.name });

export const SECTIONS = [
  ['general', 'General'],
  ['offerings', 'Offerings & prices'],
  ['helpers', 'Helpers'],
  ['knowledge', 'Knowledge & AI'],
  ['channels', 'Channels'],
  ['plans', 'Plans & SLA'],
  ['consulting', 'Consulting'],
] as const;

export type Section = (typeof SECTIONS)[number][0];

export const settingsHref = (repo: Pick<Repo, 'fullName'>, section: Section) => `/dashboard/${repo.fullName}/settings/${section}`;

/** Whether customers can see the repository yet: a claim waits for an operator unless GitHub confirmed it. */
export function VerificationBadge({ status }: { status: Repo['status'] }) {
  if (status === 'verified') return <Badge tone="green">verified</Badge>;
  if (status === 'pending') return <Badge tone="orange">pending operator approval</Badge>;
  return <Badge tone="red">rejected</Badge>;
}

/** The foot of every settings form: save (busy while sending), cancel when editing, and the API's error. */
export function FormFooter({ busy, label, onCancel, error }: { busy: boolean; label: string; onCancel?: () => void; error: ApiError | null }) {
  return (
    <>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {label}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <div className="wide">
        <ErrorMessage error={error} />
      </div>
    </>
  );
}

/**
 * A settings section's data (loaded as useLoad does) and what its last change did: `changed(message)`
 * says so and loads the data again; <SectionStatus> shows the load's error, the first load, the notice.
 */
export function useSectionData<T>(load: () => Promise<T>, deps: unknown[]) {
  const view = useLoad(load, deps);
  const [notice, setNotice] = useState<string | null>(null);
  const changed = (message: string) => {
    setNotice(message);
    void view.reload();
  };
  return { ...view, notice, changed };
}

export function SectionStatus({ section }: { section: { error: ApiError | null; loading: boolean; data: unknown; notice: string | null } }) {
  return (
    <>
      <ErrorMessage error={section.error} />
      {section.loading && section.data === undefined && <Loading />}
      {section.notice && <Notice tone="success">{section.notice}</Notice>}
    </>
  );
}
