import assert from 'node:assert/strict';
import { extractText, getDocumentProxy } from 'unpdf';
import type { IssueInput } from '../../src/modules/invoices/invoices.schemas.ts';
import { startTestApp, type TestContext } from './app.ts';
import { createUser, type TestUser } from './factories.ts';

/** The platform as a German seller with a bank account, as the invoice tests expect it. */
export const SELLER_ENV = {
  PLATFORM_LEGAL_NAME: 'Backline GmbH',
  PLATFORM_ADDRESS: 'Hauptstraße 5|10115 Berlin',
  PLATFORM_COUNTRY: 'DE',
  PLATFORM_VAT_ID: 'DE811111111',
  PLATFORM_IBAN: 'DE89 3704 0044 0532 0130 00',
  PLATFORM_BIC: 'COBADEFFXXX',
  NET_TERMS_DAYS: '30',
};

export type InvoicingContext = { ctx: TestContext; operator: TestUser };

/** The app with invoicing configured, an operator, and VAT rates for Germany (19%) and France (20%). */
export async function startInvoicingApp(): Promise<InvoicingContext> {
  const ctx = await startTestApp({ env: SELLER_ENV });
  const operator = await createUser(ctx, { operator: true });
  for (const [country, rateBps] of [['DE', 1900], ['FR', 2000]] as const) {
    const set = await operator.api.put(`/api/v1/admin/tax-rates/${country}`, { rateBps });
    assert.equal(set.status, 200, JSON.stringify(set.body));
  }
  return { ctx, operator };
}

let sequence = 0;

/** An organization with billing details, created through the API by its admin. */
export async function createBuyerOrg(ctx: TestContext, billing: Record<string, string | null> = {}) {
  const admin = await createUser(ctx);
  const slug = `buyer-${++sequence}-${Date.now().toString(36)}`;
  const created = await admin.api.post('/api/v1/orgs', {
    slug,
    name: `Buyer ${sequence}`,
    legalName: 'Acme Widgets GmbH',
    addressLine1: 'Torstraße 10',
    postalCode: '10119',
    city: 'Berlin',
    country: 'DE',
    vatId: 'DE123456789',
    billingEmail: 'ap@acme.example',
    ...billing,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { id: created.body.id as string, slug, admin };
}

export const consultingLines: IssueInput['lines'] = [
  { kind: 'consulting', description: 'Architecture review', quantity: 3, unitPrice: 15_000, reference: { type: 'quote', id: 'Q-1' } },
  { kind: 'time', description: 'Live session', quantity: 90, unitPrice: 150 },
];

/** Issues through the service in a transaction of its own, as the payments code will. */
export async function issue(ctx: TestContext, input: Omit<IssueInput, 'lines' | 'currency'> & Partial<Pick<IssueInput, 'lines' | 'currency'>>) {
  return ctx.db.transaction().execute((trx) => ctx.services.invoices.issueInvoice(trx, { currency: 'EUR', lines: consultingLines, ...input }));
}

/** The text of a PDF, pages joined, as a person copying it would get it. */
export async function pdfText(pdf: Buffer): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf)), { mergePages: true });
  return text;
}

export const countRows = async (ctx: TestContext, table: 'invoices' | 'invoice_lines' | 'invoice_counters') =>
  Number((await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()).count);
