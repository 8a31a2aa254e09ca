import type { JobSpecProblem } from '../job/job-spec-error.js';
import { isFlowStrategy, type FlowsShape } from './flow-definitions.js';

/** The fields of a job the flow checks read. */
interface FlowJobFields {
  strategy: string;
  flow?: string | undefined;
  tier?: string | undefined;
  model?: string | undefined;
  messages?: unknown;
  template?: string | undefined;
}

/**
 * What the fleet's flows refuse in a job: an ensemble or pipeline job names
 * a flow of its kind (and no tier or model: the flow names those), a
 * pipeline takes a document or prompt, and only flow jobs name a flow. Pure.
 */
export function checkFlowJob(spec: FlowJobFields, flows: FlowsShape | undefined): JobSpecProblem[] {
  const strategy = spec.strategy;
  if (!isFlowStrategy(strategy)) {
    return spec.flow === undefined ? [] : [{ field: 'flow', message: `a flow applies only to strategy "ensemble" or "pipeline", not "${strategy}"` }];
  }
  const problems: JobSpecProblem[] = [];
  const an = (kind: string): string => `${kind === 'ensemble' ? 'an' : 'a'} ${kind}`;
  const own = strategy === 'ensemble' ? flows?.ensembles : flows?.pipelines;
  const other = strategy === 'ensemble' ? flows?.pipelines : flows?.ensembles;
  const names = Object.keys(own ?? {});
  const expected = names.length === 0 ? `the fleet file defines no ${strategy}s (flows.${strategy}s)` : `expected one of ${names.join(', ')}`;
  if (spec.flow === undefined) {
    problems.push({ field: 'flow', message: `${an(strategy)} job names its flow; ${expected}` });
  } else if (own?.[spec.flow] === undefined) {
    const otherKind = strategy === 'ensemble' ? 'pipeline' : 'ensemble';
    problems.push({
      field: 'flow',
      message:
        other?.[spec.flow] !== undefined
          ? `"${spec.flow}" is ${an(otherKind)}, not ${an(strategy)}; use strategy "${otherKind}"`
          : `no ${strategy} is named "${spec.flow}"; ${expected}`,
    });
  }
  for (const field of ['tier', 'model'] as const) {
    if (spec[field] !== undefined) problems.push({ field, message: `${an(strategy)} runs on the tiers and models its flow names; leave "${field}" out` });
  }
  if (strategy === 'pipeline' && spec.messages !== undefined) {
    problems.push({ field: 'messages', message: 'a pipeline takes a "document" or a "prompt", not "messages"' });
  }
  if (strategy === 'pipeline' && spec.template !== undefined) {
    problems.push({ field: 'template', message: 'each pipeline step has its own template; leave "template" out' });
  }
  return problems;
}
