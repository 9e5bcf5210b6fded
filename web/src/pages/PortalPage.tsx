export function PortalPage(_props: Record<string, string>) {
  return <p>Coming soon.</p>;
}
