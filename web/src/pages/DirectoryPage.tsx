import { useEffect, useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { Badge, ErrorMessage, Loading, Notice, PageTitle, useSubmit } from '../components/ui.tsx';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { useLoad } from '../lib/useLoad.ts';

type Offering = 'ai' | 'community' | 'expert';
const OFFERING_LABELS: Record<Offering, string> = { ai: 'AI answers', community: 'Community', expert: 'Paid experts' };

/** The query waits for a pause in typing, so each keystroke is not a request. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function DirectoryPage() {
  const location = useLocation();
  const [q, setQ] = useState(() => location.searchParams.get('q') ?? '');
  const [topic, setTopic] = useState('');
  const [language, setLanguage] = useState('');
  const [offering, setOffering] = useState<Offering | ''>('');
  const query = useDebounced(q, 200);
  const topicQuery = useDebounced(topic, 300);
  const languageQuery = useDebounced(language, 300);
  const results = useLoad(
    () =>
      must(
        api.GET('/api/v1/repos', {
          params: { query: { q: query || undefined, topic: topicQuery || undefined, language: languageQuery || undefined, offering: offering || undefined, limit: 50 } },
        }),
      ),
    [query, topicQuery, languageQuery, offering],
  );
  const items = results.data?.items ?? [];
  const looksLikeRepo = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/.test(q.trim());
  const listed = items.some((repo) => repo.fullName.toLowerCase() === q.trim().toLowerCase());

  return (
    <section>
      <PageTitle title="Directory">Get help with open-source software</PageTitle>
      <p className="lead">AI answers from the docs, community help, and paid experts approved by the maintainers.</p>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <div className="field grow">
          <label htmlFor="q">Search repositories</label>
          <input id="q" type="search" placeholder="Name, description or owner/name" value={q} onChange={(event) => setQ(event.target.value)} autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="topic">Topic</label>
          <input id="topic" value={topic} onChange={(event) => setTopic(event.target.value)} placeholder="e.g. http" />
        </div>
        <div className="field">
          <label htmlFor="language">Language</label>
          <input id="language" value={language} onChange={(event) => setLanguage(event.target.value)} placeholder="e.g. TypeScript" />
        </div>
        <div className="field">
          <label htmlFor="offering">Offering</label>
          <select id="offering" value={offering} onChange={(event) => setOffering(event.target.value as Offering | '')}>
            <option value="">Any</option>
            {(Object.keys(OFFERING_LABELS) as Offering[]).map((key) => (
              <option key={key} value={key}>
                {OFFERING_LABELS[key]}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorMessage error={results.error} />
      <div aria-live="polite" aria-busy={results.loading}>
        {results.loading && !results.data ? <Loading /> : <p className="muted">{items.length === 1 ? '1 repository' : `${items.length} repositories`}</p>}
        <ul className="repo-grid" aria-label="Repositories">
          {items.map((repo) => (
            <RepoCard key={repo.id} repo={repo} onTopic={setTopic} />
          ))}
        </ul>
      </div>
      {looksLikeRepo && !listed && !results.loading ? <RequestRepo fullName={q.trim()} /> : null}
      {!looksLikeRepo && !results.loading && items.length === 0 ? (
        <p className="muted">Not listed? Type it as owner/name to ask for it.</p>
      ) : null}
    </section>
  );
}

function RepoCard({ repo, onTopic }: { repo: Schemas['Repository']; onTopic: (topic: string) => void }) {
  return (
    <li className="card repo-card">
      <h2 className="repo-name">
        <Link href={`/s/${repo.owner}/${repo.name}`}>{repo.fullName}</Link>
      </h2>
      <p>{repo.description || <span className="muted">No description.</span>}</p>
      <p className="tags">
        {repo.language ? <Badge>{repo.language}</Badge> : null}
        {(Object.keys(OFFERING_LABELS) as Offering[])
          .filter((key) => repo.offerings[key])
          .map((key) => (
            <Badge key={key} tone={key === 'expert' ? 'purple' : key === 'ai' ? 'blue' : 'green'}>
              {OFFERING_LABELS[key]}
            </Badge>
          ))}
      </p>
      {repo.topics.length ? (
        <p className="tags">
          {repo.topics.map((topic) => (
            <button key={topic} type="button" className="chip" onClick={() => onTopic(topic)} aria-label={`Filter by topic ${topic}`}>
              #{topic}
            </button>
          ))}
        </p>
      ) : null}
    </li>
  );
}

/** Onboarding demand: one click records that someone wants this repository supported. */
const requestOnboarding = (fullName: string) => must(api.POST('/api/v1/onboarding-requests', { body: { fullName } }));

function RequestRepo({ fullName }: { fullName: string }) {
  const { me } = useSession();
  const [done, setDone] = useState<Awaited<ReturnType<typeof requestOnboarding>> | null>(null);
  const { busy, error, submit } = useSubmit(() => requestOnboarding(fullName), setDone);
  if (done) {
    return (
      <Notice tone="success">
        <p>
          Asked for <strong>{done.fullName}</strong>. {done.demand.requests === 1 ? 'You are the first to ask' : `${done.demand.requests} requests so far`}; we will tell the maintainers.
        </p>
      </Notice>
    );
  }
  return (
    <div className="card request-repo">
      <p>
        <strong>{fullName}</strong> is not listed yet.
      </p>
      <ErrorMessage error={error} />
      {me ? (
        <button type="button" onClick={() => submit()} disabled={busy}>
          Request support for {fullName}
        </button>
      ) : (
        <button type="button" onClick={() => navigate(`/sign-in?next=${encodeURIComponent(`/?q=${fullName}`)}`)}>
          Sign in to request {fullName}
        </button>
      )}
    </div>
  );
}
