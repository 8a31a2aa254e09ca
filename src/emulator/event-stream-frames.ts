import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const header = (value: string) => ({ type: 'string' as const, value });

/** One `application/vnd.amazon.eventstream` event frame with a JSON payload. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': header('event'),
      ':event-type': header(eventType),
      ':content-type': header('application/json'),
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** An exception frame, as Bedrock sends when a stream fails after it began. */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': header('exception'),
      ':exception-type': header(exceptionType),
      ':content-type': header('application/json'),
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}
