import { Loading, PageTitle } from '../components/ui.tsx';
import { Link } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { DisputesTab } from './admin/DisputesTab.tsx';
import { OnboardingTab } from './admin/OnboardingTab.tsx';
import { PayoutsTab } from './admin/PayoutsTab.tsx';
import { ReconciliationTab } from './admin/ReconciliationTab.tsx';
import { RevenueTab } from './admin/RevenueTab.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';

/** The operator's sections; each is its own address, so a section can be linked to and reloaded. */
const TABS = [
  { slug: 'onboarding', label: 'Onboarding and claims', render: () => <OnboardingTab /> },
  { slug: 'disputes', label: 'Disputes', render: () => <DisputesTab /> },
  { slug: 'payouts', label: 'Payouts', render: () => <PayoutsTab /> },
  { slug: 'revenue', label: 'Revenue', render: () => <RevenueTab /> },
  { slug: 'reconciliation', label: 'Reconciliation', render: () => <ReconciliationTab /> },
];

/**
 * The platform operator's pages. Anyone else, signed in or not, gets the ordinary not-found page: the
 * pages' existence is not advertised (the API refuses them the data anyway).
 */
export function AdminPage({ tab = 'onboarding' }: { tab?: string }) {
  const { me, loading } = useSession();
  if (loading) return <Loading />;
  const current = TABS.find((candidate) => candidate.slug === tab);
  if (!me?.isOperator || !current) return <NotFoundPage />;
  return (
    <section>
      <PageTitle title={`Operator: ${current.label}`}>Operator</PageTitle>
      <nav aria-label="Operator sections">
        <ul className="nav-links admin-tabs">
          {TABS.map((candidate) => (
            <li key={candidate.slug}>
              <Link href={`/admin/${candidate.slug}`} aria-current={candidate.slug === current.slug ? 'page' : undefined}>
                {candidate.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {current.render()}
    </section>
  );
}
