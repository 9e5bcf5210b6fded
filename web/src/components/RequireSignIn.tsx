import type { ReactNode } from 'react';
import { Link, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { Loading, PageTitle } from './ui.tsx';

/** Portal pages need a session; without one they say so and link to sign-in, coming back here after. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const { me, loading } = useSession();
  const location = useLocation();
  if (loading) return <Loading />;
  if (!me) {
    return (
      <section className="narrow">
        <PageTitle title="Sign in">Sign in to continue</PageTitle>
        <p>This page shows your tickets and payments.</p>
        <Link className="button" href={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`}>
          Sign in
        </Link>
      </section>
    );
  }
  return <>{children}</>;
}
