import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { Badge, Checkbox, Field, useSubmit } from '../../components/ui.tsx';
import { fromMinor, money, toMinor } from '../../lib/format.ts';
import { FormFooter, repoPath, type Repo, type SectionProps, SectionStatus, useSectionData } from './common.tsx';
import { CurrencyPrices, currencyOf, type PriceRow } from './CurrencyPrices.tsx';

type Service = Schemas['ConsultingService'];

function ServiceForm({ repo, service, onSaved, onCancel }: { repo: Repo; service: Service | null; onSaved: () => void; onCancel?: () => void }) {
  const [rates, setRates] = useState<PriceRow[]>(() =>
    service?.rates.length ? service.rates.map((rate) => ({ currency: rate.currency, values: { hourlyRate: fromMinor(rate.hourlyRate, rate.currency) } })) : [{ currency: repo.currency, values: {} }],
  );
  const [form, setForm] = useState(() => ({
    name: service?.name ?? '',
    description: service?.description ?? '',
    typicalHours: String(service?.typicalHours ?? 4),
    active: service?.active ?? true,
  }));
  const prefix = service ? `service-${service.id}` : 'new-service';
  const save = useSubmit(async () => {
    const body = {
      name: form.name,
      description: form.description,
      rates: rates.map((row) => ({ currency: currencyOf(row), hourlyRate: toMinor(row.values.hourlyRate ?? '', currencyOf(row)) })),
      typicalHours: Number(form.typicalHours),
      active: form.active,
    };
    if (service) return must(api.PATCH('/api/v1/repos/{owner}/{name}/consulting-services/{id}', { params: { path: { ...repoPath(repo), id: service.id } }, body }));
    return must(api.POST('/api/v1/repos/{owner}/{name}/consulting-services', { params: { path: repoPath(repo) }, body }));
  }, onSaved);
  const input = (key: 'name' | 'typicalHours', label: string, type = 'text') => (
    <Field id={`${prefix}-${key}`} label={label}>
      <input id={`${prefix}-${key}`} type={type} step={type === 'number' ? 'any' : undefined} value={form[key]} onChange={(event) => setForm({ ...form, [key]: event.target.value })} />
    </Field>
  );
  return (
    <form className="settings-form card" onSubmit={save.submit} aria-label={service ? `Edit ${service.name}` : 'New consulting service'}>
      {input('name', 'Name')}
      <CurrencyPrices prefix={prefix} fields={[{ key: 'hourlyRate', label: 'Hourly rate' }]} rows={rates} onChange={setRates} />
      {input('typicalHours', 'Typical hours', 'number')}
      <div className="wide">
        <Field id={`${prefix}-description`} label="Description">
          <textarea id={`${prefix}-description`} value={form.description} onChange={(event) => setForm({ ...form, description: event.target.value })} />
        </Field>
        <Checkbox id={`${prefix}-active`} label="Offered to customers" checked={form.active} onChange={(active) => setForm({ ...form, active })} />
      </div>
      <FormFooter busy={save.busy} label={service ? 'Save service' : 'Add service'} onCancel={onCancel} error={save.error} />
    </form>
  );
}

/** The consulting catalogue: architecture reviews, code reviews… at an hourly rate. */
export function ConsultingSettings({ repo }: SectionProps) {
  const list = useSectionData(() => must(api.GET('/api/v1/repos/{owner}/{name}/consulting-services', { params: { path: repoPath(repo) } })), [repo.owner, repo.name]);
  const [editing, setEditing] = useState<string | null>(null);
  const saved = (message: string) => () => {
    setEditing(null);
    list.changed(message);
  };
  return (
    <section aria-labelledby="consulting-heading">
      <h2 id="consulting-heading">Consulting catalogue</h2>
      <SectionStatus section={list} />
      <ul className="plain-list">
        {list.data?.items.map((service) =>
          editing === service.id ? (
            <li key={service.id}>
              <ServiceForm repo={repo} service={service} onSaved={saved(`${service.name} saved.`)} onCancel={() => setEditing(null)} />
            </li>
          ) : (
            <li key={service.id} className="card">
              <h3>
                {service.name} {!service.active && <Badge tone="orange">withdrawn</Badge>}
              </h3>
              <p className="small">
                {service.rates.map((rate) => `${money(rate.hourlyRate, rate.currency)}/h`).join(' · ')} · typically {service.typicalHours} h
              </p>
              <button type="button" className="secondary" onClick={() => setEditing(service.id)} aria-label={`Edit ${service.name}`}>
                Edit
              </button>
            </li>
          ),
        )}
      </ul>
      {list.data?.items.length === 0 && <p className="muted">No consulting service yet.</p>}
      <h3>Add a service</h3>
      <ServiceForm key={list.data?.items.length ?? 0} repo={repo} service={null} onSaved={saved('Service added.')} />
    </section>
  );
}
