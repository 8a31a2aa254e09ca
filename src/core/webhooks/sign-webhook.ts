import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature scheme's version tag in the header (`v1=`: HMAC-SHA256, hex). */
const SCHEME = 'v1';

/** How far a signature's timestamp may be from the receiver's clock, by default: five minutes, as Stripe. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface SignWebhookInput {
  secret: string;
  /** Unix time in whole seconds (not milliseconds). */
  timestamp: number;
  /** The exact bytes sent as the request body. */
  body: string | Buffer;
}

/**
 * A tenant's own webhook secret, derived from the fleet's default
 * (FLEET_WEBHOOK_SECRET): deliveries of jobs and batches that name no secret
 * are signed with it, so each tenant verifies with a key of its own
 * (`GET /v1/webhook-secret`) and no tenant can sign, or replay, another's.
 */
export function tenantWebhookSecret(fleetSecret: string, tenant: string): string {
  return createHmac('sha256', fleetSecret).update(`webhook-secret:${tenant}`).digest('hex');
}

/** What signs a delivery: the webhook's own secret, else its tenant's (derived from the fleet's default); none without either. */
export function deliverySecret(own: string | undefined, fleetSecret: string | undefined, tenant: string): string | undefined {
  return own ?? (fleetSecret === undefined ? undefined : tenantWebhookSecret(fleetSecret, tenant));
}

function hmacHex(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * The `x-fleet-signature` header of a webhook delivery, Stripe-style:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
 * Signing the timestamp with the body lets a receiver refuse replays.
 */
export function signWebhook({ secret, timestamp, body }: SignWebhookInput): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`expected the timestamp in whole unix seconds, got ${timestamp}`);
  }
  return `t=${timestamp},${SCHEME}=${hmacHex(secret, timestamp, body)}`;
}

export interface VerifyWebhookInput {
  secret: string;
  /** The `x-fleet-signature` header as received. */
  header: string | undefined;
  /** The raw request body, before any JSON parsing. */
  body: string | Buffer;
  /** Largest accepted distance between the signed timestamp and `now`; 300 s by default. */
  toleranceSeconds?: number;
  /** The receiver's clock in unix seconds; the system clock by default. */
  now?: number;
}

interface ParsedHeader {
  timestamp: number;
  signatures: string[];
}

function parseHeader(header: string): ParsedHeader | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,15}$/.test(value)) timestamp = Number(value);
    else if (key === SCHEME && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/**
 * True when `header` carries a `v1` signature of `body` made with `secret`
 * and its timestamp is within `toleranceSeconds` of `now`. Several `v1=`
 * entries are allowed (a sender rotating secrets); any match verifies.
 * Digests are compared in constant time.
 */
export function verifyWebhook({
  secret,
  header,
  body,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  now = Math.floor(Date.now() / 1000),
}: VerifyWebhookInput): boolean {
  if (header === undefined || header === '') return false;
  const parsed = parseHeader(header);
  if (parsed === undefined) return false;
  if (Math.abs(now - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, body), 'hex');
  let matched = false;
  for (const signature of parsed.signatures) {
    // Every candidate is compared, so the time taken does not say which one matched.
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) matched = true;
  }
  return matched;
}
