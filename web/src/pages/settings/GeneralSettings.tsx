import { useState } from 'react';
import { api, must } from '../../api/client.ts';
import { Checkbox, ErrorMessage, Field, Notice, useSubmit } from '../../components/ui.tsx';
import { splitList } from '../../lib/format.ts';
import { repoPath, type SectionProps } from './common.tsx';

/** Basis points as the percent people think in: 1000 is "10", 125 is "1.25". */
const percentOf = (bps: number) => String(bps / 100);

/** Offerings on or off, currency, commission, and what the directory shows about the repository. */
export function GeneralSettings({ repo, onRepoChange }: SectionProps) {
  const [form, setForm] = useState(() => ({
    offerings: repo.offerings,
    currency: repo.currency,
    commission: percentOf(repo.commissionBps),
    description: repo.description,
    topics: repo.topics.join(', '),
    language: repo.language ?? '',
    homepageUrl: repo.homepageUrl ?? '',
    docsUrl: repo.docsUrl ?? '',
    showHelpers: repo.showHelpers,
  }));
  const [saved, setSaved] = useState(false);
  const edit = (patch: Partial<typeof form>) => {
    setSaved(false);
    setForm({ ...form, ...patch });
  };
  const save = useSubmit(
    () =>
      must(
        api.PATCH('/api/v1/repos/{owner}/{name}', {
          params: { path: repoPath(repo) },
          body: {
            offerings: form.offerings,
            currency: form.currency.trim(),
            // The API takes whole basis points; "10.5" percent is 1050. Not a number is sent as null and refused there.
            commissionBps: Math.round(Number(form.commission) * 100),
            description: form.description,
            topics: splitList(form.topics),
            language: form.language,
            homepageUrl: form.homepageUrl.trim() || null,
            docsUrl: form.docsUrl.trim() || null,
            showHelpers: form.showHelpers,
          },
        }),
      ),
    (updated) => {
      onRepoChange(updated);
      setSaved(true);
    },
  );
  return (
    <form className="settings-form" onSubmit={save.submit} aria-labelledby="general-heading">
      <h2 id="general-heading" className="wide">
        General
      </h2>
      <fieldset>
        <legend>Kinds of help offered</legend>
        <Checkbox id="offers-ai" label="AI answers from the docs" checked={form.offerings.ai} onChange={(ai) => edit({ offerings: { ...form.offerings, ai } })} />
        <Checkbox id="offers-community" label="Community answers (free)" checked={form.offerings.community} onChange={(community) => edit({ offerings: { ...form.offerings, community } })} />
        <Checkbox id="offers-expert" label="Paid experts" checked={form.offerings.expert} onChange={(expert) => edit({ offerings: { ...form.offerings, expert } })} />
      </fieldset>
      <Field id="repo-currency" label="Currency" hint="ISO 4217 code, such as EUR or USD">
        <input id="repo-currency" aria-describedby="repo-currency-hint" value={form.currency} onChange={(event) => edit({ currency: event.target.value })} />
      </Field>
      <Field id="repo-commission" label="Commission (%)" hint="The repository's share of each payment, on top of the helper's pay">
        <input id="repo-commission" aria-describedby="repo-commission-hint" type="number" step="0.01" inputMode="decimal" value={form.commission} onChange={(event) => edit({ commission: event.target.value })} />
      </Field>
      <Field id="repo-language" label="Language">
        <input id="repo-language" value={form.language} onChange={(event) => edit({ language: event.target.value })} />
      </Field>
      <Field id="repo-topics" label="Topics" hint="Comma-separated, lowercase words with dashes">
        <input id="repo-topics" aria-describedby="repo-topics-hint" value={form.topics} onChange={(event) => edit({ topics: event.target.value })} />
      </Field>
      <Field id="repo-homepage" label="Homepage URL">
        <input id="repo-homepage" type="url" value={form.homepageUrl} onChange={(event) => edit({ homepageUrl: event.target.value })} />
      </Field>
      <Field id="repo-docs" label="Docs URL">
        <input id="repo-docs" type="url" value={form.docsUrl} onChange={(event) => edit({ docsUrl: event.target.value })} />
      </Field>
      <div className="wide">
        <Field id="repo-description" label="Description">
          <textarea id="repo-description" value={form.description} onChange={(event) => edit({ description: event.target.value })} />
        </Field>
        <Checkbox id="repo-show-helpers" label="Show approved helpers on the support site" checked={form.showHelpers} onChange={(showHelpers) => edit({ showHelpers })} />
      </div>
      <div className="actions">
        <button type="submit" disabled={save.busy}>
          Save settings
        </button>
      </div>
      <div className="wide">
        <ErrorMessage error={save.error} />
        {saved && <Notice tone="success">Settings saved.</Notice>}
      </div>
    </form>
  );
}
