import type { Insertable } from 'kysely';
import type { z } from 'zod';
import type { Tx } from '../../db/database.ts';
import type { InvoiceLinesTable } from '../../db/types.ts';
import type { Deps } from '../../deps.ts';
import { conflict, invalidField } from '../../errors.ts';
import { DAY } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { findUserById } from '../users/users.repository.ts';
import { lockSeries, seriesOf } from './invoices.numbering.ts';
import * as repo from './invoices.repository.ts';
import { issueInput, MAX_AMOUNT, parseInput, type IssueInput } from './invoices.schemas.ts';
import { defaultTaxRateBps, platformSeller } from './invoices.seller.ts';
import { includedTax, taxOn, taxTreatment } from './invoices.tax.ts';

type IssueRequest = z.output<typeof issueInput>;

export type BuyerSnapshot = {
  buyer_org_id: string | null;
  buyer_user_id: string | null;
  buyer_name: string;
  buyer_email: string | null;
  buyer_address: string;
  buyer_country: string | null;
  buyer_vat_id: string | null;
  po_number: string | null;
};

/** The buyer as they are now, copied onto the invoice: later edits to the organization do not rewrite it. */
async function snapshotBuyer(trx: Tx, request: IssueRequest): Promise<BuyerSnapshot> {
  const { buyer } = request;
  if (buyer.kind === 'org') {
    const org = await repo.findOrgBilling(trx, buyer.orgId);
    if (!org) throw invalidField('buyer.orgId', 'is not an organization');
    const cityLine = [org.postal_code, org.city].filter(Boolean).join(' ');
    return {
      buyer_org_id: org.id,
      buyer_user_id: null,
      buyer_name: org.legal_name ?? org.name,
      buyer_email: org.billing_email,
      buyer_address: [org.address_line1, org.address_line2, cityLine, org.region].filter(Boolean).join('\n'),
      buyer_country: org.country,
      buyer_vat_id: org.vat_id,
      po_number: request.poNumber ?? org.po_number_default,
    };
  }
  const user = await findUserById(trx, buyer.userId);
  if (!user) throw invalidField('buyer.userId', 'is not a user');
  return {
    buyer_org_id: null,
    buyer_user_id: user.id,
    buyer_name: user.display_name,
    buyer_email: user.email,
    buyer_address: '',
    buyer_country: buyer.country ?? null,
    buyer_vat_id: null,
    po_number: request.poNumber ?? null,
  };
}

/** Line amounts and their sum, exactly, refusing what would not fit: quantity × price is checked in BigInt. */
function priceLines(request: IssueRequest) {
  const lines = request.lines.map((line, index) => {
    const amount = BigInt(line.quantity) * BigInt(line.unitPrice);
    if (amount > BigInt(MAX_AMOUNT)) throw invalidField(`lines.${index}`, `quantity × unitPrice is above ${MAX_AMOUNT}`);
    return { ...line, amount: Number(amount) };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  if (subtotal <= 0) throw invalidField('lines', 'the invoice must come to more than 0');
  if (subtotal > MAX_AMOUNT) throw invalidField('lines', `the lines add up to more than ${MAX_AMOUNT}`);
  return { lines, subtotal };
}

/**
 * Issues an invoice in the caller's transaction, numbered from the issuer's series (see
 * invoices.numbering.ts). With a paymentId that already has an invoice, returns that invoice's id
 * instead of issuing a second one, so that a retried payment step is harmless.
 */
export async function issueInvoice(deps: Deps, trx: Tx, input: IssueInput, createdBy: string | null): Promise<{ id: string; replayed: boolean }> {
  const request = parseInput(issueInput, input);
  const seller = platformSeller(deps.config);
  if (request.issuer.repoId && !(await repo.repoExists(trx, request.issuer.repoId))) {
    throw invalidField('issuer.repoId', 'is not a repository');
  }
  const buyer = await snapshotBuyer(trx, request);
  const { lines, subtotal: linesTotal } = priceLines(request);
  const treatment = taxTreatment(seller.country, { business: buyer.buyer_org_id !== null, country: buyer.buyer_country, vatId: buyer.buyer_vat_id });
  const rateBps = treatment.reverseCharge ? 0 : ((await repo.taxRate(trx, treatment.country)) ?? defaultTaxRateBps(deps.config));
  if (rateBps === undefined) {
    throw conflict(`No VAT rate is set for ${treatment.country}; an operator sets one with PUT /api/v1/admin/tax-rates/${treatment.country}.`, 'tax_rate_missing');
  }
  // A card price includes VAT (its lines are what was charged); an invoice to be paid adds VAT on top.
  const tax = request.taxInclusive ? includedTax(linesTotal, rateBps) : taxOn(linesTotal, rateBps);
  const subtotal = request.taxInclusive ? linesTotal - tax : linesTotal;

  const now = deps.clock.now();
  const series = seriesOf('invoice', now);
  const counter = await lockSeries(trx, seller.issuer, series);
  // Checked under the series lock: a concurrent issue for the same payment has committed by now.
  if (request.paymentId) {
    const existing = await repo.findInvoiceForPayment(trx, request.paymentId);
    if (existing) return { id: existing.id, replayed: true };
  }
  const { sequence, number } = await counter.take();
  const id = newId(now.getTime());
  const netTermsDays = request.netTermsDays ?? deps.config.NET_TERMS_DAYS;
  await repo.insertInvoice(
    trx,
    {
      id,
      kind: 'invoice',
      issuer: seller.issuer,
      series,
      sequence,
      number,
      credits_invoice_id: null,
      repo_id: request.issuer.repoId,
      payment_id: request.paymentId ?? null,
      status: 'issued',
      currency: request.currency,
      seller_legal_name: seller.legalName,
      seller_address: seller.address,
      seller_country: seller.country,
      seller_vat_id: seller.vatId,
      ...buyer,
      tax_country: treatment.country,
      tax_rate_bps: rateBps,
      reverse_charge: treatment.reverseCharge,
      tax_inclusive: request.taxInclusive,
      subtotal,
      tax,
      total: subtotal + tax,
      net_terms_days: netTermsDays,
      issued_at: now,
      due_at: new Date(now.getTime() + netTermsDays * DAY),
      paid_at: null,
      payment_reference: null,
      voided_at: null,
      created_by: createdBy,
    },
    lines.map((line, index): Insertable<InvoiceLinesTable> => ({
      id: newId(now.getTime()),
      invoice_id: id,
      position: index + 1,
      kind: line.kind,
      description: line.description,
      quantity: line.quantity,
      unit_price: line.unitPrice,
      amount: line.amount,
      reference_type: line.reference?.type ?? null,
      reference_id: line.reference?.id ?? null,
      credits_line_id: null,
    })),
  );
  return { id, replayed: false };
}
