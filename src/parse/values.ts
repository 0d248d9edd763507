/**
 * The values inside rules, read the way the kernel stores them, so that two spellings of the
 * same value compare equal (`10.96.0.1` and `10.96.0.1/32`, `0x00004000` and `0x4000`,
 * `0.5000000000` and `0.50000000000`) and the tracer can evaluate them.
 */
import { formatCIDR, formatIP, parseCIDR, parseIP, type CIDR, type IP } from '../model/ip.js';

export class ValueError extends Error {
  override readonly name = 'ValueError';
}

const U32 = 0x1_0000_0000;

/** An unsigned 32-bit number written in decimal or 0x-hex. */
export function parseU32(text: string): number {
  const t = text.trim().toLowerCase();
  let v: number;
  if (/^0x[0-9a-f]{1,8}$/.test(t)) v = Number.parseInt(t.slice(2), 16);
  else if (/^[0-9]{1,10}$/.test(t)) v = Number.parseInt(t, 10);
  else throw new ValueError(`${JSON.stringify(text)} is not a 32-bit number`);
  if (v >= U32) throw new ValueError(`${JSON.stringify(text)} is not a 32-bit number`);
  return v;
}

export function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}

/** `VALUE[/MASK]` as `-m mark --mark` reads it: matches when (mark & mask) == value. */
export interface MarkMatch {
  value: number;
  mask: number;
}

export function parseMarkMatch(text: string): MarkMatch {
  const [v, m] = text.split('/');
  return { value: parseU32(v!), mask: m === undefined ? 0xffffffff : parseU32(m) };
}

/**
 * What a MARK target does, as xt_MARK stores it: new = (old & ~mask) ^ value. All of
 * `--set-mark`, `--set-xmark`, `--or-mark`, `--and-mark`, `--xor-mark` reduce to this, which is
 * how iptables-save can print kube-proxy's `--or-mark 0x4000` as `--set-xmark 0x4000/0x4000`.
 */
export interface MarkAction {
  value: number;
  mask: number;
}

export function markAction(option: string, text: string): MarkAction {
  const [vText, mText] = text.split('/');
  const v = parseU32(vText!);
  const m = mText === undefined ? undefined : parseU32(mText);
  switch (option) {
    case '--set-xmark':
      return { value: v, mask: m ?? 0xffffffff };
    case '--set-mark':
      return { value: v, mask: m === undefined ? 0xffffffff : (v | m) >>> 0 };
    case '--or-mark':
      return { value: v, mask: v };
    case '--and-mark':
      return { value: 0, mask: ~v >>> 0 };
    case '--xor-mark':
      return { value: v, mask: 0 };
    default:
      throw new ValueError(`unknown MARK option ${option}`);
  }
}

export function applyMark(mark: number, a: MarkAction): number {
  return ((mark & ~a.mask) ^ a.value) >>> 0;
}

/**
 * `--probability P` as the kernel keeps it: round(P × 2³¹) (xt_statistic). iptables-save
 * prints that back with 11 decimals, so kube-proxy's `0.3333333333` reads back as
 * `0.33333333349`; both give the same number here.
 */
export function probabilityUnits(text: string): number {
  const p = Number(text);
  if (!/^\d*\.?\d+(e-?\d+)?$/i.test(text.trim()) || !Number.isFinite(p) || p < 0 || p > 1) {
    throw new ValueError(`${JSON.stringify(text)} is not a probability`);
  }
  return Math.round(p * 0x8000_0000);
}

export const PROBABILITY_SCALE = 0x8000_0000;

/** A port or a `FIRST:LAST` range. */
export interface PortRange {
  first: number;
  last: number;
}

export function parsePortRange(text: string): PortRange {
  const m = /^(\d{1,5})?(?::(\d{1,5})?)?$/.exec(text.trim());
  if (!m || text.trim() === '') throw new ValueError(`${JSON.stringify(text)} is not a port or port range`);
  const first = m[1] === undefined ? 0 : Number(m[1]);
  const last = text.includes(':') ? (m[2] === undefined ? 65535 : Number(m[2])) : first;
  if (first > 65535 || last > 65535) throw new ValueError(`${JSON.stringify(text)} is not a port`);
  return { first, last };
}

export function formatPortRange(r: PortRange): string {
  return r.first === r.last ? String(r.first) : `${r.first}:${r.last}`;
}

/** `-s`/`-d` values: an address (a /32 or /128), `ADDR/LEN` or `ADDR/DOTTED-MASK`. */
export function parseAddress(text: string): CIDR {
  const t = text.trim();
  const slash = t.indexOf('/');
  if (slash < 0) {
    const ip = parseIP(t);
    if (!ip) throw new ValueError(`${JSON.stringify(text)} is not an address`);
    return { ip, prefix: ip.family === 4 ? 32 : 128 };
  }
  const maskText = t.slice(slash + 1);
  if (maskText.includes('.')) {
    const mask = parseIP(maskText);
    const prefix = mask ? prefixOfMask(mask) : -1;
    if (prefix < 0) throw new ValueError(`${JSON.stringify(text)} has a bad mask`);
    const c = parseCIDR(`${t.slice(0, slash)}/${prefix}`);
    if (c) return c;
  }
  const c = parseCIDR(t);
  if (!c) throw new ValueError(`${JSON.stringify(text)} is not an address or CIDR`);
  return c;
}

function prefixOfMask(mask: IP): number {
  let prefix = 0;
  let ended = false;
  for (const b of mask.bytes) {
    for (let bit = 7; bit >= 0; bit--) {
      const set = (b >> bit) & 1;
      if (set && ended) return -1;
      if (set) prefix++;
      else ended = true;
    }
  }
  return prefix;
}

export function formatAddress(c: CIDR): string {
  return formatCIDR(c);
}

/** DNAT/SNAT `--to-destination` values: `IP`, `IP:PORT`, `IP:PORT-PORT`, `[IPv6]:PORT`. */
export interface NatTarget {
  ip: IP;
  ports: PortRange | null;
}

export function parseNatTarget(text: string): NatTarget {
  const t = text.trim();
  let host: string;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.+))?$/.exec(t);
  if (v6) {
    host = v6[1]!;
    port = v6[2];
  } else if ((t.match(/:/g) ?? []).length > 1) {
    host = t;
  } else {
    const i = t.indexOf(':');
    host = i < 0 ? t : t.slice(0, i);
    port = i < 0 ? undefined : t.slice(i + 1);
  }
  const ip = parseIP(host);
  if (!ip) throw new ValueError(`${JSON.stringify(text)} is not an address[:port]`);
  let ports: PortRange | null = null;
  if (port !== undefined) {
    const [a, b] = port.split('-');
    ports = { first: parsePortRange(a!).first, last: parsePortRange(b ?? a!).first };
  }
  return { ip, ports };
}

export function formatNatTarget(n: NatTarget): string {
  const host = formatIP(n.ip);
  if (!n.ports) return host;
  const p = n.ports.first === n.ports.last ? String(n.ports.first) : `${n.ports.first}-${n.ports.last}`;
  return n.ip.family === 6 ? `[${host}]:${p}` : `${host}:${p}`;
}

/** IP protocol names iptables accepts by number too. */
const PROTOCOL_NUMBERS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '132': 'sctp', icmpv6: 'ipv6-icmp' };

/** `-p` value in canonical form; `all` and `0` mean any protocol (returned as undefined). */
export function canonicalProtocol(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'all' || t === '0') return undefined;
  return PROTOCOL_NUMBERS[t] ?? t;
}
