import { describe, expect, it } from 'vitest';
import {
  breakerReportField,
  breakerReportValue,
  parseBreakerReport,
  summarizeBreakerReports,
  worstBreakerState,
} from '../../../src/core/report/breaker-report.js';

const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const NOW = 1_000_000_000;

describe('breaker reports', () => {
  it('round-trip a report through its field and value', () => {
    const field = breakerReportField('medium', MODEL, 'host-a:42');
    expect(field).toBe(`medium|${MODEL}|host-a:42`);
    expect(parseBreakerReport(field, breakerReportValue('half-open', NOW))).toEqual({
      tier: 'medium',
      model: MODEL,
      processId: 'host-a:42',
      state: 'half-open',
      at: NOW,
    });
  });

  it('refuse malformed fields and values', () => {
    const value = breakerReportValue('open', NOW);
    expect(parseBreakerReport('medium|only-two', value)).toBeUndefined();
    expect(parseBreakerReport(breakerReportField('m', MODEL, 'p'), '{')).toBeUndefined();
    expect(parseBreakerReport(breakerReportField('m', MODEL, 'p'), JSON.stringify({ state: 'ajar', at: NOW }))).toBeUndefined();
    expect(parseBreakerReport(breakerReportField('m', MODEL, 'p'), JSON.stringify({ state: 'open' }))).toBeUndefined();
  });

  it('rank open over half-open over closed', () => {
    expect(worstBreakerState(['closed', 'open', 'half-open'])).toBe('open');
    expect(worstBreakerState(['closed', 'half-open'])).toBe('half-open');
    expect(worstBreakerState(['closed'])).toBe('closed');
    expect(worstBreakerState([])).toBeUndefined();
  });

  it('take the worst live state per model, ignore silent processes and offer old ones for deletion', () => {
    const hash = {
      [breakerReportField('small', MODEL, 'a')]: breakerReportValue('closed', NOW - 10_000),
      [breakerReportField('small', MODEL, 'b')]: breakerReportValue('half-open', NOW - 60_000),
      // Silent for three minutes: gone, though not yet forgotten.
      [breakerReportField('small', MODEL, 'c')]: breakerReportValue('open', NOW - 180_000),
      // Silent for two hours: forgotten.
      [breakerReportField('small', 'other', 'd')]: breakerReportValue('open', NOW - 7_200_000),
      garbage: 'x',
    };
    const overview = summarizeBreakerReports(hash, NOW);
    expect([...overview.models.values()]).toEqual([
      { model: MODEL, tiers: ['small'], state: 'half-open', processes: { closed: 1, 'half-open': 1, open: 0 } },
    ]);
    expect(overview.expired.sort()).toEqual([breakerReportField('small', 'other', 'd'), 'garbage'].sort());
    expect(summarizeBreakerReports(hash, NOW, { liveMs: 240_000 }).models.get(MODEL)?.state).toBe('open');
  });
});
