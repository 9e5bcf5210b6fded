import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { Badge, Checkbox, Field, Notice, useSubmit } from '../../components/ui.tsx';
import { fromMinor, money, toMinor } from '../../lib/format.ts';
import { repoPath, type Repo, type SectionProps, FormFooter, SectionStatus, useSectionData } from './common.tsx';
import { CurrencyPrices, currencyOf, type PriceField, type PriceRow } from './CurrencyPrices.tsx';

type Offering = Schemas['Offering'];
type Kind = Offering['kind'];
type Price = Offering['prices'][number];

const KINDS: Record<Kind, string> = { fixed: 'Fixed-price ticket', session: 'Live session (per minute)', quote: 'Ask for a quote' };

/** The form's fields: amounts as typed ("25.00"), turned into minor units only when sent. The first price's currency is the main one. */
type Draft = { kind: Kind; name: string; description: string; prices: PriceRow[]; active: boolean };

const BOUNDS: PriceField[] = [
  { key: 'boundsMin', label: 'Lowest helper rate' },
  { key: 'boundsMax', label: 'Highest helper rate' },
];
const PRICE_FIELDS: Record<Exclude<Kind, 'quote'>, PriceField[]> = {
  fixed: [{ key: 'price', label: 'Price' }, ...BOUNDS],
  session: [{ key: 'initialFee', label: 'Initial fee' }, { key: 'perMinuteRate', label: 'Per minute' }, { key: 'minimumMinutes', label: 'Minimum minutes', money: false }, ...BOUNDS],
};

function rowOf(price: Price): PriceRow {
  const amount = (value: number | undefined) => (value === undefined ? '' : fromMinor(value, price.currency));
  const values: Record<string, string> = { boundsMin: amount(price.bounds?.min), boundsMax: amount(price.bounds?.max) };
  if ('price' in price) values.price = amount(price.price);
  else Object.assign(values, { initialFee: amount(price.initialFee), perMinuteRate: amount(price.perMinuteRate), minimumMinutes: String(price.minimumMinutes) });
  return { currency: price.currency, values };
}

function draftOf(offering: Offering | null, repo: Repo): Draft {
  const main = offering?.currency ?? repo.currency;
  // The main currency first: the API lists it first too, but an offering saved before may not.
  const prices = [...(offering?.prices ?? [])].sort((a, b) => Number(b.currency === main) - Number(a.currency === main)).map(rowOf);
  return {
    kind: offering?.kind ?? 'fixed',
    name: offering?.name ?? '',
    description: offering?.description ?? '',
    prices: prices.length ? prices : [{ currency: main, values: {} }],
    active: offering?.active ?? true,
  };
}

function pricesOf(draft: Draft) {
  if (draft.kind === 'quote') return [];
  return draft.prices.map((row) => {
    const currency = currencyOf(row);
    const minor = (key: string) => toMinor(row.values[key] ?? '', currency);
    const bounds = row.values.boundsMin || row.values.boundsMax ? { min: minor('boundsMin'), max: minor('boundsMax') } : null;
    return draft.kind === 'fixed'
      ? { currency, price: minor('price'), bounds }
      : { currency, initialFee: minor('initialFee'), perMinuteRate: minor('perMinuteRate'), minimumMinutes: Number(row.values.minimumMinutes || 0), bounds };
  });
}

function OfferingForm({ repo, offering, onSaved, onCancel }: { repo: Repo; offering: Offering | null; onSaved: () => void; onCancel?: () => void }) {
  const [draft, setDraft] = useState(() => draftOf(offering, repo));
  const edit = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const prefix = offering ? `offering-${offering.id}` : 'new-offering';
  const save = useSubmit(async () => {
    const main = draft.kind === 'quote' ? {} : { currency: currencyOf(draft.prices[0] ?? { currency: repo.currency, values: {} }) };
    const common = { name: draft.name, description: draft.description, ...main, prices: pricesOf(draft), active: draft.active };
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
        <CurrencyPrices
          prefix={prefix}
          fields={PRICE_FIELDS[draft.kind]}
          rows={draft.prices}
          onChange={(prices) => edit({ prices })}
          note={
            <p className="muted small">
              The first currency is the main one. Approved helpers may set their own {draft.kind === 'fixed' ? 'price' : 'per-minute rate'} between the lowest and highest helper rate; leave both empty to use the listed price.
            </p>
          }
        />
      )}
      <div className="wide">
        <Field id={`${prefix}-description`} label="Description (Markdown)">
          <textarea id={`${prefix}-description`} value={draft.description} onChange={(event) => edit({ description: event.target.value })} />
        </Field>
        <Checkbox id={`${prefix}-active`} label="Offered to customers" checked={draft.active} onChange={(active) => edit({ active })} />
      </div>
      <FormFooter busy={save.busy} label={offering ? 'Save offering' : 'Add offering'} onCancel={onCancel} error={save.error} />
    </form>
  );
}

function priceText(price: Price) {
  if ('price' in price) return money(price.price, price.currency);
  return `${money(price.initialFee, price.currency)} + ${money(price.perMinuteRate, price.currency)}/min, at least ${price.minimumMinutes} min`;
}

/** Expert offerings with their prices; each is edited in place. */
export function OfferingsSettings({ repo }: SectionProps) {
  const list = useSectionData(() => must(api.GET('/api/v1/repos/{owner}/{name}/offerings', { params: { path: repoPath(repo) } })), [repo.owner, repo.name]);
  const [editing, setEditing] = useState<string | null>(null);
  const saved = (what: string) => () => {
    setEditing(null);
    list.changed(what);
  };
  return (
    <section aria-labelledby="offerings-heading">
      <h2 id="offerings-heading">Offerings & prices</h2>
      {!repo.offerings.expert && <Notice tone="warning">Paid experts are off for this repository: customers see no offering until you turn them on under General.</Notice>}
      <SectionStatus section={list} />
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
