import { useState } from 'react';
import { api, must, type Schemas } from '../api/client.ts';
import { AskPanel } from '../components/AskPanel.tsx';
import { ChatWidget } from '../components/ChatWidget.tsx';
import { TicketForm, type TicketDraft } from '../components/TicketForm.tsx';
import { Badge, DataTable, ErrorMessage, Loading, PageTitle, TableWrap } from '../components/ui.tsx';
import { date, minutes, money } from '../lib/format.ts';
import { Markdown } from '../lib/markdown.tsx';
import { useLoad } from '../lib/useLoad.ts';

/**
 * A repository's support site: what help there is and what it costs, and the ways to ask for it (the
 * AI, the chat, a ticket). Everything on it is public: the same page is exported as a static site.
 */
export function SupportSitePage({ owner, name }: { owner: string; name: string }) {
  const path = { owner, name };
  const site = useLoad(async () => {
    const [repo, offerings, plans, policies, windows, consulting, helpers] = await Promise.all([
      must(api.GET('/api/v1/repos/{owner}/{name}', { params: { path } })),
      must(api.GET('/api/v1/repos/{owner}/{name}/offerings', { params: { path } })).catch(() => ({ items: [] as Schemas['Offering'][] })),
      must(api.GET('/api/v1/repos/{owner}/{name}/plans', { params: { path } })).catch(() => ({ items: [] as Schemas['Plan'][] })),
      must(api.GET('/api/v1/repos/{owner}/{name}/sla-policies', { params: { path } })).catch(() => ({ items: [] as Schemas['SlaPolicy'][] })),
      must(api.GET('/api/v1/repos/{owner}/{name}/release-windows', { params: { path } })).catch(() => ({ items: [] as Schemas['ReleaseWindow'][] })),
      must(api.GET('/api/v1/repos/{owner}/{name}/consulting-services', { params: { path } })).catch(() => ({ items: [] as Schemas['ConsultingService'][] })),
      must(api.GET('/api/v1/repos/{owner}/{name}/helpers', { params: { path } })).catch(() => ({ items: [] as Schemas['Helper'][] })),
    ]);
    return { repo, offerings: offerings.items, plans: plans.items, policies: policies.items, windows: windows.items, consulting: consulting.items, helpers: helpers.items };
  }, [owner, name]);
  const [draft, setDraft] = useState<TicketDraft | null>(null);

  if (site.error) {
    return (
      <section>
        <PageTitle title={`${owner}/${name}`}>{`${owner}/${name}`}</PageTitle>
        <ErrorMessage error={site.error} />
      </section>
    );
  }
  if (!site.data) return <Loading />;
  const { repo, offerings, plans, policies, windows, consulting, helpers } = site.data;
  const escalate = (next: TicketDraft) => {
    setDraft(next);
    document.getElementById('ticket')?.scrollIntoView({ behavior: 'smooth' });
    document.getElementById('ticket-title')?.focus({ preventScroll: true });
  };

  return (
    <article>
      <header className="site-hero">
        <PageTitle title={`Support for ${repo.fullName}`}>Support for {repo.fullName}</PageTitle>
        <p className="lead">{repo.description}</p>
        <p className="tags">
          {repo.offerings.ai && <Badge tone="blue">AI answers from the docs</Badge>}
          {repo.offerings.community && <Badge tone="green">Community help, free</Badge>}
          {repo.offerings.expert && <Badge tone="purple">Paid experts</Badge>}
          {repo.language && <Badge>{repo.language}</Badge>}
        </p>
        <p className="row">
          {repo.docsUrl && <a href={repo.docsUrl}>Documentation</a>}
          {repo.homepageUrl && <a href={repo.homepageUrl}>Homepage</a>}
          <a href={`https://github.com/${repo.fullName}`}>GitHub</a>
        </p>
      </header>

      <div className="grid-2">
        <div>
          {repo.offerings.ai && <AskPanel repo={repo} onEscalate={escalate} />}
          <ChatWidget repo={repo.fullName} />
          <section id="ticket" aria-labelledby="ticket-heading">
            <h2 id="ticket-heading">Open a ticket</h2>
            <TicketForm repo={repo} offerings={offerings} draft={draft} />
          </section>
        </div>
        <aside aria-label="What is offered">
          <Offerings offerings={offerings} />
          {helpers.length > 0 && (
            <section aria-labelledby="helpers-heading">
              <h2 id="helpers-heading">Approved helpers</h2>
              <ul className="plain-list">
                {helpers.map((helper) => (
                  <li key={helper.userId}>
                    <strong>{helper.displayName}</strong>
                    {helper.githubLogin && <span className="muted"> @{helper.githubLogin}</span>}
                    {helper.pitch && <p className="muted small">{helper.pitch}</p>}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </aside>
      </div>

      <Plans plans={plans} policies={policies} currency={repo.currency} />
      <ReleaseWindows windows={windows} />
      <Consulting services={consulting} currency={repo.currency} />
    </article>
  );
}

/** The price in the repository's currency when there is one, else the first. */
function pick<T extends { currency: string }>(prices: T[], currency: string): T | undefined {
  return prices.find((price) => price.currency === currency) ?? prices[0];
}

function offeringPrice(offering: Schemas['Offering']): string {
  if (offering.kind === 'quote') return 'Priced by quote';
  const price = pick(offering.prices, offering.currency);
  if (!price) return '';
  if ('perMinuteRate' in price) {
    return `${money(price.perMinuteRate, price.currency)}/min${price.initialFee ? ` + ${money(price.initialFee, price.currency)}` : ''} (min. ${price.minimumMinutes} min)`;
  }
  return money(price.price, price.currency);
}

function Offerings({ offerings }: { offerings: Schemas['Offering'][] }) {
  if (!offerings.length) return null;
  return (
    <section aria-labelledby="offerings-heading">
      <h2 id="offerings-heading">Expert help and prices</h2>
      <ul className="plain-list">
        {offerings.map((offering) => (
          <li key={offering.id} className="card offering">
            <h3>{offering.name}</h3>
            <p className="price">{offeringPrice(offering)}</p>
            <div className="muted small" dangerouslySetInnerHTML={{ __html: offering.descriptionHtml }} />
          </li>
        ))}
      </ul>
    </section>
  );
}

const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const target = (value: number | null) => (value === null ? '—' : minutes(value));

function Plans({ plans, policies, currency }: { plans: Schemas['Plan'][]; policies: Schemas['SlaPolicy'][]; currency: string }) {
  if (!plans.length) return null;
  return (
    <section aria-labelledby="plans-heading">
      <h2 id="plans-heading">Support plans</h2>
      <ul className="tiles wide">
        {plans.map((plan) => {
          const price = pick(plan.prices, currency);
          const policy = policies.find((candidate) => candidate.id === plan.slaPolicyId);
          return (
            <li key={plan.id} className="card">
              <h3>{plan.name}</h3>
              {price && (
                <p className="price">
                  {money(price.amount, price.currency)} <span className="muted small">per {plan.period}</span>
                </p>
              )}
              <p>{plan.description}</p>
              <ul className="small">
                {plan.includedHours !== null && <li>{plan.includedHours} hours of expert help included</li>}
                {plan.includedTickets !== null && <li>{plan.includedTickets} tickets included</li>}
                <li>Channels: {plan.channels.join(', ')}</li>
                {plan.privateSlack && <li>Private Slack channel</li>}
                {plan.privateDiscord && <li>Private Discord channel</li>}
              </ul>
              {policy && (
                <TableWrap label={`Response targets of ${plan.name}`}>
                  <table>
                    <caption className="small">
                      Response targets ({policy.measuredIn === 'business_hours' ? 'business hours' : 'around the clock'})
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Priority</th>
                        <th scope="col">First response</th>
                        <th scope="col">Resolution</th>
                      </tr>
                    </thead>
                    <tbody>
                      {PRIORITIES.map((priority) => (
                        <tr key={priority}>
                          <th scope="row">{priority}</th>
                          <td>{target(policy.targets[priority].firstResponse)}</td>
                          <td>{target(policy.targets[priority].resolution)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </TableWrap>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function ReleaseWindows({ windows }: { windows: Schemas['ReleaseWindow'][] }) {
  if (!windows.length) return null;
  return (
    <section aria-labelledby="windows-heading">
      <h2 id="windows-heading">Release support windows</h2>
      <DataTable
        label="Release support windows"
        rows={windows}
        rowKey={(window) => String(window.major)}
        columns={[
          { header: 'Version', rowHeader: true, cell: (window) => `${window.major}.x` },
          { header: 'General support', cell: (window) => `${date(window.generalSupport.from)} – ${window.generalSupport.until ? date(window.generalSupport.until) : 'ongoing'}` },
          { header: 'Technical guidance', cell: (window) => (window.technicalGuidance ? `${date(window.technicalGuidance.from)} – ${window.technicalGuidance.until ? date(window.technicalGuidance.until) : 'ongoing'}` : '—') },
          { header: 'Upgrade path', cell: (window) => (window.upgradePath ? <Markdown text={window.upgradePath} /> : '—') },
        ]}
      />
    </section>
  );
}

function Consulting({ services, currency }: { services: Schemas['ConsultingService'][]; currency: string }) {
  const active = services.filter((service) => service.active);
  if (!active.length) return null;
  return (
    <section aria-labelledby="consulting-heading">
      <h2 id="consulting-heading">Consulting</h2>
      <ul className="tiles">
        {active.map((service) => {
          const rate = pick(service.rates, currency);
          return (
            <li key={service.id} className="card">
              <h3>{service.name}</h3>
              {rate && (
                <p className="price">
                  {money(rate.hourlyRate, rate.currency)} <span className="muted small">per hour, typically {service.typicalHours} h</span>
                </p>
              )}
              <p>{service.description}</p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
