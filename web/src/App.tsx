import { Layout } from './components/Layout.tsx';
import { AdminPage } from './pages/AdminPage.tsx';
import { config } from './config.ts';
import { LocationProvider, match, useLocation } from './lib/router.tsx';
import { SessionProvider } from './lib/session.tsx';
import { AvailabilityPage } from './pages/AvailabilityPage.tsx';
import { ConsolePage } from './pages/ConsolePage.tsx';
import { DashboardPage } from './pages/DashboardPage.tsx';
import { DirectoryPage } from './pages/DirectoryPage.tsx';
import { EarningsPage } from './pages/EarningsPage.tsx';
import { MyReposPage } from './pages/MyReposPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OrgPage } from './pages/OrgPage.tsx';
import { PortalPage } from './pages/PortalPage.tsx';
import { SettingsPage } from './pages/settings/SettingsPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { SupportSitePage } from './pages/SupportSitePage.tsx';
import { TicketPage } from './pages/TicketPage.tsx';

type Route = { pattern: string; render: (params: Record<string, string>) => React.ReactNode };

/** Every page of the app: the customer's, the helper console's and the maintainer dashboard. */
export const routes: Route[] = [
  { pattern: '/', render: () => <DirectoryPage /> },
  { pattern: '/s/:owner/:name', render: ({ owner, name }) => <SupportSitePage owner={owner} name={name} /> },
  { pattern: '/sign-in', render: () => <SignInPage /> },
  { pattern: '/portal', render: () => <PortalPage /> },
  { pattern: '/portal/tickets/:id', render: ({ id }) => <TicketPage id={id} /> },
  { pattern: '/portal/orgs/:slug', render: ({ slug }) => <OrgPage slug={slug} /> },
  { pattern: '/console', render: () => <ConsolePage /> },
  { pattern: '/console/tickets/:id', render: ({ id }) => <TicketPage id={id} from="console" /> },
  { pattern: '/console/availability', render: () => <AvailabilityPage /> },
  { pattern: '/console/earnings', render: () => <EarningsPage /> },
  { pattern: '/dashboard', render: () => <MyReposPage /> },
  { pattern: '/dashboard/:owner/:name', render: ({ owner, name }) => <DashboardPage owner={owner} name={name} /> },
  { pattern: '/dashboard/:owner/:name/settings', render: ({ owner, name }) => <SettingsPage owner={owner} name={name} /> },
  { pattern: '/dashboard/:owner/:name/settings/:section', render: ({ owner, name, section }) => <SettingsPage owner={owner} name={name} section={section} /> },
  { pattern: '/admin', render: () => <AdminPage /> },
  { pattern: '/admin/:tab', render: ({ tab }) => <AdminPage tab={tab} /> },
];

function CurrentPage() {
  const location = useLocation();
  // An exported support site is one page, whatever path GitHub Pages serves it under.
  if (config.exportedRepo) {
    const [owner, name] = config.exportedRepo.split('/');
    return <SupportSitePage owner={owner} name={name} />;
  }
  for (const route of routes) {
    const params = match(route.pattern, location.pathname);
    if (params) return route.render(params);
  }
  return <NotFoundPage />;
}

export function App() {
  return (
    <LocationProvider>
      <SessionProvider>
        <Layout>
          <CurrentPage />
        </Layout>
      </SessionProvider>
    </LocationProvider>
  );
}
