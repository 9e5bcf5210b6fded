import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { Badge, Checkbox, ErrorMessage, Field, Loading, Notice, useSubmit } from '../../components/ui.tsx';
import { fromMinor, money, toMinor } from '../../lib/format.ts';
import { useLoad } from '../../lib/useLoad.ts';
import { repoPath, type Repo, type SectionProps } from './common.tsx';

type Offering = Schemas['Offering'];
type Kind = Offering['kind'];
type Price = Offering['prices'][number];

const KINDS: Record<Kind, string> = { fixed: 'Fixed-price ticket', session: 'Live session (per minute)', quote: 'Ask for a quote' };

/** The form's fields: amounts as typed ("25.00"), turned into minor units only when sent. */
type Draft = { kind: Kind; name: string; description: string; currency: string; price: string; initialFee: string; perMinuteRate: string; minimumMinutes: string; boundsMin: string; boundsMax: string; active: boolean };

function draftOf(offering: Offering | null, repo: Repo): Draft {
  const currency = offering?.currency ?? repo.currency;
  const main = offering?.prices.find((price) => price.currency === currency);
  const amount = (value: number | undefined) => (value === undefined ? '' : fromMinor(value, currency));
  return {
    kind: offering?.kind ?? 'fixed',
    name: offering?.name ?? '',
    description: offering?.description ?? '',
    currency,
    price: amount(main && 'price' in main ? main.price : undefined),
    initialFee: amount(main && 'initialFee' in main ? main.initialFee : undefined),
    perMinuteRate: amount(main && 'perMinuteRate' in main ? main.perMinuteRate : undefined),
    minimumMinutes: main && 'minimumMinutes' in main ? String(main.minimumMinutes) : '',
    boundsMin: amount(main?.bounds?.min),
    boundsMax: amount(main?.bounds?.max),
    active: offering?.active ?? true,
  };
}

/** Prices in other currencies are edited nowhere here, so they are sent back as they were. */
function keptPrice(price: Price) {
  const bounds = price.bounds ?? null;
  return 'price' in price
    ? { currency: price.currency, price: price.price, bounds }
    : { currency: price.currency, initialFee: price.initialFee, perMinuteRate: price.perMinuteRate, minimumMinutes: price.minimumMinutes, bounds };
}

function pricesOf(draft: Draft, offering: Offering | null) {
  if (draft.kind === 'quote') return [];
  const currency = draft.currency.trim().toUpperCase();
  const minor = (typed: string) => toMinor(typed, currency);
  const bounds = draft.boundsMin || draft.boundsMax ? { min: minor(draft.boundsMin), max: minor(draft.boundsMax) } : null;
  const main =
    draft.kind === 'fixed'
      ? { currency, price: minor(draft.price), bounds }
      : { currency, initialFee: minor(draft.initialFee), perMinuteRate: minor(draft.perMinuteRate), minimumMinutes: Number(draft.minimumMinutes || 0), bounds };
  const others = (offering?.prices ?? []).filter((price) => price.currency !== currency).map(keptPrice);
  return [main, ...others];
}

function OfferingForm({ repo, offering, onSaved, onCancel }: { repo: Repo; offering: Offering | null; onSaved: () => void; onCancel?: () => void }) {
  const [draft, setDraft] = useState(() => draftOf(offering, repo));
  const edit = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const prefix = offering ? `offering-${offering.id}` : 'new-offering';
  const amountField = (key: 'price' | 'initialFee' | 'perMinuteRate' | 'boundsMin' | 'boundsMax', label: string) => (
    <Field id={`${prefix}-${key}`} label={`${label} (${draft.currency || 'currency'})`}>
      <input id={`${prefix}-${key}`} type="number" step="any" inputMode="decimal" value={draft[key]} onChange={(event) => edit({ [key]: event.target.value })} />
    </Field>
  );
  const save = useSubmit(async () => {
    const common = { name: draft.name, description: draft.description, currency: draft.currency.trim(), prices: pricesOf(draft, offering), active: draft.active };
    if (offering) return must(api.PATCH('/api/v1/repos/{owner}/{name}/offerings/{id}', { params: { path: { ...repoPath(repo), id: offering.id } }, body: common }));
    return must(api.POST('/api/v1/repos/{owner}/{name}/offerings', { params: { path: repoPath(repo) }, body: { kind: draft.kind, ...common } }));
  }, onSaved);
  return (
    <form className="settings-form card" onSubmit={save.submit} aria-label={offering ? `Edit ${offering.name}` : 'New offering'}>
      {!offering && (
        <Field id={`${prefix}-kind`} label="Kind">
          <select id={`${prefix}-kind`} value={draft.kind} onChange={(event) => edit({ kind: event.target.value as Kind })}>
            {Object.entries(KINDS).map(([kind, label]) => (
              <option key={kind} value={kind}>
                {label}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field id={`${prefix}-name`} label="Name">
        <input id={`${prefix}-name`} value={draft.name} onChange={(event) => edit({ name: event.target.value })} />
      </Field>
      {draft.kind !== 'quote' && (
        <Field id={`${prefix}-currency`} label="Currency">
          <input id={`${prefix}-currency`} value={draft.currency} onChange={(event) => edit({ currency: event.target.value })} />
        </Field>
      )}
      {draft.kind === 'fixed' && amountField('price', 'Price')}
      {draft.kind === 'session' && (
        <>
          {amountField('initialFee', 'Initial fee')}
          {amountField('perMinuteRate', 'Per minute')}
          <Field id={`${prefix}-minimumMinutes`} label="Minimum minutes">
            <input id={`${prefix}-minimumMinutes`} type="number" step="1" value={draft.minimumMinutes} onChange={(event) => edit({ minimumMinutes: event.target.value })} />
          </Field>
        </>
      )}
      {draft.kind !== 'quote' && (
        <fieldset>
          <legend>Helper rate bounds (optional)</legend>
          <p className="muted small">Approved helpers may set their own {draft.kind === 'fixed' ? 'price' : 'per-minute rate'} between these; leave empty to use the listed price.</p>
          <div className="row">
            {amountField('boundsMin', 'Lowest')}
            {amountField('boundsMax', 'Highest')}
          </div>
        </fieldset>
      )}
      <div className="wide">
        <Field id={`${prefix}-description`} label="Description (Markdown)">
          <textarea id={`${prefix}-description`} value={draft.description} onChange={(event) => edit({ description: event.target.value })} />
        </Field>
        <Checkbox id={`${prefix}-active`} label="Offered to customers" checked={draft.active} onChange={(active) => edit({ active })} />
      </div>
      <div className="actions">
        <button type="submit" disabled={save.busy}>
          {offering ? 'Save offering' : 'Add offering'}
        </button>
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <div className="wide">
        <ErrorMessage error={save.error} />
      </div>
    </form>
  );
}

function priceText(price: Price) {
  if ('price' in price) return money(price.price, price.currency);
  return `${money(price.initialFee, price.currency)} + ${money(price.perMinuteRate, price.currency)}/min, at least ${price.minimumMinutes} min`;
}

/** Expert offerings with their prices; each is edited in place. */
export function OfferingsSettings({ repo }: SectionProps) {
  const list = useLoad(() => must(api.GET('/api/v1/repos/{owner}/{name}/offerings', { params: { path: repoPath(repo) } })), [repo.owner, repo.name]);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const saved = (what: string) => () => {
    setEditing(null);
    setNotice(what);
    void list.reload();
  };
  return (
    <section aria-labelledby="offerings-heading">
      <h2 id="offerings-heading">Offerings & prices</h2>
      {!repo.offerings.expert && <Notice tone="warning">Paid experts are off for this repository: customers see no offering until you turn them on under General.</Notice>}
      <ErrorMessage error={list.error} />
      {list.loading && !list.data && <Loading />}
      {notice && <Notice tone="success">{notice}</Notice>}
      <ul className="plain-list">
        {list.data?.items.map((offering) =>
          editing === offering.id ? (
            <li key={offering.id}>
              <OfferingForm repo={repo} offering={offering} onSaved={saved(`${offering.name} saved.`)} onCancel={() => setEditing(null)} />
            </li>
          ) : (
            <li key={offering.id} className="card">
              <h3>
                {offering.name} <Badge>{KINDS[offering.kind]}</Badge> {!offering.active && <Badge tone="orange">withdrawn</Badge>}
              </h3>
              <ul className="small">
                {offering.prices.length ? offering.prices.map((price) => <li key={price.currency}>{priceText(price)}</li>) : <li>Priced by quote</li>}
              </ul>
              <button type="button" className="secondary" onClick={() => setEditing(offering.id)} aria-label={`Edit ${offering.name}`}>
                Edit
              </button>
            </li>
          ),
        )}
      </ul>
      {list.data?.items.length === 0 && <p className="muted">No offering yet.</p>}
      <h3>Add an offering</h3>
      <OfferingForm key={list.data?.items.length ?? 0} repo={repo} offering={null} onSaved={saved('Offering added.')} />
    </section>
  );
}
