import { z } from 'zod';
import { errorResponses, idParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { requireIdempotencyKey, sendStored } from '../payments/idempotency.ts';
import { idempotencyHeaders, moneyErrors } from '../payments/payments.schemas.ts';
import { acceptBody, acceptedOut, createServiceBody, quoteBody, quoteOut, requestBody, requestOut, serviceIdParams, serviceOut, serviceParams, updateServiceBody } from './consulting.schemas.ts';
import type { ConsultingService } from './consulting.service.ts';

const tags = ['consulting'];
const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;

export function registerConsultingRoutes(app: App, consulting: ConsultingService) {
  app.post('/api/v1/repos/:owner/:name/consulting-services', {
    schema: {
      tags,
      summary: 'Add a consulting service to the catalogue: description, hourly rate per currency, typical length (maintainers)',
      params: serviceParams,
      body: createServiceBody,
      response: { 201: serviceOut, ...errorResponses },
    },
  }, async (request, reply) => reply.code(201).send(await consulting.createService(request.actor, fullNameOf(request.params), request.body)));

  app.patch('/api/v1/repos/:owner/:name/consulting-services/:id', {
    schema: {
      tags,
      summary: 'Change a consulting service: name, description, rates (replacing the old ones), typical length; active false withdraws it (maintainers)',
      params: serviceIdParams,
      body: updateServiceBody,
      response: { 200: serviceOut, ...errorResponses },
    },
  }, async (request) => consulting.updateService(request.actor, fullNameOf(request.params), request.params.id, request.body));

  app.get('/api/v1/repos/:owner/:name/consulting-services', {
    schema: { tags, summary: "A repository's consulting catalogue", params: serviceParams, response: { 200: z.object({ items: z.array(serviceOut) }), ...errorResponses } },
  }, async (request) => ({ items: await consulting.listServices(request.actor, fullNameOf(request.params)) }));

  app.post('/api/v1/consulting-requests', {
    schema: { tags, summary: 'Ask for a quote for a consulting service, with your context; it is worked as an expert ticket', body: requestBody, response: { 201: requestOut, ...errorResponses } },
  }, async (request, reply) => reply.code(201).send(await consulting.request(request.actor, request.body)));

  app.get('/api/v1/consulting-requests/:id', {
    schema: { tags, summary: 'A consulting request with its quotes (the customer and the repository team)', params: idParams, response: { 200: requestOut, ...errorResponses } },
  }, async (request) => consulting.getRequest(request.actor, request.params.id));

  app.post('/api/v1/consulting-requests/:id/quotes', {
    schema: {
      tags,
      summary: 'Quote hours, price and proposed starts (approved helpers and maintainers); the price defaults to hours × the hourly rate',
      params: idParams,
      body: quoteBody,
      response: { 201: quoteOut, ...errorResponses },
    },
  }, async (request, reply) => reply.code(201).send(await consulting.quote(request.actor, request.params.id, request.body)));

  app.post('/api/v1/consulting-quotes/:id/decline', {
    schema: { tags, summary: 'Decline a pending quote (the customer); the helper may send another', params: idParams, response: { 200: quoteOut, ...errorResponses } },
  }, async (request) => consulting.decline(request.actor, request.params.id));

  app.post('/api/v1/consulting-quotes/:id/withdraw', {
    schema: { tags, summary: 'Withdraw a quote not accepted yet (the helper who sent it)', params: idParams, response: { 200: quoteOut, ...errorResponses } },
  }, async (request) => consulting.withdraw(request.actor, request.params.id));

  app.post('/api/v1/consulting-quotes/:id/accept', {
    schema: {
      tags,
      summary: 'Accept a quote: pay by card or invoice and book the first session at a proposed start (the customer); requires an Idempotency-Key',
      params: idParams,
      headers: idempotencyHeaders,
      body: acceptBody,
      response: { 201: acceptedOut, ...moneyErrors },
    },
  }, async (request, reply) =>
    sendStored(reply, await consulting.accept(request.actor, request.params.id, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));
}
