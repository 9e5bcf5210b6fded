import { idParams } from '../../http/schemas.ts';
import type { App } from '../../http/types.ts';
import { adminMoneyErrors, overviewOut, overviewQuery, reconciliationBody, reconciliationList, reconciliationOut } from './admin-money.schemas.ts';
import type { AdminMoneyService } from './admin-money.service.ts';

export function registerAdminMoneyRoutes(app: App, money: AdminMoneyService) {
  app.get('/api/v1/admin/money/overview', {
    schema: {
      tags: ['operator'],
      summary: 'Platform revenue by currency and month, money in escrow and owed, pending payouts, negative balances (operators)',
      querystring: overviewQuery,
      response: { 200: overviewOut, ...adminMoneyErrors },
    },
  }, async (request) => money.overview(request.actor, request.query));

  app.post('/api/v1/admin/reconciliation', {
    schema: {
      tags: ['operator'],
      summary: "Compare the ledger with the provider's charges, refunds and transfers over a period, and keep every difference (operators)",
      body: reconciliationBody,
      response: { 201: reconciliationOut, ...adminMoneyErrors },
    },
  }, async (request, reply) => reply.code(201).send(await money.reconcile(request.actor, request.body ?? {})));

  app.get('/api/v1/admin/reconciliation', {
    schema: { tags: ['operator'], summary: 'The latest 20 reconciliation runs, newest first, each with its differences (operators)', response: { 200: reconciliationList, ...adminMoneyErrors } },
  }, async (request) => money.runs(request.actor));

  app.get('/api/v1/admin/reconciliation/:id', {
    schema: { tags: ['operator'], summary: 'A reconciliation run and its differences (operators)', params: idParams, response: { 200: reconciliationOut, ...adminMoneyErrors } },
  }, async (request) => money.run(request.actor, request.params.id));
}
