/** Calls per model and per outcome (`ok`, an exception name, or `midstream:<name>`). */
export interface ModelStats {
  calls: number;
  outcomes: Record<string, number>;
  inputTokens: number;
  outputTokens: number;
}

export interface StatsSnapshot {
  totals: ModelStats;
  models: Record<string, ModelStats>;
  /** Requests per HTTP version (`1.1`, `2.0`). */
  transports: Record<string, number>;
}

const empty = (): ModelStats => ({ calls: 0, outcomes: {}, inputTokens: 0, outputTokens: 0 });

export class EmulatorStats {
  private models = new Map<string, ModelStats>();
  private transports: Record<string, number> = {};

  recordTransport(httpVersion: string): void {
    this.transports[httpVersion] = (this.transports[httpVersion] ?? 0) + 1;
  }

  record(modelId: string, outcome: string, tokens?: { inputTokens: number; outputTokens: number }): void {
    let stats = this.models.get(modelId);
    if (stats === undefined) {
      stats = empty();
      this.models.set(modelId, stats);
    }
    stats.calls++;
    stats.outcomes[outcome] = (stats.outcomes[outcome] ?? 0) + 1;
    if (tokens !== undefined) {
      stats.inputTokens += tokens.inputTokens;
      stats.outputTokens += tokens.outputTokens;
    }
  }

  snapshot(): StatsSnapshot {
    const totals = empty();
    const models: Record<string, ModelStats> = {};
    for (const [id, s] of this.models) {
      models[id] = { ...s, outcomes: { ...s.outcomes } };
      totals.calls += s.calls;
      totals.inputTokens += s.inputTokens;
      totals.outputTokens += s.outputTokens;
      for (const [k, v] of Object.entries(s.outcomes)) totals.outcomes[k] = (totals.outcomes[k] ?? 0) + v;
    }
    return { totals, models, transports: { ...this.transports } };
  }

  reset(): void {
    this.models.clear();
    this.transports = {};
  }
}
