import { useState } from 'react';
import { api, must } from '../api/client.ts';
import { RequireSignIn } from '../components/RequireSignIn.tsx';
import { ErrorMessage, Field, Loading, Notice, PageTitle, useSubmit } from '../components/ui.tsx';
import { splitList } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useLoad } from '../lib/useLoad.ts';
import { settingsHref, VerificationBadge } from './settings/common.tsx';

export function MyReposPage() {
  return (
    <RequireSignIn>
      <MyRepos />
    </RequireSignIn>
  );
}

const EMPTY = { fullName: '', description: '', topics: '', language: '', homepageUrl: '', docsUrl: '' };

/** Claims a repository: verified at once through GitHub when the server can check, otherwise by an operator. */
function RegisterForm({ onRegistered }: { onRegistered: (fullName: string) => void }) {
  const [form, setForm] = useState(EMPTY);
  const register = useSubmit(
    () =>
      must(
        api.POST('/api/v1/repos', {
          body: {
            fullName: form.fullName,
            description: form.description,
            topics: splitList(form.topics),
            language: form.language,
            homepageUrl: form.homepageUrl.trim() || null,
            docsUrl: form.docsUrl.trim() || null,
          },
        }),
      ),
    (repo) => {
      setForm(EMPTY);
      onRegistered(repo.fullName);
    },
  );
  const input = (key: keyof typeof EMPTY, label: string, hint?: string, type = 'text') => (
    <Field id={`register-${key}`} label={label} hint={hint}>
      <input id={`register-${key}`} type={type} aria-describedby={hint ? `register-${key}-hint` : undefined} value={form[key]} onChange={(event) => setForm({ ...form, [key]: event.target.value })} />
    </Field>
  );
  return (
    <form className="settings-form card" onSubmit={register.submit} aria-labelledby="register-heading">
      <h2 id="register-heading" className="wide">
        Register a repository
      </h2>
      {input('fullName', 'Repository', 'owner/name, as on GitHub')}
      {input('language', 'Language')}
      {input('topics', 'Topics', 'Comma-separated')}
      {input('homepageUrl', 'Homepage URL', undefined, 'url')}
      {input('docsUrl', 'Docs URL', undefined, 'url')}
      <div className="wide">
        <Field id="register-description" label="Description">
          <textarea id="register-description" value={form.description} onChange={(event) => setForm({ ...form, description: event.target.value })} />
        </Field>
      </div>
      <div className="actions">
        <button type="submit" disabled={register.busy}>
          Register repository
        </button>
      </div>
      <div className="wide">
        <ErrorMessage error={register.error} />
      </div>
    </form>
  );
}

/** The repositories I maintain, with whether customers can see them yet and the demand waiting for them. */
function MyRepos() {
  const { me, refresh } = useSession();
  const names = (me?.maintains ?? []).map((maintained) => maintained.repo);
  const repos = useLoad(
    () => Promise.all(names.map((fullName) => must(api.GET('/api/v1/repos/{owner}/{name}', { params: { path: { owner: fullName.split('/')[0], name: fullName.split('/')[1] } } })))),
    [names.join(',')],
  );
  const [registered, setRegistered] = useState<string | null>(null);
  return (
    <section>
      <PageTitle title="My repositories">My repositories</PageTitle>
      {registered && (
        <Notice tone="success">
          {registered} is registered. Set it up under its settings; customers see it once it is verified.
        </Notice>
      )}
      <ErrorMessage error={repos.error} />
      {repos.loading && !repos.data && <Loading />}
      {repos.data?.length === 0 && <p className="muted">You maintain no repository on Backline yet.</p>}
      <ul className="plain-list">
        {repos.data?.map((repo) => (
          <li key={repo.id} className="card">
            <h2 className="repo-name">{repo.fullName}</h2>
            <p className="row">
              <VerificationBadge status={repo.status} />
              {repo.demand && repo.demand.requests > 0 && (
                <span className="small">
                  Asked for by {repo.demand.requests} {repo.demand.requests === 1 ? 'person' : 'people'} from {repo.demand.organizations} {repo.demand.organizations === 1 ? 'organization' : 'organizations'} before it was listed
                </span>
              )}
            </p>
            <p className="row">
              <Link href={`/dashboard/${repo.fullName}`}>Stats dashboard</Link>
              <Link href={settingsHref(repo, 'general')}>Settings</Link>
            </p>
          </li>
        ))}
      </ul>
      <RegisterForm
        onRegistered={(fullName) => {
          setRegistered(fullName);
          void refresh();
        }}
      />
    </section>
  );
}
