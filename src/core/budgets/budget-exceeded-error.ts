import { JobSpecError } from '../job/job-spec-error.js';
import type { SpentBudget } from './remaining-budgets.js';

/**
 * A job refused at enqueue because its tenant (or the fleet) has spent its
 * budget and `budgets.whenSpent` is `refuse`. Nothing of it was enqueued.
 * A JobSpecError (field `tenant`), so every producer caller that reports
 * refused jobs reports it too (batches by position); the API answers it
 * with 402 rather than 400.
 */
export class BudgetExceededError extends JobSpecError {
  readonly code = 'budget_exceeded';

  constructor(
    readonly spent: SpentBudget,
    /** When the period ends and the budget is whole again (epoch ms). */
    readonly resetsAt: number,
    reason: string,
  ) {
    super([{ field: 'tenant', message: reason }]);
    this.message = `job refused: ${reason}`;
  }
}
