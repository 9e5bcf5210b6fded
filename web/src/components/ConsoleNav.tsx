import { useLocation } from '../lib/router.tsx';
import { SubNav } from './ui.tsx';

const SECTIONS = [
  { href: '/console', text: 'Queue' },
  { href: '/console/availability', text: 'Availability' },
  { href: '/console/earnings', text: 'Earnings' },
];

/** The helper console's sections, on each of its pages. */
export function ConsoleNav() {
  const { pathname } = useLocation();
  return <SubNav label="Helper console" links={SECTIONS.map((section) => ({ ...section, current: pathname === section.href }))} />;
}
