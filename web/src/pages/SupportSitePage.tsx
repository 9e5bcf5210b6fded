export function SupportSitePage(_props: Record<string, string>) {
  return <p>Coming soon.</p>;
}
