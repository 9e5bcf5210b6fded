import { z } from 'zod';
import { errorResponses } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import {
  createOfferingBody,
  myRateBody,
  myRateQuery,
  offeringList,
  offeringOut,
  offeringParams,
  rateList,
  rateOut,
  updateOfferingBody,
} from './offerings.schemas.ts';
import type { OfferingsService } from './offerings.service.ts';

const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;
const base = '/api/v1/repos/:owner/:name/offerings';
const tags = ['offerings'];

export function registerOfferingRoutes(app: App, offerings: OfferingsService) {
  app.get(base, {
    schema: {
      tags,
      summary: 'Expert offerings of a repository with their prices: active ones for everyone, all of them and the helper-rate bounds for maintainers',
      params: repoParams,
      response: { 200: offeringList, ...errorResponses },
    },
  }, async (request) => ({ items: await offerings.list(request.actor, fullNameOf(request.params)) }));

  app.post(base, {
    schema: {
      tags,
      summary: 'Add an offering: a fixed-price ticket, a per-minute session or a quote (maintainers)',
      params: repoParams,
      body: createOfferingBody,
      response: { 201: offeringOut, ...errorResponses },
    },
  }, async (request, reply) => reply.code(201).send(await offerings.create(request.actor, fullNameOf(request.params), request.body)));

  app.patch(`${base}/:id`, {
    schema: {
      tags,
      summary: 'Change an offering, its prices or bounds; set active to false to withdraw it (maintainers)',
      params: offeringParams,
      body: updateOfferingBody,
      response: { 200: offeringOut, ...errorResponses },
    },
  }, async (request) => offerings.update(request.actor, fullNameOf(request.params), request.params.id, request.body));

  app.put(`${base}/:id/my-rate`, {
    schema: {
      tags,
      summary: "Set my own rate for an offering in one currency, within the maintainers' bounds (approved helpers)",
      params: offeringParams,
      body: myRateBody,
      response: { 200: rateOut, ...errorResponses },
    },
  }, async (request) => offerings.setMyRate(request.actor, fullNameOf(request.params), request.params.id, request.body));

  app.delete(`${base}/:id/my-rate`, {
    schema: {
      tags,
      summary: "Drop my own rate and charge the offering's price again (approved helpers)",
      params: offeringParams,
      querystring: myRateQuery,
      response: { 204: z.null(), ...errorResponses },
    },
  }, async (request, reply) => {
    await offerings.deleteMyRate(request.actor, fullNameOf(request.params), request.params.id, request.query.currency);
    return reply.code(204).send(null);
  });

  app.get(`${base}/:id/rates`, {
    schema: { tags, summary: "Every helper's own rates on an offering (maintainers)", params: offeringParams, response: { 200: rateList, ...errorResponses } },
  }, async (request) => ({ items: await offerings.rates(request.actor, fullNameOf(request.params), request.params.id) }));
}
