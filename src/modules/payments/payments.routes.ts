import { z } from 'zod';
import { errorResponses, idParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { requireIdempotencyKey, sendStored as send } from './idempotency.ts';
import {
  createQuoteBody,
  disputeBody,
  disputedPaymentList,
  disputesQuery,
  idempotencyHeaders,
  moneyErrors,
  paymentEnvelope,
  paymentList,
  paymentOut,
  purchaseBody,
  quoteList,
  quoteOut,
  refundBody,
  refundResult,
  resolutionBody,
  timeEntryBody,
  timeEntryList,
  timeEntryOut,
} from './payments.schemas.ts';
import type { PaymentsService } from './payments.service.ts';

const tags = ['payments'];


export function registerPaymentRoutes(app: App, payments: PaymentsService) {
  app.post('/api/v1/tickets/:id/quotes', {
    schema: {
      tags,
      summary: 'Quote a price for the work (the assignee, while the ticket is claimed or in progress); the customer is emailed',
      params: idParams,
      body: createQuoteBody,
      response: { 201: quoteOut, ...errorResponses },
    },
  }, async (request, reply) => reply.code(201).send(await payments.quotes.create(request.actor, request.params.id, request.body)));

  app.get('/api/v1/tickets/:id/quotes', {
    schema: { tags, summary: "A ticket's quotes, oldest first (its customer, its assignee, the repository's maintainers)", params: idParams, response: { 200: quoteList, ...errorResponses } },
  }, async (request) => payments.quotes.list(request.actor, request.params.id));

  app.post('/api/v1/quotes/:id/accept', {
    schema: {
      tags,
      summary: 'Accept a quote and get the payment link (the customer); requires an Idempotency-Key',
      params: idParams,
      headers: idempotencyHeaders,
      response: { 201: paymentEnvelope, ...moneyErrors },
    },
  }, async (request, reply) => send(reply, await payments.quotes.accept(request.actor, request.params.id, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.post('/api/v1/quotes/:id/decline', {
    schema: { tags, summary: 'Decline a quote (the customer)', params: idParams, response: { 200: quoteOut, ...errorResponses } },
  }, async (request) => payments.quotes.decline(request.actor, request.params.id));

  app.post('/api/v1/quotes/:id/withdraw', {
    schema: { tags, summary: 'Withdraw a quote not accepted yet (the helper who sent it)', params: idParams, response: { 200: quoteOut, ...errorResponses } },
  }, async (request) => payments.quotes.withdraw(request.actor, request.params.id));

  app.post('/api/v1/tickets/:id/purchase', {
    schema: {
      tags,
      summary: "Buy a fixed-price or per-minute offering of the ticket's repository (the customer); requires an Idempotency-Key",
      params: idParams,
      headers: idempotencyHeaders,
      body: purchaseBody,
      response: { 201: paymentEnvelope, ...moneyErrors },
    },
  }, async (request, reply) =>
    send(reply, await payments.purchase(request.actor, request.params.id, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.get('/api/v1/tickets/:id/payments', {
    schema: { tags, summary: "A ticket's payments that concern you", params: idParams, response: { 200: paymentList, ...errorResponses } },
  }, async (request) => payments.ofTicket(request.actor, request.params.id));

  app.get('/api/v1/payments/:id', {
    schema: {
      tags,
      summary: "A payment (its payer, admins of the payer's organization, its helper, the repository's maintainers, operators)",
      params: idParams,
      response: { 200: paymentOut, ...errorResponses },
    },
  }, async (request) => payments.get(request.actor, request.params.id));

  app.post('/api/v1/payments/:id/refunds', {
    schema: {
      tags,
      summary: "Refund all or part of a payment (operators, the repository's maintainers); after release the split is reversed in proportion. Requires an Idempotency-Key",
      params: idParams,
      headers: idempotencyHeaders,
      body: refundBody,
      response: { 201: refundResult, ...moneyErrors },
    },
  }, async (request, reply) =>
    send(reply, await payments.refund(request.actor, request.params.id, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.post('/api/v1/tickets/:id/dispute', {
    schema: {
      tags,
      summary: 'Dispute the work before the money is released (the customer): the held payments are frozen until an operator decides',
      params: idParams,
      body: disputeBody,
      response: { 201: paymentList, ...errorResponses },
    },
  }, async (request, reply) => reply.code(201).send(await payments.dispute(request.actor, request.params.id, request.body.reason)));

  app.get('/api/v1/admin/disputes', {
    schema: {
      tags: ['operator'],
      summary: 'Disputed payments, most recently changed first (at most 100), with their ticket and disputes (operators)',
      querystring: disputesQuery,
      response: { 200: disputedPaymentList, ...errorResponses },
    },
  }, async (request) => payments.disputesForOperator(request.actor, request.query.status));

  app.post('/api/v1/admin/payments/:id/dispute-resolution', {
    schema: {
      tags: ['operator'],
      summary: "Settle a customer's dispute: release to the helper, or refund (all, or `amount` with the rest released). Requires an Idempotency-Key",
      params: idParams,
      headers: idempotencyHeaders,
      body: resolutionBody,
      response: { 200: paymentEnvelope, ...moneyErrors },
    },
  }, async (request, reply) =>
    send(reply, await payments.resolveDispute(request.actor, request.params.id, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.post('/api/v1/tickets/:id/time-entries', {
    schema: { tags, summary: 'Log time worked on the ticket (the assignee); sessions are charged for it', params: idParams, body: timeEntryBody, response: { 201: timeEntryOut, ...errorResponses } },
  }, async (request, reply) => reply.code(201).send(await payments.logTime(request.actor, request.params.id, request.body)));

  app.get('/api/v1/tickets/:id/time-entries', {
    schema: { tags, summary: 'Time logged on the ticket, oldest first (the customer and the repository team)', params: idParams, response: { 200: timeEntryList, ...errorResponses } },
  }, async (request) => payments.timeEntries(request.actor, request.params.id));

  registerSandboxRoutes(app, payments);
}

/** The sandbox's checkout page and its Pay button; both 404 unless the sandbox is the payment provider. */
function registerSandboxRoutes(app: App, payments: PaymentsService) {
  app.get('/pay/sandbox/:id', {
    schema: { hide: true, params: idParams },
  }, async (request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(await payments.sandbox.page(request.actor, request.params.id)));

  app.post('/api/v1/payments/:id/sandbox/complete', {
    schema: {
      tags,
      summary: 'Sandbox only: pay in test mode (the payer). No money moves; the payment goes through the same path as a real one',
      params: idParams,
      body: z.unknown().optional(),
      response: { 200: paymentOut, ...errorResponses },
    },
  }, async (request, reply) => {
    const payment = await payments.sandbox.complete(request.actor, request.params.id);
    // The page's form posts here: a browser goes back to the page, which now shows the payment as paid.
    if (String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return reply.redirect(`/pay/sandbox/${payment.id}`, 303);
    return payment;
  });
}
