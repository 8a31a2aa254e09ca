import { setTimeout as sleep } from 'node:timers/promises';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { withinMs } from '../core/within-ms.js';

export interface CredentialCheckOptions {
  /** Tries before giving up (an instance or pod role may still be coming up). */
  tries?: number;
  delayMs?: number;
  /** How long one try may take. */
  timeoutMs?: number;
}

/** The SDK's credential chain found no credentials, after every try. */
export class NoCredentialsError extends Error {
  override readonly name = 'NoCredentialsError';
}

/**
 * Resolves the client's credentials once, before a worker takes jobs: with
 * none anywhere, every call would fail, open every breaker and hold the
 * tier's jobs in a pause loop. Throws a NoCredentialsError saying where
 * they may come from.
 */
export async function checkCredentials(sdk: BedrockRuntimeClient, options: CredentialCheckOptions = {}): Promise<void> {
  const tries = Math.max(1, options.tries ?? 3);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let last: unknown;
  for (let attempt = 1; attempt <= tries; attempt += 1) {
    try {
      // A credential process or an STS call that hangs is a failure too, after a while.
      await withinMs(sdk.config.credentials(), timeoutMs, () => new Error(`no answer in ${String(timeoutMs / 1000)} s`));
      return;
    } catch (error) {
      last = error;
      if (attempt < tries) await sleep(options.delayMs ?? 1_000);
    }
  }
  const why = last instanceof Error ? last.message : String(last);
  throw new NoCredentialsError(
    `no usable AWS credentials for Bedrock (${why}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or AWS_BEARER_TOKEN_BEDROCK, give the instance, task or pod a role, or set BEDROCK_ENDPOINT for the emulator`,
    { cause: last },
  );
}
