import { useState } from 'react';
import { api, errorOf, must, type Schemas } from '../../api/client.ts';
import { Checkbox, type Column, DataTable, ErrorMessage, Field, StatusBadge, useSubmit } from '../../components/ui.tsx';
import { config } from '../../config.ts';
import { dateTime } from '../../lib/format.ts';
import { repoPath, type Repo, type SectionProps, SectionStatus, useSectionData } from './common.tsx';

type Source = Schemas['KnowledgeSource'];
type Ingestion = Schemas['KnowledgeIngestion'];
type AddKind = 'faq' | 'git' | 'url' | 'archive';

const ADD_LABELS: Record<AddKind, string> = { faq: 'FAQ entry', git: 'Git repository', url: 'Web page', archive: 'Archive upload (.tar, .tar.gz, .zip)' };

/** The archive goes up as raw bytes, which the typed client does not send; same cookie, same error shape. */
async function uploadArchive(repo: Repo, sourceId: string, file: File) {
  const response = await fetch(`${config.apiBase}/api/v1/repos/${repo.fullName}/knowledge/sources/${sourceId}/archive`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/octet-stream' },
    body: file,
  }).catch(() => null);
  if (!response?.ok) throw errorOf(await response?.json().catch(() => undefined));
}

/** Adds a FAQ entry to the repository's FAQ source (made on first use), or a Git, page or archive source. */
function AddSource({ repo, faq, onAdded }: { repo: Repo; faq: Source | undefined; onAdded: (message: string) => void }) {
  const [kind, setKind] = useState<AddKind>('faq');
  const [fields, setFields] = useState({ question: '', answer: '', url: '', ref: '', name: '' });
  const [file, setFile] = useState<File | null>(null);
  const path = { params: { path: repoPath(repo) } };
  const add = useSubmit(async () => {
    if (kind === 'faq') {
      const entry = { question: fields.question, answer: fields.answer };
      if (faq) return must(api.PATCH('/api/v1/repos/{owner}/{name}/knowledge/sources/{id}', { params: { path: { ...repoPath(repo), id: faq.id } }, body: { entries: [...(faq.entries ?? []), entry] } }));
      return must(api.POST('/api/v1/repos/{owner}/{name}/knowledge/sources', { ...path, body: { kind: 'faq', entries: [entry] } }));
    }
    if (kind === 'git') return must(api.POST('/api/v1/repos/{owner}/{name}/knowledge/sources', { ...path, body: { kind: 'git', url: fields.url, ref: fields.ref || undefined } }));
    if (kind === 'url') return must(api.POST('/api/v1/repos/{owner}/{name}/knowledge/sources', { ...path, body: { kind: 'url', url: fields.url } }));
    if (!file) throw { code: 'validation_failed', message: 'Choose the archive file to upload.' };
    const source = await must(api.POST('/api/v1/repos/{owner}/{name}/knowledge/sources', { ...path, body: { kind: 'archive', name: fields.name || file.name } }));
    await uploadArchive(repo, source.id, file);
    return source;
  }, () => {
    onAdded(kind === 'faq' ? 'FAQ entry added; it is being indexed.' : `${ADD_LABELS[kind]} added; its first ingestion is queued.`);
    setFields({ question: '', answer: '', url: '', ref: '', name: '' });
    setFile(null);
  });
  const text = (key: keyof typeof fields, label: string, type = 'text') => (
    <Field id={`source-${key}`} label={label}>
      <input id={`source-${key}`} type={type} value={fields[key]} onChange={(event) => setFields({ ...fields, [key]: event.target.value })} />
    </Field>
  );
  return (
    <form className="settings-form card" onSubmit={add.submit} aria-labelledby="add-source-heading">
      <h3 id="add-source-heading" className="wide">
        Add knowledge
      </h3>
      <Field id="source-kind" label="What to add">
        <select id="source-kind" value={kind} onChange={(event) => setKind(event.target.value as AddKind)}>
          {Object.entries(ADD_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      {kind === 'faq' && (
        <>
          {text('question', 'Question')}
          <div className="wide">
            <Field id="source-answer" label="Answer (Markdown)">
              <textarea id="source-answer" value={fields.answer} onChange={(event) => setFields({ ...fields, answer: event.target.value })} />
            </Field>
          </div>
        </>
      )}
      {kind === 'git' && (
        <>
          {text('url', 'Git URL (https://)', 'url')}
          {text('ref', 'Branch or tag (optional)')}
        </>
      )}
      {kind === 'url' && text('url', 'Page URL', 'url')}
      {kind === 'archive' && (
        <>
          {text('name', 'Name')}
          <Field id="source-file" label="Archive">
            <input id="source-file" type="file" accept=".tar,.tgz,.gz,.zip" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
          </Field>
        </>
      )}
      <div className="actions">
        <button type="submit" disabled={add.busy}>
          Add
        </button>
      </div>
      <div className="wide">
        <ErrorMessage error={add.error} />
      </div>
    </form>
  );
}

/** A row of the sources table: the source and its last ingestion, if any. */
type SourceLine = { source: Source; last: Ingestion | undefined };

function sourceColumns(repo: Repo, onChanged: (message: string) => void): Column<SourceLine>[] {
  return [
    {
      header: 'Source',
      rowHeader: true,
      cell: ({ source }) => (
        <>
          {source.name}
          <span className="muted small"> {source.kind}{source.url ? ` · ${source.url}` : ''}</span>
          {source.kind === 'faq' && <span className="muted small"> · {source.entries?.length ?? 0} entries</span>}
        </>
      ),
    },
    {
      header: 'Last ingestion',
      cell: ({ last }) => (
        <>
          {last ? <StatusBadge status={last.status} /> : <span className="muted">never</span>}
          {last?.error ? <span className="small"> {last.error}</span> : null}
        </>
      ),
    },
    { header: 'When', cell: ({ last }) => dateTime(last?.finishedAt ?? last?.createdAt) },
    { header: 'Documents', numeric: true, cell: ({ source }) => source.documents },
    { header: 'Passages', numeric: true, cell: ({ source }) => source.passages },
    { header: 'Actions', cell: ({ source }) => <SourceActions repo={repo} source={source} onChanged={onChanged} /> },
  ];
}

function SourceActions({ repo, source, onChanged }: { repo: Repo; source: Source; onChanged: (message: string) => void }) {
  const params = { params: { path: { ...repoPath(repo), id: source.id } } };
  const reingest = useSubmit(() => must(api.POST('/api/v1/repos/{owner}/{name}/knowledge/sources/{id}/ingest', params)), () => onChanged(`${source.name}: ingestion queued.`));
  const remove = useSubmit(() => must(api.DELETE('/api/v1/repos/{owner}/{name}/knowledge/sources/{id}', params)), () => onChanged(`${source.name} removed.`));
  return (
    <>
      <div className="actions">
        {source.kind !== 'archive' && (
          <button type="button" className="secondary" disabled={reingest.busy} onClick={() => void reingest.submit()} aria-label={`Re-ingest ${source.name}`}>
            Re-ingest
          </button>
        )}
        <button type="button" className="danger" disabled={remove.busy} onClick={() => void remove.submit()} aria-label={`Remove ${source.name}`}>
          Remove
        </button>
      </div>
      <ErrorMessage error={reingest.error ?? remove.error} />
    </>
  );
}

function AiSettingsForm({ repo, settings, onSaved }: { repo: Repo; settings: Schemas['AiSettings']; onSaved: (message: string) => void }) {
  const [form, setForm] = useState({ enabled: settings.enabled, extraInstructions: settings.extraInstructions, answerLength: settings.answerLength, threshold: String(settings.threshold) });
  const save = useSubmit(
    () =>
      must(
        api.PUT('/api/v1/repos/{owner}/{name}/ai-settings', {
          params: { path: repoPath(repo) },
          body: { enabled: form.enabled, extraInstructions: form.extraInstructions, answerLength: form.answerLength, threshold: Number(form.threshold) },
        }),
      ),
    () => onSaved('AI settings saved.'),
  );
  return (
    <form className="settings-form card" onSubmit={save.submit} aria-labelledby="ai-heading">
      <h3 id="ai-heading" className="wide">
        AI answers
      </h3>
      <p className="muted small wide">Answers are {settings.mode === 'generated' ? 'written by the language model from' : 'quoted from'} the sources above, with citations.</p>
      <div className="wide">
        <Checkbox id="ai-enabled" label="Answer questions with AI" checked={form.enabled} onChange={(enabled) => setForm({ ...form, enabled })} />
      </div>
      <Field id="ai-length" label="Answer length">
        <select id="ai-length" value={form.answerLength} onChange={(event) => setForm({ ...form, answerLength: event.target.value as typeof form.answerLength })}>
          <option value="short">Short</option>
          <option value="medium">Medium</option>
          <option value="long">Long</option>
        </select>
      </Field>
      <Field id="ai-threshold" label="Confidence threshold (0 to 1)" hint="Below it the AI declines and points to the community and experts">
        <input id="ai-threshold" aria-describedby="ai-threshold-hint" type="number" step="0.01" value={form.threshold} onChange={(event) => setForm({ ...form, threshold: event.target.value })} />
      </Field>
      <div className="wide">
        <Field id="ai-instructions" label="Extra instructions">
          <textarea id="ai-instructions" value={form.extraInstructions} onChange={(event) => setForm({ ...form, extraInstructions: event.target.value })} />
        </Field>
      </div>
      <div className="actions">
        <button type="submit" disabled={save.busy}>
          Save AI settings
        </button>
      </div>
      <div className="wide">
        <ErrorMessage error={save.error} />
      </div>
    </form>
  );
}

/** Knowledge sources with their last ingestion, adding and removing them, and the AI settings. */
export function KnowledgeSettings({ repo }: SectionProps) {
  const path = { params: { path: repoPath(repo) } };
  const view = useSectionData(async () => {
    const [sources, ingestions, settings] = await Promise.all([
      must(api.GET('/api/v1/repos/{owner}/{name}/knowledge/sources', path)),
      must(api.GET('/api/v1/repos/{owner}/{name}/knowledge/ingestions', { params: { path: repoPath(repo), query: { limit: 100 } } })),
      must(api.GET('/api/v1/repos/{owner}/{name}/ai-settings', path)),
    ]);
    return { sources: sources.items, ingestions: ingestions.items, settings };
  }, [repo.owner, repo.name]);
  const { data, changed } = view;
  return (
    <section aria-labelledby="knowledge-heading">
      <h2 id="knowledge-heading">Knowledge & AI</h2>
      <SectionStatus section={view} />
      {data && (
        <>
          <DataTable
            label="Knowledge sources"
            // Ingestions come newest first: the first one of a source is its last.
            rows={data.sources.map((source) => ({ source, last: data.ingestions.find((ingestion) => ingestion.sourceId === source.id) }))}
            rowKey={({ source }) => source.id}
            empty="No knowledge yet: add the docs the AI should answer from."
            columns={sourceColumns(repo, changed)}
          />
          <AddSource repo={repo} faq={data.sources.find((source) => source.kind === 'faq')} onAdded={changed} />
          <AiSettingsForm key={JSON.stringify(data.settings)} repo={repo} settings={data.settings} onSaved={changed} />
        </>
      )}
    </section>
  );
}
