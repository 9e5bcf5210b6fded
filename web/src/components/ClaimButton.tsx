import { api, must, type Schemas } from '../api/client.ts';
import { navigate } from '../lib/router.tsx';
import { ErrorMessage, useSubmit } from './ui.tsx';

/** Claiming is first come, first served: the winner goes to the ticket (or `onClaimed`), a loser reads why not. */
export function ClaimButton({ ticket, onClaimed }: { ticket: Schemas['Ticket']; onClaimed?: () => void }) {
  const claim = useSubmit(
    () => must(api.POST('/api/v1/tickets/{id}/claim', { params: { path: { id: ticket.id } } })),
    () => (onClaimed ? onClaimed() : navigate(`/console/tickets/${ticket.id}`)),
  );
  return (
    <>
      <button type="button" onClick={() => claim.submit()} disabled={claim.busy} aria-label={`Claim “${ticket.title}”`}>
        {claim.busy ? 'Claiming…' : 'Claim'}
      </button>
      <ErrorMessage error={claim.error} />
    </>
  );
}
