import { describe, expect, it } from 'vitest';
import type { RoutingRule } from '../../../src/core/routing/routing-rule.js';
import { createRulesRouter } from '../../../src/core/routing/rules-router.js';
import { FLEET, job, snapshot } from './fixtures.js';

const route = (rules: RoutingRule[], overrides: Parameters<typeof job>[0] = {}) =>
  createRulesRouter({ rules, fleet: FLEET })(job(overrides), snapshot());

describe('createRulesRouter', () => {
  it('takes the first matching rule, names it and what matched', () => {
    const rules: RoutingRule[] = [
      { name: 'code', when: { task: ['coding', 'review'] }, then: { tier: 'large' } },
      { name: 'support', when: { task: 'support' }, then: { tier: 'small' } },
      { name: 'also support', when: { task: 'support' }, then: { tier: 'medium' } },
    ];
    expect(route(rules, { task: 'review' })).toEqual({ tier: 'large', reason: 'rule "code" matched task "review": tier large' });
    expect(route(rules, { task: 'support' })).toEqual({ tier: 'small', reason: 'rule "support" matched task "support": tier small' });
  });

  it('has no opinion when no rule matches', () => {
    expect(route([{ when: { task: 'coding' }, then: { tier: 'large' } }], { task: 'poetry' })).toBeUndefined();
    expect(route([])).toBeUndefined();
  });

  it('numbers unnamed rules, and a rule without conditions matches every job', () => {
    const rules: RoutingRule[] = [
      { when: { task: 'coding' }, then: { tier: 'large' } },
      { when: {}, then: { tier: 'medium' } },
    ];
    expect(route(rules)).toEqual({ tier: 'medium', reason: 'rule #2 matches every job: tier medium' });
  });

  it('sends a rule naming only a model to that model\'s tier', () => {
    const choice = route([{ name: 'vip', when: { metadata: { vip: true } }, then: { model: 'medium.b' } }], { metadata: { vip: true } });
    expect(choice).toEqual({ tier: 'medium', model: 'medium.b', reason: 'rule "vip" matched metadata vip=true: medium.b on tier medium' });
  });

  it('needs every tag and metadata value, with the same type', () => {
    const rules: RoutingRule[] = [{ when: { tags: { lang: 'de', team: 'ops' }, metadata: { priority: 1 } }, then: { tier: 'large' } }];
    expect(route(rules, { tags: { lang: 'de', team: 'ops' }, metadata: { priority: 1 } })?.reason).toBe(
      'rule #1 matched tag lang=de, tag team=ops, metadata priority=1: tier large',
    );
    expect(route(rules, { tags: { lang: 'de' }, metadata: { priority: 1 } })).toBeUndefined();
    expect(route(rules, { tags: { lang: 'de', team: 'ops' }, metadata: { priority: '1' } })).toBeUndefined();
  });

  it('matches any keyword as a whole word, in any case, in any script', () => {
    const rules: RoutingRule[] = [{ name: 'legal', when: { keywords: ['contract', 'GDPR', 'Vertrag', 'data breach'] }, then: { tier: 'large' } }];
    expect(route(rules, { text: 'Please review this Contract.' })?.reason).toBe('rule "legal" matched keyword "contract": tier large');
    expect(route(rules, { text: 'is this gdpr-compliant?' })?.reason).toContain('keyword "GDPR"');
    expect(route(rules, { text: 'Der VERTRAG endet.' })?.reason).toContain('keyword "Vertrag"');
    expect(route(rules, { text: 'we had a Data Breach' })?.reason).toContain('keyword "data breach"');
    expect(route(rules, { text: 'contractors and subcontracts' })).toBeUndefined();
    expect(route(rules, { text: 'Vertragsende' })).toBeUndefined();
  });

  it('matches a regex anywhere in the text', () => {
    const rules: RoutingRule[] = [{ when: { regex: '\\b[A-Z]{2}\\d{6}\\b' }, then: { tier: 'medium' } }];
    expect(route(rules, { text: 'ticket AB123456 is open' })?.reason).toBe('rule #1 matched regex /\\b[A-Z]{2}\\d{6}\\b/: tier medium');
    expect(route(rules, { text: 'ticket ab123456 is open' })).toBeUndefined();
  });

  it('bounds the input length inclusively', () => {
    const rules: RoutingRule[] = [
      { name: 'short', when: { maxChars: 100 }, then: { tier: 'small' } },
      { name: 'long', when: { minChars: 10_000 }, then: { tier: 'large' } },
      { name: 'mid', when: { minChars: 101, maxChars: 9_999 }, then: { tier: 'medium' } },
    ];
    expect(route(rules, { inputChars: 100 })?.reason).toBe('rule "short" matched 100 chars (≤ 100): tier small');
    expect(route(rules, { inputChars: 10_000 })?.reason).toBe('rule "long" matched 10000 chars (≥ 10000): tier large');
    expect(route(rules, { inputChars: 500 })?.reason).toBe('rule "mid" matched 500 chars (≥ 101, ≤ 9999): tier medium');
  });

  it('matches on having an image, or not', () => {
    const rules: RoutingRule[] = [
      { name: 'vision', when: { hasImage: true }, then: { tier: 'large' } },
      { name: 'text', when: { hasImage: false }, then: { tier: 'small' } },
    ];
    expect(route(rules, { hasImage: true })?.reason).toBe('rule "vision" matched has an image: tier large');
    expect(route(rules, { hasImage: false })?.reason).toBe('rule "text" matched has no image: tier small');
  });

  it('needs every condition of a rule', () => {
    const rules: RoutingRule[] = [{ when: { task: 'support', keywords: ['refund'], maxChars: 50 }, then: { tier: 'medium', model: 'medium.a' } }];
    const text = 'I want a refund';
    expect(route(rules, { task: 'support', text, inputChars: text.length })).toEqual({
      tier: 'medium',
      model: 'medium.a',
      reason: 'rule #1 matched task "support", keyword "refund", 15 chars (≤ 50): medium.a on tier medium',
    });
    expect(route(rules, { task: 'support', text, inputChars: 51 })).toBeUndefined();
    expect(route(rules, { task: 'sales', text, inputChars: 15 })).toBeUndefined();
  });

  it('refuses a rule whose target is in no tier', () => {
    expect(() => createRulesRouter({ rules: [{ when: {}, then: { model: 'nowhere.x' } }], fleet: FLEET })).toThrow(/rule #1/);
  });
});
