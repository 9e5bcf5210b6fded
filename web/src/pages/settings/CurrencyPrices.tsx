import type { ReactNode } from 'react';
import { Field } from '../../components/ui.tsx';

/** One currency's price as typed: the code and each amount field's text ("49.50"), keyed by field. */
export type PriceRow = { currency: string; values: Record<string, string> };
export type PriceField = { key: string; label: string; money?: boolean };

/** The code as the API takes it. */
export const currencyOf = (row: PriceRow) => row.currency.trim().toUpperCase();

/**
 * Every currency's price of an offering, plan or service, each edited, added or removed here, so that a
 * save sends exactly what is shown. Labels name the currency ("Price (EUR)") so each field is told apart.
 */
export function CurrencyPrices({ prefix, fields, rows, onChange, note }: { prefix: string; fields: PriceField[]; rows: PriceRow[]; onChange: (rows: PriceRow[]) => void; note?: ReactNode }) {
  const set = (index: number, patch: Partial<PriceRow>) => onChange(rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  return (
    <>
      {rows.map((row, index) => {
        const code = currencyOf(row) || 'currency';
        const id = `${prefix}-price-${index}`;
        return (
          <fieldset key={index}>
            <legend>Price in {code}</legend>
            {index === 0 && note}
            <div className="row">
              <Field id={`${id}-currency`} label={rows.length === 1 ? 'Currency' : `Currency ${index + 1}`}>
                <input id={`${id}-currency`} value={row.currency} maxLength={3} onChange={(event) => set(index, { currency: event.target.value })} />
              </Field>
              {fields.map((field) => (
                <Field key={field.key} id={`${id}-${field.key}`} label={field.money === false ? `${field.label} (${code} price)` : `${field.label} (${code})`}>
                  <input
                    id={`${id}-${field.key}`}
                    type="number"
                    step={field.money === false ? '1' : 'any'}
                    inputMode={field.money === false ? 'numeric' : 'decimal'}
                    value={row.values[field.key] ?? ''}
                    onChange={(event) => set(index, { values: { ...row.values, [field.key]: event.target.value } })}
                  />
                </Field>
              ))}
            </div>
            {rows.length > 1 && (
              <button type="button" className="secondary" onClick={() => onChange(rows.filter((_, at) => at !== index))}>
                Remove the {code} price
              </button>
            )}
          </fieldset>
        );
      })}
      <div className="actions">
        <button type="button" className="secondary" onClick={() => onChange([...rows, { currency: '', values: {} }])}>
          Add a currency
        </button>
      </div>
    </>
  );
}
