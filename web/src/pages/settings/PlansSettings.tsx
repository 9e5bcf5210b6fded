import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client.ts';
import { Badge, Checkbox, ErrorMessage, Field, useSubmit } from '../../components/ui.tsx';
import { fromMinor, money, toMinor } from '../../lib/format.ts';
import { repoPath, type Repo, FormFooter } from './common.tsx';
import { CurrencyPrices, currencyOf, type PriceRow } from './CurrencyPrices.tsx';

type Plan = Schemas['Plan'];
type Policy = Schemas['SlaPolicy'];

/** Creates a plan or edits one; the period is fixed once subscribers count in it, so it shows only on creation. */
function PlanForm({ repo, plan, policies, onSaved, onCancel }: { repo: Repo; plan: Plan | null; policies: Policy[]; onSaved: (message: string) => void; onCancel?: () => void }) {
  const [prices, setPrices] = useState<PriceRow[]>(() =>
    plan?.prices.length ? plan.prices.map((price) => ({ currency: price.currency, values: { amount: fromMinor(price.amount, price.currency) } })) : [{ currency: repo.currency, values: {} }],
  );
  const [form, setForm] = useState(() => ({
    name: plan?.name ?? '',
    description: plan?.description ?? '',
    period: plan?.period ?? ('month' as Plan['period']),
    includedHours: plan?.includedHours === null || plan?.includedHours === undefined ? '' : String(plan.includedHours),
    includedTickets: plan?.includedTickets === null || plan?.includedTickets === undefined ? '' : String(plan.includedTickets),
    slaPolicyId: plan?.slaPolicyId ?? '',
    privateSlack: plan?.privateSlack ?? false,
    privateDiscord: plan?.privateDiscord ?? false,
  }));
  // Until one is picked, the first policy: policies created while the form is open are offered without redrawing it.
  const slaPolicyId = form.slaPolicyId || policies[0]?.id || '';
  const prefix = plan ? `plan-${plan.id}` : 'new-plan';
  const count = (typed: string) => (typed.trim() === '' ? null : Number(typed));
  const save = useSubmit(async () => {
    const body = {
      name: form.name,
      description: form.description,
      prices: prices.map((row) => ({ currency: currencyOf(row), amount: toMinor(row.values.amount ?? '', currencyOf(row)) })),
      includedHours: count(form.includedHours),
      includedTickets: count(form.includedTickets),
      slaPolicyId,
      privateSlack: form.privateSlack,
      privateDiscord: form.privateDiscord,
    };
    if (plan) return must(api.PATCH('/api/v1/repos/{owner}/{name}/plans/{id}', { params: { path: { ...repoPath(repo), id: plan.id } }, body }));
    return must(api.POST('/api/v1/repos/{owner}/{name}/plans', { params: { path: repoPath(repo) }, body: { ...body, period: form.period } }));
  }, (saved) => onSaved(`Plan ${saved.name} saved.`));
  const input = (key: 'name' | 'includedHours' | 'includedTickets', label: string, type = 'text') => (
    <Field id={`${prefix}-${key}`} label={label}>
      <input id={`${prefix}-${key}`} type={type} step={type === 'number' ? 'any' : undefined} value={form[key]} onChange={(event) => setForm({ ...form, [key]: event.target.value })} />
    </Field>
  );
  return (
    <form className="settings-form card" onSubmit={save.submit} aria-label={plan ? `Edit plan ${plan.name}` : 'New plan'}>
      {input('name', 'Plan name')}
      {!plan && (
        <Field id={`${prefix}-period`} label="Period">
          <select id={`${prefix}-period`} value={form.period} onChange={(event) => setForm({ ...form, period: event.target.value as Plan['period'] })}>
            <option value="month">Monthly</option>
            <option value="year">Yearly</option>
          </select>
        </Field>
      )}
      <CurrencyPrices prefix={prefix} fields={[{ key: 'amount', label: `Price per ${form.period}` }]} rows={prices} onChange={setPrices} />
      {input('includedHours', 'Included hours per period', 'number')}
      {input('includedTickets', 'Included tickets per period', 'number')}
      <Field id={`${prefix}-policy`} label="SLA policy">
        <select id={`${prefix}-policy`} value={slaPolicyId} onChange={(event) => setForm({ ...form, slaPolicyId: event.target.value })}>
          {policies.length === 0 && <option value="">Create an SLA policy first</option>}
          {policies.map((policy) => (
            <option key={policy.id} value={policy.id}>
              {policy.name}
            </option>
          ))}
        </select>
      </Field>
      <div className="wide">
        <Field id={`${prefix}-description`} label="Description">
          <textarea id={`${prefix}-description`} value={form.description} onChange={(event) => setForm({ ...form, description: event.target.value })} />
        </Field>
        <Checkbox id={`${prefix}-slack`} label="Private Slack channel" checked={form.privateSlack} onChange={(privateSlack) => setForm({ ...form, privateSlack })} />
        <Checkbox id={`${prefix}-discord`} label="Private Discord channel" checked={form.privateDiscord} onChange={(privateDiscord) => setForm({ ...form, privateDiscord })} />
      </div>
      <FormFooter busy={save.busy} label={plan ? 'Save plan' : 'Create plan'} onCancel={onCancel} error={save.error} />
    </form>
  );
}

/** Archiving hides a plan from customers; subscribers keep it until they change or cancel. */
function PlanCard({ repo, plan, policies, onEdit, onChanged }: { repo: Repo; plan: Plan; policies: Policy[]; onEdit: () => void; onChanged: (message: string) => void }) {
  const archive = useSubmit(
    () => must(api.PATCH('/api/v1/repos/{owner}/{name}/plans/{id}', { params: { path: { ...repoPath(repo), id: plan.id } }, body: { active: !plan.active } })),
    (saved) => onChanged(saved.active ? `Plan ${saved.name} offered again.` : `Plan ${saved.name} archived.`),
  );
  const policy = policies.find((item) => item.id === plan.slaPolicyId);
  return (
    <li className="card">
      <h4>
        {plan.name} {!plan.active && <Badge tone="orange">archived</Badge>}
      </h4>
      <p className="small">
        {plan.prices.map((price) => `${money(price.amount, price.currency)} per ${plan.period}`).join(' · ')}
        {plan.includedHours !== null ? ` · ${plan.includedHours} h` : ''}
        {plan.includedTickets !== null ? ` · ${plan.includedTickets} tickets` : ''}
        {policy ? ` · SLA ${policy.name}` : ''}
      </p>
      <div className="actions">
        <button type="button" className="secondary" onClick={onEdit} aria-label={`Edit plan ${plan.name}`}>
          Edit
        </button>
        <button type="button" className="secondary" disabled={archive.busy} onClick={() => void archive.submit()}>
          {plan.active ? `Archive ${plan.name}` : `Offer ${plan.name} again`}
        </button>
      </div>
      <ErrorMessage error={archive.error} />
    </li>
  );
}

export function PlansList({ repo, plans, policies, onChanged }: { repo: Repo; plans: Plan[]; policies: Policy[]; onChanged: (message: string) => void }) {
  const [editing, setEditing] = useState<string | null>(null);
  const changed = (message: string) => {
    setEditing(null);
    onChanged(message);
  };
  return (
    <>
      {plans.length ? (
        <ul className="plain-list">
          {plans.map((plan) =>
            editing === plan.id ? (
              <li key={plan.id}>
                <PlanForm repo={repo} plan={plan} policies={policies} onSaved={changed} onCancel={() => setEditing(null)} />
              </li>
            ) : (
              <PlanCard key={plan.id} repo={repo} plan={plan} policies={policies} onEdit={() => setEditing(plan.id)} onChanged={changed} />
            ),
          )}
        </ul>
      ) : (
        <p className="muted">No support plan yet.</p>
      )}
      <h4>New plan</h4>
      <PlanForm key={plans.length} repo={repo} plan={null} policies={policies} onSaved={changed} />
    </>
  );
}
