import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';

/** The same handler serves HTTP/1.1 and h2c through Node's compatible API. */
export type Request = IncomingMessage | Http2ServerRequest;

/** What the handlers use of a response; both ServerResponse and Http2ServerResponse fit. */
export interface Response {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array | string): boolean;
  end(chunk?: Uint8Array | string): unknown;
  on(event: 'close', listener: () => void): unknown;
}

/** The largest request body the emulator reads (32 MiB). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  /** Bytes the client sent in all. */
  readonly size: number;
  readonly limit: number;
  constructor(size: number, limit: number) {
    super(`request body of ${size} bytes is over the ${limit}-byte limit`);
    this.size = size;
    this.limit = limit;
  }
}

/**
 * The whole request body. A body over `limit` is read to its end but not
 * kept, then fails with BodyTooLargeError: a client still sending when the
 * answer comes would see a broken connection instead of the answer.
 */
export async function readBody(req: Request, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else chunks.length = 0;
  }
  if (size > limit) throw new BodyTooLargeError(size, limit);
  return Buffer.concat(chunks);
}

export function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

/** A Bedrock error: the SDK picks the exception class from `x-amzn-errortype`. */
export function sendException(res: Response, status: number, exception: string, message: string): void {
  sendJson(res, status, { message }, { 'x-amzn-errortype': exception });
}
