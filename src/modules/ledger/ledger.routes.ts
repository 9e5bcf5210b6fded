import type { App } from '../../http/types.ts';
import { checkOut, ledgerErrors } from './ledger.schemas.ts';
import type { LedgerService } from './ledger.service.ts';

export function registerLedgerRoutes(app: App, ledger: LedgerService) {
  app.get('/api/v1/admin/ledger/check', {
    schema: {
      tags: ['operator'],
      summary: 'Check the whole ledger: balanced transactions, zero-sum currencies, stored balances, reversals, idempotency keys (operators)',
      response: { 200: checkOut, ...ledgerErrors },
    },
  }, async (request) => ledger.check(request.actor));
}
