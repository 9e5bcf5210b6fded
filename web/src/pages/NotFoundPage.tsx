import { PageTitle } from '../components/ui.tsx';
import { Link } from '../lib/router.tsx';

export function NotFoundPage() {
  return (
    <section>
      <PageTitle title="Not found">Page not found</PageTitle>
      <p>There is no page at this address.</p>
      <p>
        <Link href="/">Browse the directory</Link>
      </p>
    </section>
  );
}
