import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { RequireSignIn } from '../components/RequireSignIn.tsx';
import { ErrorMessage, Loading, Notice, PageTitle, StatusBadge, useSubmit, DataTable, type Column } from '../components/ui.tsx';
import { date, money } from '../lib/format.ts';
import { useLoad } from '../lib/useLoad.ts';

export function OrgPage({ slug }: { slug: string }) {
  return (
    <RequireSignIn>
      <Org slug={slug} />
    </RequireSignIn>
  );
}

const orgPath = (slug: string) => ({ params: { path: { slug } } });

/** An organization for its admins: members, plans and their usage, spend per repository, invoices, billing. */
function Org({ slug }: { slug: string }) {
  const view = useLoad(async () => {
    const org = await must(api.GET('/api/v1/orgs/{slug}', orgPath(slug)));
    if (org.viewerRole !== 'admin') return { org, admin: false as const };
    const [members, subscriptions, usage, spend, invoices] = await Promise.all([
      must(api.GET('/api/v1/orgs/{slug}/members', orgPath(slug))),
      must(api.GET('/api/v1/orgs/{slug}/subscriptions', orgPath(slug))),
      must(api.GET('/api/v1/orgs/{slug}/usage', orgPath(slug))),
      must(api.GET('/api/v1/orgs/{slug}/spend', orgPath(slug))),
      must(api.GET('/api/v1/orgs/{slug}/invoices', { params: { path: { slug }, query: { limit: 50 } } })),
    ]);
    return { org, admin: true as const, members: members.items, subscriptions: subscriptions.items, usage: usage.items, spend: spend.items, invoices: invoices.items };
  }, [slug]);

  if (view.error && !view.data) {
    return (
      <section>
        <PageTitle title={slug}>{slug}</PageTitle>
        <ErrorMessage error={view.error} />
      </section>
    );
  }
  if (!view.data) return <Loading />;
  const data = view.data;
  if (!data.admin) {
    return (
      <section>
        <PageTitle title={data.org.name}>{data.org.name}</PageTitle>
        <p>You are a member of this organization. Its admins manage members, plans and billing.</p>
      </section>
    );
  }
  return (
    <article>
      <PageTitle title={data.org.name}>{data.org.name}</PageTitle>
      <Plans subscriptions={data.subscriptions} usage={data.usage} />
      <Spend spend={data.spend} />
      <Invoices invoices={data.invoices} />
      <Members slug={slug} members={data.members} />
      <Billing key={data.org.id} org={data.org} />
    </article>
  );
}

type Usage = Awaited<ReturnType<typeof loadUsage>>['items'][number];
const loadUsage = (slug: string) => must(api.GET('/api/v1/orgs/{slug}/usage', orgPath(slug)));
type SpendRow = Awaited<ReturnType<typeof loadSpend>>['items'][number];
const loadSpend = (slug: string) => must(api.GET('/api/v1/orgs/{slug}/spend', orgPath(slug)));

function Plans({ subscriptions, usage }: { subscriptions: Schemas['Subscription'][]; usage: Usage[] }) {
  return (
    <section aria-labelledby="plans-heading">
      <h2 id="plans-heading">Plans and usage</h2>
      {subscriptions.length === 0 ? (
        <p className="muted">No support plan yet. Plans are offered on each repository's support page.</p>
      ) : (
        <ul className="tiles">
          {subscriptions.map((subscription) => {
            const current = usage.find((item) => item.subscriptionId === subscription.id);
            return (
              <li key={subscription.id} className="card">
                <h3>
                  {subscription.plan.name} · {subscription.repo}
                </h3>
                <p className="row">
                  <StatusBadge status={subscription.status} />
                  <span className="muted small">
                    {subscription.paymentMethod === 'invoice' ? `By invoice${subscription.poNumber ? `, PO ${subscription.poNumber}` : ''}` : 'By card'}
                    {subscription.cancelAtPeriodEnd ? ' · ends at the end of the period' : ''}
                  </span>
                </p>
                {subscription.currentPeriod && (
                  <p className="small">
                    Period {date(subscription.currentPeriod.startsAt)} – {date(subscription.currentPeriod.endsAt)}: {money(subscription.currentPeriod.charge, subscription.currency)}
                  </p>
                )}
                {current && (
                  <dl className="facts small">
                    <dt>Hours used</dt>
                    <dd>
                      {current.used.hours}
                      {current.included.hours !== null ? ` of ${current.included.hours}` : ''}
                    </dd>
                    <dt>Tickets</dt>
                    <dd>
                      {current.used.tickets}
                      {current.included.tickets !== null ? ` of ${current.included.tickets}` : ''}
                    </dd>
                    <dt>SLA targets</dt>
                    <dd>
                      {current.sla.met} met, {current.sla.breached} breached
                    </dd>
                  </dl>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Spend({ spend }: { spend: SpendRow[] }) {
  const columns: Column<SpendRow>[] = [
    { header: 'Repository', rowHeader: true, cell: (row) => row.repo ?? 'Other' },
    { header: 'Invoices', numeric: true, cell: (row) => row.invoices },
    { header: 'Invoiced', numeric: true, cell: (row) => money(row.invoiced, row.currency) },
    { header: 'Credited', numeric: true, cell: (row) => money(row.credited, row.currency) },
    { header: 'Net', numeric: true, cell: (row) => <strong>{money(row.net, row.currency)}</strong> },
  ];
  return (
    <section aria-labelledby="spend-heading">
      <h2 id="spend-heading">Spend per repository</h2>
      <DataTable label="Spend per repository" columns={columns} rows={spend} rowKey={(row) => `${row.repo}-${row.currency}`} empty="Nothing invoiced yet." />
    </section>
  );
}

function Invoices({ invoices }: { invoices: Schemas['Invoice'][] }) {
  const columns: Column<Schemas['Invoice']>[] = [
    {
      header: 'Number',
      rowHeader: true,
      cell: (invoice) => (
        <>
          {invoice.number}
          {invoice.kind === 'credit_note' ? <span className="muted small"> (credit note)</span> : null}
        </>
      ),
    },
    { header: 'Issued', cell: (invoice) => date(invoice.issuedAt) },
    {
      header: 'Status',
      cell: (invoice) => (
        <>
          <StatusBadge status={invoice.status} />
          {invoice.status === 'issued' && invoice.dueDate ? <span className="muted small"> due {date(invoice.dueDate)}</span> : null}
        </>
      ),
    },
    { header: 'Total', numeric: true, cell: (invoice) => money(invoice.total, invoice.currency) },
    {
      header: 'Download',
      cell: (invoice) => (
        <a href={invoice.pdfUrl} download aria-label={`Download ${invoice.number} as PDF`}>
          PDF
        </a>
      ),
    },
  ];
  return (
    <section aria-labelledby="invoices-heading">
      <h2 id="invoices-heading">Invoices</h2>
      <DataTable label="Invoices" columns={columns} rows={invoices} rowKey={(invoice) => invoice.id} empty="No invoices yet." />
    </section>
  );
}

type Member = Awaited<ReturnType<typeof loadMembers>>['items'][number];
const loadMembers = (slug: string) => must(api.GET('/api/v1/orgs/{slug}/members', orgPath(slug)));

const memberColumns: Column<Member>[] = [
  { header: 'Name', rowHeader: true, cell: (member) => member.displayName || '—' },
  { header: 'Email', cell: (member) => member.email },
  { header: 'Role', cell: (member) => member.role },
  { header: 'Joined', cell: (member) => date(member.joinedAt) },
];

/** An invitation adds nobody until it is accepted, so sending one leaves the list as it is. */
function Members({ slug, members }: { slug: string; members: Member[] }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');
  const [invited, setInvited] = useState<string | null>(null);
  const invite = useSubmit(
    () => must(api.POST('/api/v1/orgs/{slug}/invitations', { params: { path: { slug } }, body: { email, role } })),
    () => {
      setInvited(email);
      setEmail('');
    },
  );
  return (
    <section aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <DataTable label="Members" columns={memberColumns} rows={members} rowKey={(member) => member.userId} />
      <form className="row invite" onSubmit={invite.submit}>
        <div className="field grow">
          <label htmlFor="invite-email">Invite by email</label>
          <input id="invite-email" type="email" value={email} onChange={(event) => setEmail(event.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(event) => setRole(event.target.value as 'member' | 'admin')}>
            <option value="member">Member</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        <button type="submit" disabled={invite.busy || !email}>
          Send invitation
        </button>
      </form>
      <ErrorMessage error={invite.error} />
      {invited && <Notice tone="success">Invitation sent to {invited}.</Notice>}
    </section>
  );
}

const BILLING_FIELDS = [
  ['legalName', 'Legal name'],
  ['addressLine1', 'Address'],
  ['addressLine2', 'Address (line 2)'],
  ['postalCode', 'Postal code'],
  ['city', 'City'],
  ['region', 'Region'],
  ['country', 'Country (2 letters)'],
  ['vatId', 'VAT id'],
  ['poNumberDefault', 'Default PO number'],
  ['billingEmail', 'Billing email'],
] as const;
type BillingKey = (typeof BILLING_FIELDS)[number][0];

function Billing({ org }: { org: Schemas['Organization'] }) {
  const initial = () => Object.fromEntries(BILLING_FIELDS.map(([key]) => [key, org.billing?.[key] ?? ''])) as Record<BillingKey, string>;
  const [fields, setFields] = useState(initial);
  const [saved, setSaved] = useState(false);
  // Initialised once: a reload of the page's data must not wipe what the admin is typing.
  const save = useSubmit(
    () =>
      must(
        api.PATCH('/api/v1/orgs/{slug}', {
          params: { path: { slug: org.slug } },
          body: Object.fromEntries(BILLING_FIELDS.map(([key]) => [key, fields[key].trim() || null])),
        }),
      ),
    () => setSaved(true),
  );
  return (
    <section aria-labelledby="billing-heading">
      <h2 id="billing-heading">Billing details</h2>
      <p className="muted small">Printed on new invoices; invoices already issued keep the details they were issued with.</p>
      <form className="card billing-form" onSubmit={save.submit}>
        {BILLING_FIELDS.map(([key, label]) => (
          <div className="field" key={key}>
            <label htmlFor={`billing-${key}`}>{label}</label>
            <input
              id={`billing-${key}`}
              value={fields[key]}
              onChange={(event) => {
                setSaved(false);
                setFields({ ...fields, [key]: event.target.value });
              }}
            />
          </div>
        ))}
        <div className="billing-actions">
          <ErrorMessage error={save.error} />
          {saved && <Notice tone="success">Billing details saved.</Notice>}
          <button type="submit" disabled={save.busy}>
            Save billing details
          </button>
        </div>
      </form>
    </section>
  );
}
