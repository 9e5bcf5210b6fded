import { z } from 'zod';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { orgParams } from '../orgs/orgs.schemas.ts';
import { requireIdempotencyKey, sendStored } from '../payments/idempotency.ts';
import { idempotencyHeaders, moneyErrors } from '../payments/payments.schemas.ts';
import {
  billedOut,
  planIdParams,
  updatePlanBody,
  changeBody,
  changedOut,
  createPlanBody,
  planOut,
  planParams,
  subscribeBody,
  subscriptionOut,
  subscriptionParams,
  usageOut,
  usageQuery,
} from './plans.schemas.ts';
import type { PlansService } from './plans.service.ts';

const tags = ['plans'];
const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;

export function registerPlanRoutes(app: App, plans: PlansService) {
  app.post('/api/v1/repos/:owner/:name/plans', {
    schema: {
      tags,
      summary: 'Create a support plan tier: price per period per currency, included hours or tickets, channels, an SLA policy (maintainers)',
      params: planParams,
      body: createPlanBody,
      response: { 201: planOut, ...errorResponses },
    },
  }, async (request, reply) => reply.code(201).send(await plans.createPlan(request.actor, fullNameOf(request.params), request.body)));

  app.patch('/api/v1/repos/:owner/:name/plans/:id', {
    schema: {
      tags,
      summary: 'Edit a plan (maintainers): a new price applies from each subscription\'s next period; included amounts and the SLA policy from now; the period cannot change',
      params: planIdParams,
      body: updatePlanBody,
      response: { 200: planOut, ...errorResponses },
    },
  }, async (request) => plans.updatePlan(request.actor, fullNameOf(request.params), request.params.id, request.body));

  app.get('/api/v1/repos/:owner/:name/plans', {
    schema: { tags, summary: "A repository's support plans (inactive ones for its maintainers only)", params: planParams, response: { 200: z.object({ items: z.array(planOut) }), ...errorResponses } },
  }, async (request) => ({ items: await plans.listPlans(request.actor, fullNameOf(request.params)) }));

  app.post('/api/v1/orgs/:slug/subscriptions', {
    schema: {
      tags,
      summary: "Subscribe the organization to a plan, by card or by invoice with net terms (its admins); requires an Idempotency-Key",
      params: orgParams,
      headers: idempotencyHeaders,
      body: subscribeBody,
      response: { 201: billedOut, ...moneyErrors },
    },
  }, async (request, reply) =>
    sendStored(reply, await plans.subscribe(request.actor, request.params.slug, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.get('/api/v1/orgs/:slug/subscriptions', {
    schema: { tags, summary: "The organization's subscriptions, newest first (its admins)", params: orgParams, response: { 200: z.object({ items: z.array(subscriptionOut) }), ...errorResponses } },
  }, async (request) => ({ items: await plans.subscriptions(request.actor, request.params.slug) }));

  app.get('/api/v1/orgs/:slug/subscriptions/:id', {
    schema: { tags, summary: 'One subscription with its current period (the organization\'s admins)', params: subscriptionParams, response: { 200: subscriptionOut, ...errorResponses } },
  }, async (request) => plans.subscription(request.actor, request.params.slug, request.params.id));

  app.post('/api/v1/orgs/:slug/subscriptions/:id/change', {
    schema: {
      tags,
      summary: 'Upgrade or downgrade now, prorated over the rest of the period (its admins); requires an Idempotency-Key',
      params: subscriptionParams,
      headers: idempotencyHeaders,
      body: changeBody,
      response: { 200: changedOut, ...moneyErrors },
    },
  }, async (request, reply) =>
    sendStored(reply, await plans.change(request.actor, request.params.slug, request.params.id, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.post('/api/v1/orgs/:slug/subscriptions/:id/cancel', {
    schema: { tags, summary: 'Cancel at the end of the period paid for (its admins)', params: subscriptionParams, response: { 200: subscriptionOut, ...errorResponses } },
  }, async (request) => plans.cancel(request.actor, request.params.slug, request.params.id));

  app.get('/api/v1/orgs/:slug/usage', {
    schema: {
      tags,
      summary: 'Plan usage per subscription and period: hours and tickets used against the included amounts, SLA targets met and breached (its admins)',
      params: orgParams,
      querystring: usageQuery,
      response: { 200: usageOut, ...errorResponses },
    },
  }, async (request) => plans.usage(request.actor, request.params.slug, request.query));
}
