// Outbound URL policy (SSRF guard) for URLs a tenant or API caller chooses: linked-accounts connection base URLs,
// token and proxy URLs, and webhook URLs. `IIQ_GRAPH_ALLOWED_HOSTS` is a comma-separated allow-list:
//
//   iiq.example.com      that host name exactly (case-insensitive, a trailing dot ignored)
//   *.example.com        any name below example.com (not example.com itself)
//   *                    any host name (addresses are still checked, see below)
//   10.1.2.3 / ::1       that IP address (IPv6 with or without [brackets])
//   10.0.0.0/8 / fd00::/8  a CIDR block
//
// A URL passes when its host matches an entry (a name entry for names, an address or CIDR entry for IP literals).
// Unset, every host passes. In both cases every address a request actually connects to (IP literal, or each
// address DNS returns, checked again inside the socket's connect through a `lookup` wrapper, so a DNS rebind
// cannot slip past the first check) must not be an internal address — loopback, link-local (cloud metadata at
// 169.254.169.254, fd00:ec2::254), unspecified, multicast, broadcast, Alibaba's 100.100.100.200 — unless an
// address or CIDR entry allows it explicitly. Private (RFC 1918 / ULA) ranges are not refused by default: an
// on-premises IdentityIQ usually lives there; narrow them with the allow-list.
// Webhook URLs must be https, except for a host matched by an explicit entry (not `*`).
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Addresses refused unless allowed by an address or CIDR entry. */
const INTERNAL: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['100.100.100.200', 32, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fd00:ec2::254', 128, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

const internal = new BlockList();
for (const [net, prefix, type] of INTERNAL) internal.addSubnet(net, prefix, type);

const family = (ip: string): 'ipv4' | 'ipv6' => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');

/** IPv4 embedded in IPv6 (NAT64 64:ff9b::/96) is judged as the IPv4 address (IPv4-mapped: BlockList does it). */
function unwrap(ip: string): string {
  const m = /^64:ff9b::(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/i.exec(ip);
  if (!m) return ip;
  if (m[3]) return m[3];
  const hi = parseInt(m[1]!, 16);
  const lo = parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export type UrlPurpose = 'connection' | 'webhook';

/** A URL the policy refuses; the message names the rule, never credentials in the URL. */
export class UrlPolicyError extends Error {
  override readonly name = 'UrlPolicyError';
}

const stripBrackets = (h: string) => h.replace(/^\[|\]$/g, '');
const normName = (h: string) => h.toLowerCase().replace(/\.$/, '');

export class OutboundPolicy {
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];
  private anyName = false;
  private readonly addresses = new BlockList();
  private addressEntries = 0;

  private constructor(readonly spec: string | null) {}

  /** Parses `IIQ_GRAPH_ALLOWED_HOSTS`; throws an Error naming the bad entry. Unset / empty: no allow-list. */
  static parse(spec: string | null | undefined): OutboundPolicy {
    const trimmed = spec?.trim() ? spec.trim() : null;
    const p = new OutboundPolicy(trimmed);
    for (const raw of (trimmed ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const entry = stripBrackets(raw);
      const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
      if (cidr) {
        const ip = stripBrackets(cidr[1]!);
        const prefix = Number(cidr[2]);
        const v = isIP(ip);
        if (!v || prefix > (v === 4 ? 32 : 128)) throw new Error(`IIQ_GRAPH_ALLOWED_HOSTS: "${raw}" is not a CIDR block (e.g. 10.0.0.0/8 or fd00::/8)`);
        p.addresses.addSubnet(ip, prefix, v === 4 ? 'ipv4' : 'ipv6');
        p.addressEntries++;
      } else if (isIP(entry)) {
        p.addresses.addAddress(entry, family(entry));
        p.addressEntries++;
      } else if (entry === '*') {
        p.anyName = true;
      } else if (/^\*\.[a-z0-9-]+(\.[a-z0-9-]+)*\.?$/i.test(entry)) {
        p.suffixes.push(normName(entry.slice(1)));
      } else if (/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i.test(entry)) {
        p.names.add(normName(entry));
      } else {
        throw new Error(`IIQ_GRAPH_ALLOWED_HOSTS: "${raw}" is not a host name, *.suffix, IP address or CIDR block`);
      }
    }
    return p;
  }

  private static cache = new Map<string, OutboundPolicy>();

  /** The policy of an environment (the processes' entry points read process.env once). */
  static fromEnv(env: Record<string, string | undefined>): OutboundPolicy {
    const spec = env.IIQ_GRAPH_ALLOWED_HOSTS ?? '';
    let p = OutboundPolicy.cache.get(spec);
    if (!p) OutboundPolicy.cache.set(spec, (p = OutboundPolicy.parse(spec)));
    return p;
  }

  /** whether IIQ_GRAPH_ALLOWED_HOSTS is set */
  get restricted(): boolean {
    return this.spec !== null;
  }

  /** An address this process may connect to: explicitly allowed, or not internal. */
  addressAllowed(ip: string): boolean {
    const a = unwrap(stripBrackets(ip));
    const type = family(a);
    if (this.addressEntries > 0 && this.addresses.check(a, type)) return true;
    return !internal.check(a, type);
  }

  /** How a host matches the list: 'explicit' (a name, suffix, address or CIDR entry), 'any' (`*` / no list), or null. */
  private hostMatch(host: string): 'explicit' | 'any' | null {
    if (isIP(host)) {
      if (this.addressEntries > 0 && this.addresses.check(unwrap(host), family(unwrap(host)))) return 'explicit';
      return this.restricted ? null : 'any';
    }
    const name = normName(host);
    if (this.names.has(name) || this.suffixes.some((s) => name.endsWith(s))) return 'explicit';
    return !this.restricted || this.anyName ? 'any' : null;
  }

  /** Checks without DNS (scheme, allow-list, IP literals, `localhost`); returns the problem or null. */
  problem(url: string, purpose: UrlPurpose, field = purpose === 'webhook' ? 'url' : 'baseUrl'): string | null {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return `${field} must be an absolute URL`;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return `${field} must use http or https`;
    const host = stripBrackets(u.hostname);
    const match = this.hostMatch(host);
    if (!match) return `${field}: host ${host} is not in IIQ_GRAPH_ALLOWED_HOSTS`;
    if (purpose === 'webhook' && u.protocol !== 'https:' && match !== 'explicit') {
      return `${field} must use https (http only for a host listed in IIQ_GRAPH_ALLOWED_HOSTS)`;
    }
    if (isIP(host) && !this.addressAllowed(host)) return `${field}: ${host} is an internal address (loopback, link-local or metadata); allow it in IIQ_GRAPH_ALLOWED_HOSTS to use it`;
    const name = normName(host);
    if ((name === 'localhost' || name.endsWith('.localhost')) && !this.addressAllowed('127.0.0.1')) {
      return `${field}: ${host} is a loopback name; allow 127.0.0.1 in IIQ_GRAPH_ALLOWED_HOSTS to use it`;
    }
    return null;
  }

  /**
   * The full check before anything is sent: `problem`, then the host's DNS answers (every address must be
   * allowed). A name that does not resolve passes here (the request then fails to connect; its check says so).
   */
  async assertAllowed(url: string, purpose: UrlPurpose, field?: string): Promise<void> {
    const p = this.problem(url, purpose, field);
    if (p) throw new UrlPolicyError(p);
    const host = stripBrackets(new URL(url).hostname);
    if (isIP(host)) return;
    let found: LookupAddress[];
    try {
      found = await new Promise<LookupAddress[]>((resolve, reject) => dnsLookup(host, { all: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))));
    } catch {
      return;
    }
    const bad = found.find((a) => !this.addressAllowed(a.address));
    if (bad) throw new UrlPolicyError(`${field ?? (purpose === 'webhook' ? 'url' : 'baseUrl')}: ${host} resolves to an internal address (${bad.address}); allow it in IIQ_GRAPH_ALLOWED_HOSTS to use it`);
  }

  /**
   * A `lookup` for net/tls connect (undici's `connect` option): resolves as dns.lookup does, then refuses the
   * connection when any answer is not allowed — the check at connect time, after DNS, that defeats a rebind.
   */
  readonly lookup: LookupFunction = (hostname: string, options: LookupOptions, callback: (...args: any[]) => void) => {
    dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (err, addrs) => {
      if (err) return callback(err);
      const bad = addrs.find((a) => !this.addressAllowed(a.address));
      if (bad) {
        const refused = Object.assign(new Error(`connection to ${hostname} refused: it resolves to an internal address (${bad.address}) not allowed by IIQ_GRAPH_ALLOWED_HOSTS`), { code: 'EADDRNOTALLOWED' });
        return callback(refused);
      }
      if ((options as LookupAllOptions).all) return callback(null, addrs);
      const first = addrs[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
      callback(null, first.address, first.family);
    });
  };
}

