export function OrgPage(_props: Record<string, string>) {
  return <p>Coming soon.</p>;
}
