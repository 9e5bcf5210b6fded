export function TicketPage(_props: Record<string, string>) {
  return <p>Coming soon.</p>;
}
