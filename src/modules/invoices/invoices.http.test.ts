import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp } from '../../../test/helpers/app.ts';
import { createRepo, createUser, type TestUser } from '../../../test/helpers/factories.ts';
import { client, withKey } from '../../../test/helpers/http.ts';
import { consultingLines, countRows, createBuyerOrg, issue, pdfText, startInvoicingApp, type InvoicingContext } from '../../../test/helpers/invoices.ts';
import { linkToken } from '../../../test/helpers/session.ts';
import { MINUTE } from '../../lib/clock.ts';
import type { Config } from '../../config.ts';
import type { AppError } from '../../errors.ts';
import type { Invoice } from './invoices.presenter.ts';
import { platformSeller, requireSellerForRealMoney } from './invoices.seller.ts';

describe('invoices over HTTP', () => {
  let it: InvoicingContext;
  let org: Awaited<ReturnType<typeof createBuyerOrg>>;
  let maintainer: TestUser;
  let invoice: Invoice;
  before(async () => {
    it = await startInvoicingApp();
    org = await createBuyerOrg(it.ctx, { poNumberDefault: 'PO-4471' });
    const repo = await createRepo(it.ctx);
    maintainer = repo.maintainer;
    invoice = await issue(it.ctx, { buyer: { kind: 'org', orgId: org.id }, issuer: { kind: 'platform', repoId: repo.id } });
  });
  after(() => it.ctx.close());

  const pdfOf = (token: string | null, id: string) =>
    it.ctx.app.inject({ method: 'GET', url: `/api/v1/invoices/${id}.pdf`, headers: token ? { authorization: `Bearer ${token}` } : {} });

  /** A member of the organization who is not an admin, through the real invitation flow. */
  async function plainMember() {
    const member = await createUser(it.ctx);
    assert.equal((await org.admin.api.post(`/api/v1/orgs/${org.slug}/invitations`, { email: member.email, role: 'member' })).status, 201);
    await it.ctx.jobs.drain();
    const token = linkToken(it.ctx, member.email, '/invitations/accept');
    assert.equal((await member.api.post('/api/v1/invitations/accept', { token })).status, 200);
    return member;
  }

  test('the JSON form carries both parties, the PO number, dates, lines, totals and how to pay', async () => {
    const response = await org.admin.api.get(`/api/v1/invoices/${invoice.id}`);
    assert.equal(response.status, 200);
    const body = response.body as Invoice;
    assert.equal(body.number, 'BL-2026-000001');
    assert.deepEqual(body.seller, { legalName: 'Backline GmbH', address: ['Hauptstraße 5', '10115 Berlin'], country: 'DE', vatId: 'DE811111111' });
    assert.equal(body.buyer.email, 'ap@acme.example');
    assert.equal(body.poNumber, 'PO-4471');
    assert.deepEqual([body.issueDate, body.dueDate], ['2026-01-05', '2026-02-04']);
    assert.deepEqual(body.lines.map((line) => [line.kind, line.quantity, line.unitPrice, line.amount, line.reference]), [
      ['consulting', 3, 15_000, 45_000, { type: 'quote', id: 'Q-1' }],
      ['time', 90, 150, 13_500, null],
    ]);
    assert.deepEqual(body.paymentInstructions, { method: 'bank_transfer', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX', reference: 'BL-2026-000001', amount: 69_615 });
    assert.equal(body.pdfUrl, `/api/v1/invoices/${invoice.id}.pdf`);
  });

  test('the PDF shows the number, both VAT ids, the PO number, the totals and the bank details', async () => {
    const response = await pdfOf(org.admin.token, invoice.id);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/pdf');
    assert.equal(response.headers['content-disposition'], 'inline; filename="BL-2026-000001.pdf"');
    const text = await pdfText(response.rawPayload);
    for (const expected of [
      'Invoice BL-2026-000001',
      'VAT ID: DE811111111',
      'VAT ID: DE123456789',
      'Acme Widgets GmbH',
      'Hauptstraße 5',
      'PO number PO-4471',
      'Due date 2026-02-04',
      'Architecture review 3 €150.00 €450.00',
      'Live session 90 min €1.50 €135.00',
      'Subtotal €585.00',
      'VAT 19% (DE) €111.15',
      'Total €696.15',
      'IBAN: DE89 3704 0044 0532 0130 00',
      'Reference: BL-2026-000001',
    ]) {
      assert.ok(text.includes(expected), `the PDF text has "${expected}":\n${text}`);
    }
  });

  test('a reverse-charged credit note in yen prints its own title, the invoice it credits, the note and whole yen', async () => {
    const french = await createBuyerOrg(it.ctx, { legalName: 'Société Générale des Widgets', country: 'FR', vatId: 'FR12345678901' });
    const yen = await issue(it.ctx, { buyer: { kind: 'org', orgId: french.id }, currency: 'JPY', lines: [{ kind: 'plan', description: 'Support plan, January', quantity: 1, unitPrice: 120_000 }] });
    const note = await it.operator.api.post(`/api/v1/invoices/${yen.id}/credit-notes`, { reason: 'Plan cancelled', full: true }, withKey());
    const text = await pdfText((await pdfOf(it.operator.token, note.body.id)).rawPayload);
    for (const expected of [`Credit note ${note.body.number}`, `Credits invoice ${yen.number}`, 'Société Générale des Widgets', 'Total credited ¥120,000', 'Reverse charge: VAT to be accounted for by the recipient', 'Plan cancelled']) {
      assert.ok(text.includes(expected), `the PDF text has "${expected}":\n${text}`);
    }
    assert.ok(!text.includes('IBAN'), 'a credit note asks for no payment');
  });

  test('a credit of part of a logged-time line prints as one amount, a whole line in minutes', async () => {
    const fresh = await issue(it.ctx, { buyer: { kind: 'org', orgId: org.id } });
    const [review, session] = fresh.lines;
    const note = await it.operator.api.post(`/api/v1/invoices/${fresh.id}/credit-notes`, {
      reason: 'Shorter session',
      lines: [{ lineId: session.id, amount: 1000 }, { lineId: review.id, amount: 45_000 }],
    }, withKey());
    const text = await pdfText((await pdfOf(it.operator.token, note.body.id)).rawPayload);
    for (const expected of ['Live session 1 €10.00 €10.00', 'Architecture review 3 €150.00 €450.00', 'Total credited €547.40']) {
      assert.ok(text.includes(expected), `the PDF text has "${expected}":\n${text}`);
    }
  });

  test('readable by the buying org admins, the repository maintainers and operators; 404 for everyone else', async () => {
    const member = await plainMember();
    const otherAdmin = (await createBuyerOrg(it.ctx)).admin;
    const stranger = await createUser(it.ctx);
    for (const reader of [org.admin, maintainer, it.operator]) {
      assert.equal((await reader.api.get(`/api/v1/invoices/${invoice.id}`)).status, 200);
      assert.equal((await pdfOf(reader.token, invoice.id)).statusCode, 200);
    }
    // A plain member gets the same 404 as a stranger: invoices are the admins' business.
    for (const outsider of [member, otherAdmin, stranger]) {
      const response = await outsider.api.get(`/api/v1/invoices/${invoice.id}`);
      assert.equal(response.status, 404);
      assert.equal(response.body.error.code, 'not_found');
      assert.equal((await pdfOf(outsider.token, invoice.id)).statusCode, 404);
    }
    assert.equal((await client(it.ctx).get(`/api/v1/invoices/${invoice.id}`)).status, 401);
    assert.equal((await pdfOf(null, invoice.id)).statusCode, 401);
    assert.equal((await org.admin.api.get('/api/v1/invoices/not-a-uuid')).status, 400);
  });

  test('an individual buyer reads their own invoice, nobody else does', async () => {
    const person = await createUser(it.ctx);
    const own = await issue(it.ctx, { buyer: { kind: 'user', userId: person.id, country: 'DE' } });
    assert.equal((await person.api.get(`/api/v1/invoices/${own.id}`)).status, 200);
    assert.equal((await person.api.get(`/api/v1/invoices/${invoice.id}`)).status, 404);
    assert.equal((await org.admin.api.get(`/api/v1/invoices/${own.id}`)).status, 404);
  });

  test("an organization's list: its admins page through it newest first; members get a 403, outsiders a 404", async () => {
    const buyer = await createBuyerOrg(it.ctx);
    const issued = [];
    for (let index = 0; index < 3; index++) {
      issued.push(await issue(it.ctx, { buyer: { kind: 'org', orgId: buyer.id } }));
      it.ctx.clock.advance(MINUTE);
    }
    const first = await buyer.admin.api.get(`/api/v1/orgs/${buyer.slug}/invoices?limit=2`);
    assert.equal(first.status, 200);
    const second = await buyer.admin.api.get(`/api/v1/orgs/${buyer.slug}/invoices?limit=2&cursor=${first.body.nextCursor}`);
    assert.deepEqual([...first.body.items, ...second.body.items].map((item: Invoice) => item.number), issued.map((item) => item.number).reverse());
    assert.equal(second.body.nextCursor, null);
    for (const forged of ['forged', Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url')]) {
      assert.equal((await buyer.admin.api.get(`/api/v1/orgs/${buyer.slug}/invoices?cursor=${forged}`)).status, 400);
    }

    assert.equal((await (await plainMember()).api.get(`/api/v1/orgs/${org.slug}/invoices`)).status, 403);
    assert.equal((await buyer.admin.api.get(`/api/v1/orgs/${org.slug}/invoices`)).status, 404);
    assert.equal((await it.operator.api.get(`/api/v1/orgs/${buyer.slug}/invoices`)).body.items.length, 3);
  });

  test("an organization's spend per repository nets credit notes against their invoice's repository; admins only", async () => {
    const buyer = await createBuyerOrg(it.ctx);
    const widgets = await createRepo(it.ctx, { fullName: 'spend/widgets' });
    const gadgets = await createRepo(it.ctx, { fullName: 'spend/gadgets' });
    const first = await issue(it.ctx, { buyer: { kind: 'org', orgId: buyer.id }, issuer: { kind: 'platform', repoId: widgets.id } });
    await issue(it.ctx, { buyer: { kind: 'org', orgId: buyer.id }, issuer: { kind: 'platform', repoId: widgets.id } });
    const other = await issue(it.ctx, { buyer: { kind: 'org', orgId: buyer.id }, issuer: { kind: 'platform', repoId: gadgets.id } });
    const credit = await it.operator.api.post(`/api/v1/invoices/${first.id}/credit-notes`, { reason: 'Goodwill', full: true }, withKey());
    assert.equal(credit.status, 201, JSON.stringify(credit.body));

    const spend = await buyer.admin.api.get(`/api/v1/orgs/${buyer.slug}/spend`);
    assert.equal(spend.status, 200, JSON.stringify(spend.body));
    assert.deepEqual(spend.body.items, [
      { repo: 'spend/gadgets', currency: 'EUR', invoiced: other.total, credited: 0, net: other.total, invoices: 1 },
      { repo: 'spend/widgets', currency: 'EUR', invoiced: first.total * 2, credited: first.total, net: first.total, invoices: 2 },
    ]);
    assert.equal((await (await plainMember()).api.get(`/api/v1/orgs/${org.slug}/spend`)).status, 403);
    assert.equal((await buyer.admin.api.get(`/api/v1/orgs/${org.slug}/spend`)).status, 404);
  });

  test('bad input is a 400 naming the field, and writes nothing: no invoice, no line, no number taken', async () => {
    const counts = async () => [await countRows(it.ctx, 'invoices'), await countRows(it.ctx, 'invoice_lines'), await countRows(it.ctx, 'invoice_counters')];
    const before = await counts();
    const base = { buyer: { kind: 'org', orgId: org.id }, currency: 'EUR', lines: consultingLines };
    const line = consultingLines[0];
    const cases: [unknown, string][] = [
      [{ ...base, lines: [{ ...line, unitPrice: -100 }] }, 'body.lines.0.unitPrice'],
      [{ ...base, lines: [{ ...line, unitPrice: 10.5 }] }, 'body.lines.0.unitPrice'],
      [{ ...base, lines: [{ ...line, quantity: 1.5 }] }, 'body.lines.0.quantity'],
      [{ ...base, lines: [{ ...line, quantity: 0 }] }, 'body.lines.0.quantity'],
      [{ ...base, lines: [{ ...line, kind: 'gift' }] }, 'body.lines.0.kind'],
      [{ ...base, lines: [] }, 'body.lines'],
      [{ ...base, currency: 'EURO' }, 'body.currency'],
      [{ ...base, currency: 'XYZ' }, 'body.currency'],
      [{ ...base, netTermsDays: -1 }, 'body.netTermsDays'],
      [{ ...base, buyer: { kind: 'org', orgId: 'acme' } }, 'body.buyer.orgId'],
    ];
    for (const [body, path] of cases) {
      const response = await it.operator.api.post('/api/v1/admin/invoices', body, withKey());
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.ok(response.body.error.details.some((detail: { path: string }) => detail.path === path), `${JSON.stringify(response.body)} names ${path}`);
    }
    const zero = await it.operator.api.post('/api/v1/admin/invoices', { ...base, lines: [{ ...line, unitPrice: 0 }] }, withKey());
    assert.deepEqual([zero.status, zero.body.error.details], [400, [{ path: 'lines', message: 'the invoice must come to more than 0' }]]);
    const huge = await it.operator.api.post('/api/v1/admin/invoices', { ...base, lines: [{ ...line, quantity: 1e7, unitPrice: 1e7 }] }, withKey());
    assert.deepEqual([huge.status, huge.body.error.details[0].path], [400, 'lines.0']);
    const unknownOrg = await it.operator.api.post('/api/v1/admin/invoices', { ...base, buyer: { kind: 'org', orgId: '00000000-0000-7000-8000-000000000000' } }, withKey());
    assert.deepEqual([unknownOrg.status, unknownOrg.body.error.details], [400, [{ path: 'buyer.orgId', message: 'is not an organization' }]]);
    // The service checks its input too: the payments code does not go through the HTTP schema.
    await assert.rejects(issue(it.ctx, { buyer: { kind: 'org', orgId: org.id }, lines: [{ ...line, unitPrice: -1 }] }), (error: { status: number; details: { path: string }[] }) =>
      error.status === 400 && error.details[0].path === 'lines.0.unitPrice');
    assert.deepEqual(await counts(), before);

    const fine = await it.operator.api.post('/api/v1/admin/invoices', { ...base, currency: 'usd', netTermsDays: 14, poNumber: 'PO-9' }, withKey());
    assert.equal(fine.status, 201, JSON.stringify(fine.body));
    assert.deepEqual([fine.body.currency, fine.body.dueDate, fine.body.poNumber], ['USD', '2026-01-19', 'PO-9']);
    assert.equal((await org.admin.api.post('/api/v1/admin/invoices', base, withKey())).status, 403);
  });

  test('the OpenAPI document describes the invoice routes', async () => {
    const spec = await client(it.ctx).get('/openapi.json');
    assert.equal(spec.status, 200);
    for (const path of ['/api/v1/invoices/{id}', '/api/v1/invoices/{id}.pdf', '/api/v1/orgs/{slug}/invoices', '/api/v1/admin/bank-imports', '/api/v1/invoices/{id}/credit-notes']) {
      assert.ok(spec.body.paths[path], `${path} is documented`);
    }
  });
});

describe('invoicing without seller details', () => {
  test('a test-mode platform (the sandbox) sells as "Backline (test mode)" at 0% VAT, so the offline journey works', async () => {
    const ctx = await startTestApp();
    try {
      const operator = await createUser(ctx, { operator: true });
      const buyer = await createUser(ctx);
      const response = await operator.api.post('/api/v1/admin/invoices', { buyer: { kind: 'user', userId: buyer.id }, currency: 'EUR', lines: consultingLines }, withKey());
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(response.body.seller.legalName, 'Backline (test mode)');
      assert.equal(response.body.tax.rateBps, 0);
      assert.equal(response.body.total, response.body.subtotal);
    } finally {
      await ctx.close();
    }
  });

  test('with real money (Stripe) the app refuses to start, naming the settings to set', () => {
    const stripe = { STRIPE_SECRET_KEY: 'sk_test_123', PLATFORM_ADDRESS: '' } as Config;
    assert.throws(() => requireSellerForRealMoney(stripe), /PLATFORM_LEGAL_NAME and PLATFORM_COUNTRY/);
    assert.throws(() => platformSeller(stripe), (error: AppError) => error.code === 'invoicing_not_configured');
    assert.doesNotThrow(() => requireSellerForRealMoney({ ...stripe, PLATFORM_LEGAL_NAME: 'Backline GmbH', PLATFORM_COUNTRY: 'DE' }));
  });
});
