import { describe, expect, it } from 'vitest';
import type { ChildStatus } from '../../../src/core/flows/child-status.js';
import { decideEnsemble, memberOutcomes, type MemberRun } from '../../../src/core/flows/decide-ensemble.js';
import { decidePipeline, type StepRun } from '../../../src/core/flows/decide-pipeline.js';
import { renderStep } from '../../../src/core/flows/render-step.js';

const done = (text: string, model = 'm'): ChildStatus => ({ state: 'completed', text, model, confidence: 1 });
const failed = (error: string): ChildStatus => ({ state: 'failed', error });
const run = (member: number, status: ChildStatus, fallback?: ChildStatus): MemberRun => ({
  member,
  target: { tier: 'small', model: `m${member}` },
  weight: 1,
  status,
  ...(fallback === undefined ? {} : { fallback: { target: { tier: 'large', model: 'fb' }, status: fallback } }),
});

describe('decideEnsemble', () => {
  it('waits while any member or fallback is unfinished', () => {
    expect(decideEnsemble([run(1, done('a')), run(2, { state: 'queued' })], 'fail')).toEqual({ action: 'wait' });
    expect(decideEnsemble([run(1, failed('x'), { state: 'active' })], 'fail')).toEqual({ action: 'wait' });
    expect(decideEnsemble([run(1, { state: 'missing' })], 'ignore')).toEqual({ action: 'wait' });
  });

  it('combines every answer when all members answered', () => {
    const move = decideEnsemble([run(1, done('a', 'm1')), run(2, done('b', 'm2'))], 'fail');
    expect(move).toEqual({
      action: 'combine',
      notes: [],
      answers: [
        { member: 1, tier: 'small', model: 'm1', text: 'a', weight: 1 },
        { member: 2, tier: 'small', model: 'm2', text: 'b', weight: 1 },
      ],
    });
  });

  it('fails naming the member under "fail"', () => {
    expect(decideEnsemble([run(1, done('a')), run(2, failed('ValidationException: bad'))], 'fail')).toEqual({
      action: 'fail',
      reason: 'member 2 of 2 (small/m2) failed: ValidationException: bad (onMemberFailure: fail)',
    });
  });

  it('drops failed members under "ignore", unless fewer than minMembers answered', () => {
    const ignore = decideEnsemble([run(1, done('a')), run(2, failed('boom'))], 'ignore');
    expect(ignore).toMatchObject({ action: 'combine', notes: ['member 2 of 2 (small/m2) failed and was ignored: boom'] });
    expect(ignore.action === 'combine' && ignore.answers).toHaveLength(1);
    expect(decideEnsemble([run(1, done('a')), run(2, failed('boom'))], 'ignore', 2)).toEqual({
      action: 'fail',
      reason: 'only 1 of 2 members answered; the ensemble needs at least 2 (minMembers): member 2 of 2 (small/m2) failed and was ignored: boom',
    });
    expect(decideEnsemble([run(1, failed('x')), run(2, failed('y'))], 'ignore')).toMatchObject({ action: 'fail' });
  });

  it('asks for fallbacks of failed members, then counts the fallback\'s answer in the member\'s place', () => {
    expect(decideEnsemble([run(1, failed('x')), run(2, done('b')), run(3, failed('y'))], { fallback: 'fb' })).toEqual({
      action: 'fallback',
      members: [1, 3],
    });
    const move = decideEnsemble([run(1, failed('x'), done('from fb', 'fb')), run(2, done('b'))], { fallback: 'fb' });
    expect(move).toMatchObject({ action: 'combine', notes: ['member 1 of 2 (small/m1) failed (x); its fallback large/fb answered'] });
    expect(move.action === 'combine' && move.answers[0]).toEqual({ member: 1, tier: 'large', model: 'fb', text: 'from fb', weight: 1 });
  });

  it('fails when a fallback fails too, naming both errors', () => {
    expect(decideEnsemble([run(1, failed('x'), failed('y'))], { fallback: 'fb' })).toEqual({
      action: 'fail',
      reason: 'member 1 of 1 (small/m1) failed: x; its fallback large/fb failed too: y',
    });
  });

  it('labels what became of each member', () => {
    expect(memberOutcomes(run(1, failed('x')), 'ignore')).toMatchObject({ own: 'ignored' });
    expect(memberOutcomes(run(1, failed('x'), done('b')), { fallback: 'fb' })).toMatchObject({ own: 'replaced', fallback: 'answered' });
    expect(memberOutcomes(run(1, failed('x')), 'fail')).toEqual({ own: 'failed' });
    expect(memberOutcomes(run(1, { state: 'active' }), 'fail')).toEqual({ own: 'active' });
  });
});

const steps = [
  { name: 'extract', target: { tier: 'small', model: 's' } },
  { name: 'structure', target: { tier: 'medium' } },
  { name: 'check', target: { tier: 'large', model: 'l' } },
];
const stepRun = (step: number, status: ChildStatus, fallback = false): StepRun => ({
  step,
  name: steps[step - 1]?.name ?? '',
  target: fallback ? { tier: 'large', model: 'fb' } : (steps[step - 1]?.target ?? { tier: '' }),
  fallback,
  status,
});

describe('decidePipeline', () => {
  const plan = { steps, onStepFailure: 'fail' as const };

  it('starts with the job\'s input, then feeds each output to the next step', () => {
    expect(decidePipeline(plan, [], 'DOC')).toEqual({ action: 'run', step: 1, fallback: false, target: steps[0]?.target, input: 'DOC' });
    expect(decidePipeline(plan, [stepRun(1, done('one'))], 'DOC')).toMatchObject({ action: 'run', step: 2, input: 'one' });
    expect(decidePipeline(plan, [stepRun(1, done('one')), stepRun(2, { state: 'queued' })], 'DOC')).toEqual({ action: 'wait' });
  });

  it('ends with the last step\'s output', () => {
    const runs = [stepRun(1, done('one')), stepRun(2, done('two')), stepRun(3, done('three'))];
    expect(decidePipeline(plan, runs, 'DOC')).toEqual({ action: 'done', answer: runs[2], notes: [] });
  });

  it('fails on a failed step under "fail", naming the step', () => {
    expect(decidePipeline(plan, [stepRun(1, done('one')), stepRun(2, failed('boom'))], 'DOC')).toEqual({
      action: 'fail',
      reason: 'step 2 of 3 "structure" (tier medium) failed: boom (onStepFailure: fail)',
    });
  });

  it('skips a failed step under "skip", passing its input on', () => {
    const skip = { steps, onStepFailure: 'skip' as const };
    expect(decidePipeline(skip, [stepRun(1, done('one')), stepRun(2, failed('boom'))], 'DOC')).toMatchObject({ action: 'run', step: 3, input: 'one' });
    const runs = [stepRun(1, done('one')), stepRun(2, done('two')), stepRun(3, failed('boom'))];
    expect(decidePipeline(skip, runs, 'DOC')).toMatchObject({ action: 'done', answer: runs[1], notes: ['step 3 of 3 "check" (large/l) failed (boom); skipped'] });
    expect(decidePipeline(skip, [stepRun(1, failed('a')), stepRun(2, failed('b')), stepRun(3, failed('c'))], 'DOC')).toMatchObject({ action: 'fail' });
  });

  it('runs a failed step again on the fallback with the same input, and fails if that fails too', () => {
    const fb = { steps, onStepFailure: { fallback: 'fb' }, fallbackTarget: { tier: 'large', model: 'fb' } };
    const runs = [stepRun(1, done('one')), stepRun(2, failed('boom'))];
    expect(decidePipeline(fb, runs, 'DOC')).toEqual({ action: 'run', step: 2, fallback: true, target: { tier: 'large', model: 'fb' }, input: 'one' });
    expect(decidePipeline(fb, [...runs, stepRun(2, done('two'), true)], 'DOC')).toMatchObject({ action: 'run', step: 3, input: 'two' });
    expect(decidePipeline(fb, [...runs, stepRun(2, failed('again'), true)], 'DOC')).toEqual({
      action: 'fail',
      reason: 'step 2 of 3 "structure" (tier medium) failed: boom; its fallback large/fb failed too: again',
    });
  });
});

describe('renderStep', () => {
  it('fills {{input}} and {{document}} in one pass, step system prompt first', () => {
    const request = renderStep({
      template: { system: 'Be exact.', prompt: 'Check {{input}} against {{document}}.' },
      stepInput: 'the {{document}} literal',
      document: 'DOC',
      system: ['Job system.'],
      inference: { maxTokens: 50 },
    });
    expect(request).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Check the {{document}} literal against DOC.' }] }],
      system: ['Be exact.', 'Job system.'],
      inference: { maxTokens: 50 },
    });
  });
});
