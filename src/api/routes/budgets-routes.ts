import type { FastifyInstance } from 'fastify';
import { budgetReport } from '../../core/budgets/budget-report.js';
import { createSpendStore } from '../../queue/budgets/spend-store.js';
import type { ApiDeps } from '../api-deps.js';

/**
 * `GET /v1/budgets`: the caller's tenant's budget for the current period,
 * what it spent and what is left, read from Redis now (not the producer's
 * snapshot); admin tenants also see the fleet's and every tenant's.
 */
export function registerBudgetRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'fleet' | 'redis' | 'adminTenants'> & { now?: () => number }): void {
  const now = deps.now ?? Date.now;
  const settings = deps.fleet.budgets;
  const store = createSpendStore({ redis: deps.redis, fleetName: deps.fleet.name, period: settings.period });
  app.get(
    '/v1/budgets',
    {
      schema: {
        summary: "Spend budgets: the caller's tenant's budget this period, spent and left (admins: the fleet and every tenant too)",
        description:
          'Amounts in USD; `budgetUsd` and `leftUsd` are null when there is no budget. Spend counts as each model call answers, so calls in flight are not in it yet. See docs/budgets.md.',
        tags: ['budgets'],
      },
    },
    async (request) => {
      const at = now();
      const all = deps.adminTenants?.has(request.tenant) === true;
      return budgetReport({ settings, spend: await store.read(at), tenant: request.tenant, at, all });
    },
  );
}
