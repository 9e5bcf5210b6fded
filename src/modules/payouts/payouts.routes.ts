import { idParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { requireIdempotencyKey, sendStored } from '../payments/idempotency.ts';
import { idempotencyHeaders } from '../payments/payments.schemas.ts';
import { repoParams } from '../repos/repos.schemas.ts';
import {
  adminListQuery,
  adminPayoutList,
  balanceOut,
  markFailedBody,
  markPaidBody,
  payoutErrors,
  payoutList,
  payoutOut,
  payoutSettingsBody,
  payoutSettingsOut,
  runOut,
} from './payouts.schemas.ts';
import type { PayoutsService } from './payouts.service.ts';

const fullNameOf = (params: { owner: string; name: string }) => `${params.owner}/${params.name}`;

export function registerPayoutRoutes(app: App, payouts: PayoutsService) {
  const { access } = payouts;

  app.get('/api/v1/helpers/me/balance', {
    schema: { tags: ['payouts'], summary: 'What the platform owes you, per currency, and your next payout', response: { 200: balanceOut, ...payoutErrors } },
  }, async (request) => payouts.balance(await access.me(request.actor)));

  app.get('/api/v1/repos/:owner/:name/balance', {
    schema: {
      tags: ['payouts'],
      summary: "What the platform owes the repository (its commission), per currency (maintainers)",
      params: repoParams,
      response: { 200: balanceOut, ...payoutErrors },
    },
  }, async (request) => payouts.balance(await access.repo(request.actor, fullNameOf(request.params))));

  app.get('/api/v1/helpers/me/payout-settings', {
    schema: { tags: ['payouts'], summary: 'Your payout schedule and minimums', response: { 200: payoutSettingsOut, ...payoutErrors } },
  }, async (request) => payouts.settings(await access.me(request.actor)));

  app.put('/api/v1/helpers/me/payout-settings', {
    schema: { tags: ['payouts'], summary: 'Choose weekly or monthly payouts and raise your minimum', body: payoutSettingsBody, response: { 200: payoutSettingsOut, ...payoutErrors } },
  }, async (request) => payouts.saveSettings(request.actor, await access.me(request.actor), request.body));

  app.get('/api/v1/repos/:owner/:name/payout-settings', {
    schema: { tags: ['payouts'], summary: "The repository's payout schedule and minimums (maintainers)", params: repoParams, response: { 200: payoutSettingsOut, ...payoutErrors } },
  }, async (request) => payouts.settings(await access.repo(request.actor, fullNameOf(request.params))));

  app.put('/api/v1/repos/:owner/:name/payout-settings', {
    schema: {
      tags: ['payouts'],
      summary: "Choose the repository's payout schedule and raise its minimum (maintainers)",
      params: repoParams,
      body: payoutSettingsBody,
      response: { 200: payoutSettingsOut, ...payoutErrors },
    },
  }, async (request) => payouts.saveSettings(request.actor, await access.repo(request.actor, fullNameOf(request.params)), request.body));

  app.get('/api/v1/helpers/me/payouts', {
    schema: { tags: ['payouts'], summary: 'Your payouts, newest first', response: { 200: payoutList, ...payoutErrors } },
  }, async (request) => payouts.listFor(await access.me(request.actor)));

  app.get('/api/v1/repos/:owner/:name/payouts', {
    schema: { tags: ['payouts'], summary: "The repository's payouts, newest first (maintainers)", params: repoParams, response: { 200: payoutList, ...payoutErrors } },
  }, async (request) => payouts.listFor(await access.repo(request.actor, fullNameOf(request.params))));

  app.get('/api/v1/admin/payouts', {
    schema: { tags: ['operator'], summary: 'Payouts, newest first, by status: pending_manual ones wait for a bank transfer (operators)', querystring: adminListQuery, response: { 200: adminPayoutList, ...payoutErrors } },
  }, async (request) => payouts.adminList(request.actor, request.query));

  app.post('/api/v1/admin/payouts/run', {
    schema: { tags: ['operator'], summary: 'Run the due payouts now rather than at midnight UTC; nothing is paid twice (operators)', response: { 202: runOut, ...payoutErrors } },
  }, async (request, reply) => reply.code(202).send(await payouts.runNow(request.actor)));

  app.post('/api/v1/admin/payouts/:id/mark-paid', {
    schema: {
      tags: ['operator'],
      summary: 'Record the bank transfer of a manual payout (operators); requires an Idempotency-Key',
      headers: idempotencyHeaders,
      params: idParams,
      body: markPaidBody,
      response: { 200: payoutOut, ...payoutErrors },
    },
  }, async (request, reply) =>
    sendStored(reply, await payouts.markPaid(request.actor, request.params.id, request.body ?? {}, requireIdempotencyKey(request.headers['idempotency-key']))));

  app.post('/api/v1/admin/payouts/:id/mark-failed', {
    schema: {
      tags: ['operator'],
      summary: 'A payout that will not arrive: reversed in the ledger, the money is owed again (operators); requires an Idempotency-Key',
      headers: idempotencyHeaders,
      params: idParams,
      body: markFailedBody,
      response: { 200: payoutOut, ...payoutErrors },
    },
  }, async (request, reply) =>
    sendStored(reply, await payouts.markFailed(request.actor, request.params.id, request.body, requireIdempotencyKey(request.headers['idempotency-key']))));
}
