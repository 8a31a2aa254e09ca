import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Whether an address is off the public internet: loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unique
 * local, multicast, unspecified, reserved, or an IPv6 form that embeds one
 * (IPv4-mapped, 6to4, NAT64). Anything that does not parse counts as private.
 */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  return ipaddr.process(address).range() !== 'unicast';
}

const ALLOW_HINT = 'set FLEET_WEBHOOK_ALLOW_PRIVATE=true to allow private webhook targets';

/** A webhook URL whose host is, or resolves to, a private address. */
export class PrivateWebhookTargetError extends Error {
  override readonly name = 'PrivateWebhookTargetError';
}

const refusal = (host: string, address: string): PrivateWebhookTargetError =>
  new PrivateWebhookTargetError(`webhook target ${host} is a private address (${address}); not called (${ALLOW_HINT})`);

/**
 * Refuses a webhook URL whose host is a private IP address written out. A
 * host name is checked when the call connects (`createGuardedFetch`): a
 * connection to an address skips the name lookup that check sits in.
 */
export function refusePrivateAddressTarget(target: URL): void {
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0 && isPrivateAddress(host)) throw refusal(target.host, host);
}

/** The refusal a guarded call failed with, found along the error's causes; undefined for any other failure. */
export function privateTargetRefusal(error: unknown): PrivateWebhookTargetError | undefined {
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth += 1) {
    if (at instanceof PrivateWebhookTargetError) return at;
  }
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The connection's own name lookup, refusing private addresses: a name that changes its answer after the check (DNS rebinding) still gets nowhere. */
function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error !== null) {
      callback(error, []);
      return;
    }
    const blocked = addresses.find((a) => isPrivateAddress(a.address));
    const first = addresses[0];
    if (blocked !== undefined || first === undefined) {
      callback(blocked === undefined ? Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }) : refusal(hostname, blocked.address), []);
      return;
    }
    if (options.all === true) callback(null, addresses);
    else callback(null, first.address, first.family);
  });
}

/** `fetch` whose connections never reach a private address (see `guardedLookup`). */
export function createGuardedFetch(): { fetch: typeof fetch; close(): Promise<void> } {
  const agent = new Agent({ connect: { lookup: guardedLookup } });
  const guarded = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    undiciFetch(input instanceof Request ? input.url : input, { ...init, dispatcher: agent });
  return { fetch: guarded, close: () => agent.close() };
}
