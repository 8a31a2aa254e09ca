import { describe, expect, it } from 'vitest';
import { modelFamily } from '../../../src/core/model-family.js';

describe('modelFamily', () => {
  it.each([
    ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic'],
    ['us.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic'],
    ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic'],
    ['apac.amazon.nova-micro-v1:0', 'amazon'],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic'],
    ['us-gov.meta.llama3-1-8b-instruct-v1:0', 'meta'],
    ['meta.llama3-1-8b-instruct-v1:0', 'meta'],
    ['amazon.nova-pro-v1:0', 'amazon'],
    ['mistral.mistral-large-2407-v1:0', 'mistral'],
    ['cohere.command-r-plus-v1:0', 'cohere'],
    ['ai21.jamba-1-5-large-v1:0', 'ai21'],
    ['arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0', 'meta'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0', 'anthropic'],
  ])('%s is %s', (id, family) => {
    expect(modelFamily(id)).toBe(family);
  });

  it('has no family for a prompt router ARN unless one is configured', () => {
    const router = 'arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1';
    expect(modelFamily(router)).toBeUndefined();
    expect(modelFamily(router, 'Anthropic')).toBe('anthropic');
  });

  it('prefers the configured family over the id', () => {
    expect(modelFamily('amazon.nova-pro-v1:0', 'house-style')).toBe('house-style');
  });
});
