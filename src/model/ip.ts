/**
 * IP addresses and CIDRs the way kube-proxy reads and prints them.
 *
 * kube-proxy parses with k8s.io/utils/net ParseIPSloppy / ParseCIDRSloppy, which accept IPv4
 * octets with leading zeros as *decimal* (`172.30.0.041` is 172.30.0.41), and prints with Go's
 * net.IP.String(): dotted decimal for IPv4 (including IPv4-mapped IPv6), RFC 5952 for IPv6
 * (lower-case hex, no leading zeros, the longest run of two or more zero groups as `::`).
 */

export type IPFamily = 4 | 6;

export interface IP {
  family: IPFamily;
  /** 4 bytes for IPv4, 16 for IPv6. */
  bytes: Uint8Array;
}

export interface CIDR {
  /** The network address, already masked. */
  ip: IP;
  prefix: number;
}

/** Four dot-separated decimal octets of 1–8 digits each (leading zeros allowed), each ≤ 255. */
function parseIPv4Bytes(s: string): Uint8Array | null {
  // A scan rather than split + regex: every endpoint address goes through here.
  const out = new Uint8Array(4);
  let octet = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e; // a final '.' ends the last octet
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || octet > 3) return null;
      out[octet++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > 8) return null;
      value = value * 10 + (c - 0x30);
    } else {
      return null;
    }
  }
  return octet === 4 ? out : null;
}

function parseIPv6Bytes(s: string): Uint8Array | null {
  if (s.length < 2 || s.includes('%')) return null;
  const out = new Uint8Array(16);
  let head: string[];
  let tail: string[];
  const dbl = s.indexOf('::');
  if (dbl >= 0) {
    if (s.indexOf('::', dbl + 1) >= 0) return null;
    const left = s.slice(0, dbl);
    const right = s.slice(dbl + 2);
    head = left === '' ? [] : left.split(':');
    tail = right === '' ? [] : right.split(':');
  } else {
    head = s.split(':');
    tail = [];
  }
  const groups: number[] = [];
  const all = [...head, ...tail];
  let v4: Uint8Array | null = null;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    v4 = parseIPv4Bytes(last);
    if (!v4) return null;
    if (tail.length > 0) tail = tail.slice(0, -1);
    else head = head.slice(0, -1);
  }
  for (const g of [...head, ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
  }
  const needed = v4 ? 6 : 8;
  const have = head.length + tail.length;
  if (dbl >= 0) {
    if (have > needed - 1) return null;
  } else if (have !== needed) {
    return null;
  }
  for (const g of head) groups.push(Number.parseInt(g, 16));
  for (let i = 0; i < needed - have; i++) groups.push(0);
  for (const g of tail) groups.push(Number.parseInt(g, 16));
  for (let i = 0; i < groups.length; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/**
 * True when `text` is an IPv4 address exactly as formatIP prints it (four octets 0–255, no
 * leading zeros), so that parseIP + formatIP would give it back unchanged.
 */
export function isCanonicalIPv4(text: string): boolean {
  let octets = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || ++octets > 4) return false;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits === 1 && value === 0) return false; // a leading zero
      value = value * 10 + (c - 0x30);
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return octets === 4;
}

/** ParseIPSloppy: null when the text is not an IP address. */
export function parseIP(text: string): IP | null {
  if (text.includes(':')) {
    const b = parseIPv6Bytes(text);
    if (!b) return null;
    if (isV4Mapped(b)) return { family: 4, bytes: b.slice(12) };
    return { family: 6, bytes: b };
  }
  const b = parseIPv4Bytes(text);
  return b ? { family: 4, bytes: b } : null;
}

/**
 * The run of zero 16-bit groups that `::` replaces: the longest, the first one on a tie, and
 * none (start -1) when the longest is a single group. Go and glibc agree on this rule.
 */
export function longestZeroRun(groups: readonly number[]): { start: number; length: number } {
  let start = -1;
  let length = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > length) {
      start = i;
      length = j - i;
    }
    i = j;
  }
  return length < 2 ? { start: -1, length: 0 } : { start, length };
}

/** Go's net.IP.String(). */
export function formatIP(ip: IP): string {
  const b = ip.bytes;
  // join(), not a template: every endpoint's address, used many times (README#performance).
  if (ip.family === 4) return [b[0], b[1], b[2], b[3]].join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  const { start: bestStart, length: bestLen } = longestZeroRun(groups);
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += groups[i]!.toString(16);
  }
  return s;
}

/** net.JoinHostPort: IPv6 hosts are bracketed. */
export function joinHostPort(ip: string, port: number): string {
  // join(), not `+`: a Map key, and in several rules of every endpoint (README#performance).
  return ip.includes(':') ? ['[', ip, ']:', port].join('') : [ip, port].join(':');
}

/** ParseCIDRSloppy, then masked to its network address (Go's IPNet.String()). */
export function parseCIDR(text: string): CIDR | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIP(text.slice(0, slash));
  const p = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(p)) return null;
  const prefix = Number.parseInt(p, 10);
  // An IPv4-mapped address with an IPv6-sized prefix stays IPv6 in Go; that corner is not
  // something a Service can hold (the API rejects it), so it is simply refused here.
  const max = ip.family === 4 ? 32 : 128;
  if (prefix > max) return null;
  return { ip: maskIP(ip, prefix), prefix };
}

/** `ip` with every bit after the first `prefix` cleared. */
export function maskIP(ip: IP, prefix: number): IP {
  const out = new Uint8Array(ip.bytes.length);
  for (let i = 0; i < out.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    const mask = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    out[i] = ip.bytes[i]! & mask;
  }
  return { family: ip.family, bytes: out };
}

export function formatCIDR(c: CIDR): string {
  return `${formatIP(c.ip)}/${c.prefix}`;
}

export function cidrContains(c: CIDR, ip: IP): boolean {
  if (c.ip.family !== ip.family) return false;
  const m = maskIP(ip, c.prefix);
  for (let i = 0; i < m.bytes.length; i++) if (m.bytes[i] !== c.ip.bytes[i]) return false;
  return true;
}

export function isLoopback(ip: IP): boolean {
  if (ip.family === 4) return ip.bytes[0] === 127;
  for (let i = 0; i < 15; i++) if (ip.bytes[i] !== 0) return false;
  return ip.bytes[15] === 1;
}
