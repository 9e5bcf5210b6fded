import type { ReactNode } from 'react';
import { config, isExportedSite } from '../config.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';

export function Layout({ children }: { children: ReactNode }) {
  const { me, signOut } = useSession();
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <nav className="container nav" aria-label="Main">
          <a className="brand" href={isExportedSite ? config.platformUrl || '/' : '/'}>
            Backline
          </a>
          {!isExportedSite && (
            <ul className="nav-links">
              <li>
                <Link href="/" aria-current={location.pathname === '/' ? 'page' : undefined}>
                  Directory
                </Link>
              </li>
              {me && (
                <li>
                  <Link href="/portal" aria-current={location.pathname.startsWith('/portal') ? 'page' : undefined}>
                    My tickets
                  </Link>
                </li>
              )}
              {me && (
                <li>
                  <Link href="/console" aria-current={location.pathname.startsWith('/console') ? 'page' : undefined}>
                    Helper console
                  </Link>
                </li>
              )}
              {me && (
                <li>
                  <Link href="/dashboard" aria-current={location.pathname === '/dashboard' ? 'page' : undefined}>
                    My repositories
                  </Link>
                </li>
              )}
              {me?.maintains.map((maintained) => (
                <li key={maintained.repo}>
                  <Link href={`/dashboard/${maintained.repo}`} aria-current={location.pathname === `/dashboard/${maintained.repo}` ? 'page' : undefined}>
                    {`Dashboard ${maintained.repo}`}
                  </Link>
                </li>
              ))}
              {me?.isOperator && (
                <li>
                  <Link href="/admin" aria-current={location.pathname.startsWith('/admin') ? 'page' : undefined}>
                    Operator
                  </Link>
                </li>
              )}
              {me?.orgs.filter((org) => org.role === 'admin').map((org) => (
                <li key={org.slug}>
                  <Link href={`/portal/orgs/${org.slug}`}>{org.name}</Link>
                </li>
              ))}
            </ul>
          )}
          {!isExportedSite && (
            <div className="nav-user">
              {me ? (
                <>
                  <span className="muted nav-email">{me.displayName || me.email}</span>
                  <button
                    type="button"
                    className="button-link"
                    onClick={async () => {
                      await signOut();
                      navigate('/');
                    }}
                  >
                    Sign out
                  </button>
                </>
              ) : (
                <Link href={`/sign-in?next=${encodeURIComponent(here)}`}>Sign in</Link>
              )}
            </div>
          )}
        </nav>
      </header>
      <main id="main" className="container" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer container">
        <p className="muted">
          Backline — support for open-source projects. <a href={`${config.platformUrl}/docs`}>API</a>
        </p>
      </footer>
    </>
  );
}
