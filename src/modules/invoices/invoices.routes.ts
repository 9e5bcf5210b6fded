import { z } from 'zod';
import { idParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { orgParams } from '../orgs/orgs.schemas.ts';
import { requireIdempotencyKey, sendStored } from '../payments/idempotency.ts';
import { idempotencyHeaders } from '../payments/payments.schemas.ts';
import {
  bankImportBody,
  bankImportOut,
  countryCode,
  creditNoteInput,
  invoiceErrors,
  invoiceListOut,
  invoiceOut,
  issueInput,
  listQuery,
  markPaidBody,
  taxRateBody,
  taxRateOut,
} from './invoices.schemas.ts';
import type { InvoicesService } from './invoices.service.ts';

export function registerInvoiceRoutes(app: App, invoices: InvoicesService) {
  // Bank statements arrive as CSV; the import parses the text itself so it can name the bad row.
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  }

  app.get('/api/v1/invoices/:id', {
    schema: {
      tags: ['invoices'],
      summary: 'An invoice or credit note (the buyer, maintainers of its repository, operators)',
      params: idParams,
      response: { 200: invoiceOut, ...invoiceErrors },
    },
  }, async (request) => invoices.get(request.actor, request.params.id));

  app.get('/api/v1/invoices/:id.pdf', {
    schema: {
      tags: ['invoices'],
      summary: 'An invoice or credit note as PDF (the buyer, maintainers of its repository, operators)',
      params: idParams,
      response: { 200: z.instanceof(Buffer).describe('application/pdf'), ...invoiceErrors },
    },
  }, async (request, reply) => {
    const { number, pdf } = await invoices.pdf(request.actor, request.params.id);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${number}.pdf"`).send(pdf);
  });

  app.get('/api/v1/orgs/:slug/invoices', {
    schema: {
      tags: ['invoices'],
      summary: "An organization's invoices and credit notes, newest first (admins)",
      params: orgParams,
      querystring: listQuery,
      response: { 200: invoiceListOut, ...invoiceErrors },
    },
  }, async (request) => invoices.listForOrg(request.actor, request.params.slug, request.query));

  app.post('/api/v1/admin/invoices', {
    schema: {
      tags: ['operator'],
      summary: 'Issue an invoice payable by bank transfer: a plan, consulting, anything billed by hand (operators); requires an Idempotency-Key',
      headers: idempotencyHeaders,
      body: issueInput,
      response: { 201: invoiceOut, ...invoiceErrors },
    },
  }, async (request, reply) =>
    sendStored(reply, await invoices.issueAsOperator(request.actor, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.post('/api/v1/admin/invoices/:id/mark-paid', {
    schema: {
      tags: ['operator'],
      summary: 'Record that an invoice was paid (operators); requires an Idempotency-Key',
      headers: idempotencyHeaders,
      params: idParams,
      body: markPaidBody,
      response: { 200: invoiceOut, ...invoiceErrors },
    },
  }, async (request, reply) =>
    sendStored(reply, await invoices.markPaidAsOperator(request.actor, request.params.id, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.post('/api/v1/invoices/:id/credit-notes', {
    schema: {
      tags: ['operator'],
      summary: 'Credit some lines of an invoice, or all of it (operators); requires an Idempotency-Key',
      headers: idempotencyHeaders,
      params: idParams,
      body: creditNoteInput,
      response: { 201: invoiceOut, ...invoiceErrors },
    },
  }, async (request, reply) =>
    sendStored(reply, await invoices.creditAsOperator(request.actor, request.params.id, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.post('/api/v1/admin/bank-imports', {
    schema: {
      tags: ['operator'],
      summary: 'Match a bank statement (CSV: date, amount, currency, reference) to open invoices and mark them paid (operators)',
      body: bankImportBody,
      response: { 200: bankImportOut, ...invoiceErrors },
    },
  }, async (request) => invoices.importBankStatement(request.actor, typeof request.body === 'string' ? request.body : request.body.csv));

  app.get('/api/v1/admin/tax-rates', {
    schema: { tags: ['operator'], summary: 'VAT rates per buyer country (operators)', response: { 200: z.object({ items: z.array(taxRateOut) }), ...invoiceErrors } },
  }, async (request) => ({ items: await invoices.taxRates(request.actor) }));

  app.put('/api/v1/admin/tax-rates/:country', {
    schema: {
      tags: ['operator'],
      summary: 'Set the VAT rate for buyers in a country (operators); issued invoices keep the rate they were issued with',
      params: z.object({ country: countryCode }),
      body: taxRateBody,
      response: { 200: taxRateOut, ...invoiceErrors },
    },
  }, async (request) => invoices.setTaxRate(request.actor, request.params.country, request.body.rateBps));
}
