import { useState } from 'react';
import { api, must } from '../api/client.ts';
import { ErrorMessage, Notice, PageTitle, useSubmit } from '../components/ui.tsx';
import { useLocation } from '../lib/router.tsx';
import { useLoad } from '../lib/useLoad.ts';

/** Only paths of this site may be returned to after signing in (the server checks it too). */
export function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/portal';
}

export function SignInPage() {
  const location = useLocation();
  const next = safeNext(location.searchParams.get('next'));
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  // GitHub is offered only when the server has the GitHub App's client id and secret.
  const providers = useLoad(() => must(api.GET('/api/v1/auth/providers')), []);
  const { busy, error, submit } = useSubmit(
    () => must(api.POST('/api/v1/auth/magic-link', { body: { email, redirectTo: next } })),
    () => setSentTo(email),
  );
  return (
    <section className="narrow">
      <PageTitle title="Sign in">Sign in</PageTitle>
      {sentTo ? (
        <Notice tone="success">
          <p>
            We sent a sign-in link to <strong>{sentTo}</strong>. Open it on this device to continue; it works once and expires soon.
          </p>
        </Notice>
      ) : (
        <form className="card stack" onSubmit={submit} noValidate>
          <p>We email you a link; no password needed. Your account is created the first time.</p>
          <label htmlFor="email">Email</label>
          <input id="email" type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy || !email}>
            {busy ? 'Sending…' : 'Email me a sign-in link'}
          </button>
          {providers.data?.github && (
            <>
              <p className="muted">or</p>
              {/* A real navigation: the server redirects to GitHub and back. */}
              <a className="button secondary" href={`/auth/github?next=${encodeURIComponent(next)}`}>
                Sign in with GitHub
              </a>
            </>
          )}
        </form>
      )}
    </section>
  );
}
