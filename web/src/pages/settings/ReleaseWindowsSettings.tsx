import { useRef, useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { DataTable, ErrorMessage, Field, useSubmit } from '../../components/ui.tsx';
import { repoPath, type Repo } from './common.tsx';

type Window = Schemas['ReleaseWindow'];

/** Windows as the PUT takes them: the API replaces the whole list, so every change sends all of them. */
const asInput = (window: Window) => ({ major: window.major, generalSupport: window.generalSupport, technicalGuidance: window.technicalGuidance, upgradePath: window.upgradePath });

export function ReleaseWindowsSettings({ repo, windows, onChanged }: { repo: Repo; windows: Window[]; onChanged: (message: string) => void }) {
  const empty = { major: '', gsFrom: '', gsUntil: '', tgFrom: '', tgUntil: '', upgradePath: '' };
  const [form, setForm] = useState(empty);
  // The version being edited: saving replaces that window (its major may change too) instead of adding one.
  const [editing, setEditing] = useState<number | null>(null);
  const startEditing = (window: Window) => {
    setEditing(window.major);
    setForm({
      major: String(window.major),
      gsFrom: window.generalSupport.from,
      gsUntil: window.generalSupport.until ?? '',
      tgFrom: window.technicalGuidance?.from ?? '',
      tgUntil: window.technicalGuidance?.until ?? '',
      upgradePath: window.upgradePath,
    });
  };
  const stopEditing = () => {
    setEditing(null);
    setForm(empty);
  };
  const replace = (next: ReturnType<typeof asInput>[]) => must(api.PUT('/api/v1/repos/{owner}/{name}/release-windows', { params: { path: repoPath(repo) }, body: { windows: next } }));
  const add = useSubmit(
    () =>
      replace([
        ...windows.filter((window) => window.major !== editing).map(asInput),
        {
          major: Number(form.major),
          generalSupport: { from: form.gsFrom, until: form.gsUntil || null },
          technicalGuidance: form.tgFrom ? { from: form.tgFrom, until: form.tgUntil || null } : null,
          upgradePath: form.upgradePath,
        },
      ]),
    () => {
      onChanged(`Release window for version ${form.major} saved.`);
      stopEditing();
    },
  );
  // The version whose button was pressed, read by the one submit the buttons share.
  const removing = useRef<number | null>(null);
  const remove = useSubmit(() => replace(windows.filter((window) => window.major !== removing.current).map(asInput)), () => onChanged(`Release window for version ${removing.current} removed.`));
  const input = (key: keyof typeof form, label: string, type = 'date') => (
    <Field id={`window-${key}`} label={label}>
      <input id={`window-${key}`} type={type} value={form[key]} onChange={(event) => setForm({ ...form, [key]: event.target.value })} />
    </Field>
  );
  return (
    <>
      <DataTable
        label="Release windows"
        rows={windows}
        rowKey={(window) => String(window.major)}
        empty="No release window: every version is supported alike."
        columns={[
          { header: 'Major', rowHeader: true, cell: (window) => window.major },
          { header: 'General Support', cell: (window) => `${window.generalSupport.from} – ${window.generalSupport.until ?? 'no end yet'}` },
          { header: 'Technical Guidance', cell: (window) => (window.technicalGuidance ? `${window.technicalGuidance.from} – ${window.technicalGuidance.until ?? 'no end yet'}` : '—') },
          {
            header: 'Actions',
            cell: (window) => (
              <div className="actions">
                <button type="button" className="secondary" onClick={() => startEditing(window)}>
                  Edit version {window.major}
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={remove.busy}
                  onClick={() => {
                    removing.current = window.major;
                    void remove.submit();
                  }}
                >
                  Remove version {window.major}
                </button>
              </div>
            ),
          },
        ]}
      />
      <ErrorMessage error={remove.error} />
      <form className="settings-form card" onSubmit={add.submit} aria-labelledby="window-form-heading">
        <h4 id="window-form-heading" className="wide">
          {editing === null ? 'Add a release window' : `Edit the release window for version ${editing}`}
        </h4>
        {input('major', 'Major version', 'number')}
        {input('gsFrom', 'General Support from')}
        {input('gsUntil', 'General Support until')}
        {input('tgFrom', 'Technical Guidance from')}
        {input('tgUntil', 'Technical Guidance until')}
        <div className="wide">{input('upgradePath', 'Upgrade path', 'text')}</div>
        <div className="actions">
          <button type="submit" disabled={add.busy}>
            {editing === null ? 'Add release window' : 'Save release window'}
          </button>
          {editing !== null && (
            <button type="button" className="secondary" onClick={stopEditing}>
              Cancel
            </button>
          )}
        </div>
        <div className="wide">
          <ErrorMessage error={add.error} />
        </div>
      </form>
    </>
  );
}
