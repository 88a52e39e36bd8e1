import ipaddr from 'ipaddr.js';

/**
 * The webhook URL rules of DESIGN.md section 10, as pure functions. Address classes come from
 * ipaddr.js (a maintained table of IANA special-purpose ranges), never from hand-written
 * ranges: an address is acceptable only when ipaddr.js classifies it as plain `unicast`, so
 * every special range it knows (loopback, RFC 1918, fc00::/7, link-local, CGNAT, multicast,
 * unspecified, broadcast, reserved, 6to4, Teredo, NAT64, ...) is refused, and so is the cloud
 * metadata address (169.254.169.254 is link-local, fd00:ec2::254 unique-local).
 *
 * The WHATWG URL parser canonicalizes every IPv4 spelling (decimal `2130706433`, hex `0x7f.1`,
 * octal `0177.0.0.1`, short forms `127.1`) to dotted quads before we look at the host, so the
 * spelling cannot smuggle an address past the check.
 */

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export interface UrlPolicy {
  /** Local runtime only (WEBHOOK_ALLOW_LOOPBACK=true): accept http and loopback targets. */
  allowLoopback: boolean;
}

/** A URL rule was broken; the message is safe to show to the caller. */
export class WebhookUrlError extends Error {
  override name = 'WebhookUrlError';
}

export interface CheckedUrl {
  url: URL;
  /** The host without IPv6 brackets: a name or an address literal. */
  host: string;
  /** The address when the host is an IP literal (no DNS involved). */
  literal: string | undefined;
}

/** Syntax rules (scheme, user info, length) and, for IP literals, the address rule. */
export function checkWebhookUrlSyntax(raw: unknown, policy: UrlPolicy): CheckedUrl {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new WebhookUrlError('url must be a non-empty string');
  }
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new WebhookUrlError(`url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('url is not a valid absolute URL');
  }
  // The bound holds for the URL as it is sent too (percent-encoded, punycode host), not only
  // for the text as typed: 1,000 typed characters can become 9,000 on the request line.
  if (url.href.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new WebhookUrlError(
      `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters (percent-encoded)`,
    );
  }
  const schemeOk = url.protocol === 'https:' || (policy.allowLoopback && url.protocol === 'http:');
  if (!schemeOk) throw new WebhookUrlError('url must use https');
  if (url.username !== '' || url.password !== '') {
    throw new WebhookUrlError('url must not carry user info');
  }
  // Port 0 is no port: Node's agent would connect to the scheme's default port instead.
  if (url.port !== '' && Number(url.port) === 0) {
    throw new WebhookUrlError('url port must be from 1 to 65535');
  }
  // http and https URLs always have a host (the parser refuses `https:///`); an empty one would
  // fail isDnsName below all the same.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = ipaddr.isValid(host) && isCanonicalLiteral(host) ? host : undefined;
  if (literal !== undefined) assertAllowedAddress(literal, policy);
  else if (!isDnsName(host)) throw new WebhookUrlError('url host is not a valid host name');
  return { url, host, literal };
}

/** After the WHATWG parser, an IPv4 literal is dotted-quad and an IPv6 one contains ':'. */
function isCanonicalLiteral(host: string): boolean {
  return host.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(host);
}

/** 1-253 characters without the root dot, in labels of 1-63 letters, digits, `-` and `_`. */
function isDnsName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253) return false;
  return name.split('.').every((label) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label));
}

/** Why an address is refused, or undefined when it is an ordinary public unicast address. */
export function addressRefusal(address: string, policy: UrlPolicy): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into its IPv4 address.
    parsed = ipaddr.process(address);
  } catch {
    return 'not an IP address';
  }
  const range = parsed.range();
  if (range === 'loopback' && policy.allowLoopback) return undefined;
  if (range !== 'unicast') return range;
  // ipaddr.js calls everything it has no special range for `unicast`, including the
  // deprecated IPv4-compatible block (::a.b.c.d) and other unallocated space; only IANA's
  // global unicast allocation (2000::/3) is routable on the internet.
  if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) return 'not global unicast';
  return undefined;
}

/** IANA's IPv6 global unicast allocation: the only IPv6 space a public receiver can be in. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export function assertAllowedAddress(address: string, policy: UrlPolicy): void {
  const refusal = addressRefusal(address, policy);
  if (refusal !== undefined) {
    throw new WebhookUrlError(
      `url host must not be or resolve to a non-public address (${address} is ${refusal})`,
    );
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** DNS as a port: the Lambda uses the system resolver, tests inject their own. */
export type ResolveHost = (host: string) => Promise<ResolvedAddress[]>;

/**
 * The whole rule: syntax, then every address the host resolves to (all of them must be
 * allowed: one private answer among public ones is enough to refuse). Returns the addresses
 * the caller may connect to.
 */
export async function checkWebhookUrl(
  raw: unknown,
  policy: UrlPolicy,
  resolve: ResolveHost,
): Promise<CheckedUrl & { addresses: ResolvedAddress[] }> {
  const checked = checkWebhookUrlSyntax(raw, policy);
  if (checked.literal !== undefined) {
    const family = checked.literal.includes(':') ? 6 : 4;
    return { ...checked, addresses: [{ address: checked.literal, family }] };
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(checked.host);
  } catch {
    throw new WebhookUrlError(`url host ${checked.host} does not resolve`);
  }
  if (addresses.length === 0)
    throw new WebhookUrlError(`url host ${checked.host} does not resolve`);
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, policy);
    // The class only, never the address: the message reaches the caller, and naming what an
    // internal name resolves to would make this route a DNS lookup service for the network.
    if (refusal !== undefined) {
      throw new WebhookUrlError(
        `url host ${checked.host} resolves to a non-public address (${refusal})`,
      );
    }
  }
  return { ...checked, addresses };
}
