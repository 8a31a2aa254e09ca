/** Where a Node system error says it was connecting to (`err.address`, `err.port`, `err.hostname`). */
export interface NetworkErrorFields {
  address?: string;
  port?: number | string;
  hostname?: string;
}

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
  let text = message;
  const port = fields.port === undefined ? undefined : String(fields.port);
  for (const host of [fields.address, fields.hostname]) {
    if (host === undefined || host === '') continue;
    const targets = port === undefined ? [`[${host}]`, host] : [`[${host}]:${port}`, `${host}:${port}`, `[${host}]`, host];
    for (const target of targets) text = text.split(target).join('<address>');
  }
  return text.replace(SYSCALL_TARGET, '$1 <address>');
}
