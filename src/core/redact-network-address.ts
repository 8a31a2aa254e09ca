/** IPv4 with an optional port: `10.0.3.7:443`. */
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g;
/** IPv6, bracketed or as Node prints it (`::1:4010`, `fd00::7`), with an optional port. */
const IPV6 = /\[?(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\]?(?::\d{1,5})?/gi;
/** A host name with an optional port: `bedrock-runtime.us-east-1.amazonaws.com`, `emulator.internal:4010`. */
const HOST = /\b(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d{1,5})?\b/gi;

/**
 * A connection-level error message (no HTTP answer: `connect ECONNREFUSED
 * 10.0.3.7:443`, `getaddrinfo ENOTFOUND bedrock.internal`) as a tenant may
 * see it: the error code stays, the address of the endpoint the fleet calls
 * does not. Only for messages of failures without an HTTP answer, which
 * name no model ARN.
 */
export function redactNetworkAddress(message: string): string {
  return message.replace(IPV4, '<address>').replace(IPV6, (match) => (match.replace(/[[\]:]/g, '') === '' ? match : '<address>')).replace(HOST, '<address>');
}
