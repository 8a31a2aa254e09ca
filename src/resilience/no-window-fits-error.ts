import { TierCallError, type TierCallErrorInit } from './tier-call-error.js';

export interface NoWindowFitsInit extends Omit<TierCallErrorInit, 'reason'> {
  /** Estimated input tokens of the request. */
  estimatedTokens: number;
  /** The largest context window of any model the fleet could use. */
  largestWindow: number;
  largestModel: string | undefined;
}

/** The request is too long for every model the fleet could call: unrecoverable. */
export class NoWindowFitsError extends TierCallError {
  readonly estimatedTokens: number;
  readonly largestWindow: number;

  constructor(init: NoWindowFitsInit) {
    super({ ...init, reason: 'unrecoverable' });
    this.estimatedTokens = init.estimatedTokens;
    this.largestWindow = init.largestWindow;
    const largest = init.largestModel === undefined ? '' : ` (${init.largestModel})`;
    this.message =
      `tier ${init.tier}: the input, about ${String(init.estimatedTokens)} tokens, fits no model's context window; ` +
      `the largest window is ${String(init.largestWindow)} tokens${largest}`;
  }
}
