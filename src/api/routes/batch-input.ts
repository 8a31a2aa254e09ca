import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { UnparsableDocument } from '../../queue/batches/submit-batch.js';
import { ApiError } from '../api-error.js';
import { BATCH_DEFAULT_FIELDS } from '../../queue/batches/batch-default-fields.js';

/** Batch defaults given as query parameters (for NDJSON bodies): task, strategy, flow, tier, model, template, tag=k:v. */
export function defaultsFromQuery(query: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const field of BATCH_DEFAULT_FIELDS) {
    const value = query[field];
    if (typeof value === 'string' && value !== '') defaults[field] = value;
  }
  const tags = ([] as string[]).concat(query.tag ?? []);
  if (tags.length > 0) {
    const parsed: Record<string, string> = {};
    for (const tag of tags) {
      const at = tag.search(/[:=]/);
      if (at <= 0) throw new ApiError(400, 'invalid_request', `expected tag=key:value, got "${tag}"`, 'tag');
      parsed[tag.slice(0, at)] = tag.slice(at + 1);
    }
    defaults.tags = parsed;
  }
  return defaults;
}

/** Fails the stream once more than `limit` bytes have come in. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(new ApiError(413, 'body_too_large', `the batch is over ${limit} bytes; split it`));
      else callback(null, chunk);
    },
  });
}

/**
 * The documents of an NDJSON body, one JSON value per line, parsed as they
 * stream in. A line that is not JSON is yielded as an error marker, so it is
 * refused by position like any other bad document.
 */
export async function* ndjsonDocuments(body: Readable, limit: number): AsyncGenerator<unknown> {
  const limited = body.pipe(byteLimit(limit));
  body.on('error', (error) => limited.destroy(error));
  for await (const line of createInterface({ input: limited, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line) as unknown;
    } catch {
      yield new UnparsableDocument(line.slice(0, 80));
    }
  }
}
