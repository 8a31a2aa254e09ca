import type { CallOptions } from '../core/model-request.js';

export interface CallSignal {
  signal: AbortSignal | undefined;
  timedOut(): boolean;
  cancelled(): boolean;
}

/** One signal for a call: the caller's cancellation and the call's time limit. */
export function callSignal(options: CallOptions): CallSignal {
  const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  const parts = [options.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
  return {
    signal: parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : AbortSignal.any(parts),
    timedOut: () => timeout?.aborted === true && options.signal?.aborted !== true,
    cancelled: () => options.signal?.aborted === true,
  };
}
