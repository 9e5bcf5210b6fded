import { Link, useLocation } from '../lib/router.tsx';

const SECTIONS = [
  { href: '/console', label: 'Queue' },
  { href: '/console/availability', label: 'Availability' },
  { href: '/console/earnings', label: 'Earnings' },
];

/** The helper console's sections, on each of its pages. */
export function ConsoleNav() {
  const { pathname } = useLocation();
  return (
    <nav aria-label="Helper console" className="subnav">
      <ul>
        {SECTIONS.map((section) => (
          <li key={section.href}>
            <Link href={section.href} aria-current={pathname === section.href ? 'page' : undefined}>
              {section.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
