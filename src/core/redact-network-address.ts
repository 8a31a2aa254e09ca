/** Where a Node system error says it was connecting to (`err.address`, `err.port`, `err.hostname`; a TLS error's `err.host`). */
export interface NetworkErrorFields {
  address?: string;
  port?: number | string;
  hostname?: string;
  host?: string;
  /** The error's code: a TLS failure (`ERR_TLS_CERT_ALTNAME_INVALID`) names hosts and certificate names all through its message. */
  code?: string;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `target` standing alone: not part of a longer address or name (`10.0.3.7` is not in `10.0.3.71`). */
const alone = (target: string): RegExp => new RegExp(`(?<![A-Za-z0-9.\\-])${escape(target)}(?![A-Za-z0-9\\-]|\\.[A-Za-z0-9])`, 'g');

/** The target Node names after a syscall and an errno: `connect ECONNREFUSED 10.0.3.7:443`, `getaddrinfo ENOTFOUND bedrock-proxy`. */
const SYSCALL_TARGET = /\b((?:connect|getaddrinfo|getnameinfo|read|write|lookup)\s+E[A-Z_]+)\s+\S+/g;

/**
 * A connection-level error message as a tenant may see it: the error code
 * stays, the address of the endpoint the fleet calls does not. The exact
 * address, host and port the error carries are taken out wherever they
 * appear, and the target Node prints after a syscall and an errno; nothing
 * else is touched (a model id, a version, a time).
 */
export function redactNetworkAddress(message: string, fields: NetworkErrorFields = {}): string {
  if (fields.code?.startsWith('ERR_TLS_') === true) return `the TLS connection to the endpoint failed (${fields.code})`;
  let text = message;
  const port = fields.port === undefined ? undefined : String(fields.port);
  for (const host of [fields.address, fields.hostname, fields.host]) {
    if (host === undefined || host === '') continue;
    const targets = port === undefined ? [`[${host}]`, host] : [`[${host}]:${port}`, `${host}:${port}`, `[${host}]`, host];
    for (const target of targets) text = text.replace(alone(target), '<address>');
  }
  return text.replace(SYSCALL_TARGET, '$1 <address>');
}
