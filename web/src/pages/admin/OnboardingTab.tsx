import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { DataTable, ErrorMessage, Notice, useSubmit } from '../../components/ui.tsx';
import { date } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';

/** Claims to approve, then the demand for repositories nobody has claimed yet. */
export function OnboardingTab() {
  const claims = useLoad(() => must(api.GET('/api/v1/admin/repo-claims')), []);
  const demand = useLoad(() => must(api.GET('/api/v1/onboarding-requests')), []);
  const [decided, setDecided] = useState<string | null>(null);
  return (
    <>
      <section aria-labelledby="claims-heading">
        <h2 id="claims-heading">Repository claims awaiting verification</h2>
        <ErrorMessage error={claims.error} />
        {decided && <Notice tone="success">{decided}</Notice>}
        <DataTable
          label="Repository claims"
          rows={claims.data?.items}
          rowKey={(claim) => claim.id}
          empty="No claim is waiting."
          columns={[
            {
              header: 'Repository',
              rowHeader: true,
              cell: (claim) => (
                <>
                  {claim.fullName}
                  {claim.description && <div className="muted small">{claim.description}</div>}
                </>
              ),
            },
            { header: 'Claimed', cell: (claim) => date(claim.createdAt) },
            { header: 'Demand', cell: (claim) => (claim.demand ? `${claim.demand.requests} requests, ${claim.demand.organizations} organizations` : '—') },
            {
              header: 'Decision',
              cell: (claim) => (
                <ClaimDecision
                  claim={claim}
                  onDecided={(message) => {
                    setDecided(message);
                    void claims.reload();
                  }}
                />
              ),
            },
          ]}
        />
      </section>
      <section aria-labelledby="demand-heading">
        <h2 id="demand-heading">Onboarding requests</h2>
        <ErrorMessage error={demand.error} />
        <DataTable
          label="Onboarding requests"
          rows={demand.data?.items}
          rowKey={(item) => item.fullName}
          empty="Nobody has asked for an unlisted repository."
          columns={[
            { header: 'Repository', cell: (item) => item.fullName, rowHeader: true },
            { header: 'Requests', cell: (item) => item.requests },
            { header: 'Organizations', cell: (item) => item.organizations },
            {
              header: 'Notes',
              cell: (item) =>
                item.notes.length ? (
                  <ul className="plain-list small">
                    {item.notes.map((note, index) => (
                      <li key={index}>{note}</li>
                    ))}
                  </ul>
                ) : (
                  <span className="muted">—</span>
                ),
            },
            { header: 'Last asked', cell: (item) => date(item.lastRequestedAt) },
          ]}
        />
      </section>
    </>
  );
}

function ClaimDecision({ claim, onDecided }: { claim: Schemas['Repository']; onDecided: (message: string) => void }) {
  const [owner, name] = claim.fullName.split('/');
  const decide = (decision: 'verified' | 'rejected') => () =>
    must(api.POST('/api/v1/admin/repos/{owner}/{name}/verify', { params: { path: { owner, name } }, body: { decision } }));
  const approve = useSubmit(decide('verified'), () => onDecided(`${claim.fullName} is verified and listed in the directory.`));
  const reject = useSubmit(decide('rejected'), () => onDecided(`The claim on ${claim.fullName} is rejected.`));
  return (
    <>
      <div className="row">
        <button type="button" onClick={() => approve.submit()} disabled={approve.busy || reject.busy}>
          Approve<span className="sr-only"> {claim.fullName}</span>
        </button>
        <button type="button" className="danger" onClick={() => reject.submit()} disabled={approve.busy || reject.busy}>
          Reject<span className="sr-only"> {claim.fullName}</span>
        </button>
      </div>
      <ErrorMessage error={approve.error ?? reject.error} />
    </>
  );
}
