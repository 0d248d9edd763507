/**
 * The value codecs of the rule language: how iptables reads each kind of value kube-proxy
 * writes (the text → the number or address the kernel stores) and how iptables-save prints
 * the stored value back. Every reader and printer of kp-gen goes through these, so the restore
 * form, the save form, the compare key and the tracer always agree on what a value means.
 * Checked against iptables 1.8.9 in the kernel by test/vocabulary.test.ts.
 */
import { maskIP, parseIP, type CIDR, type IP, type IPFamily } from '../model/ip.js';
import { inetNtop } from './inet-ntop.js';

/** A value iptables would refuse. The message says what the value should be. */
export class ValueError extends Error {
  override readonly name = 'ValueError';
}

const UINT32_MAX = 0xffffffff;
/** What strtoul(text, NULL, 0) reads in full: decimal, 0x hex, or 0-prefixed octal. */
const C_UNSIGNED = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/**
 * An unsigned 32-bit number as libxtables reads marks and masks (strtoul with base 0): `16384`,
 * `0x4000` and `040000` are the same number.
 */
export function parseUint32(text: string): number {
  if (C_UNSIGNED.test(text)) {
    const v = /^0[0-7]+$/.test(text) ? Number.parseInt(text.slice(1), 8) : Number(text);
    if (v <= UINT32_MAX) return v;
  }
  throw new ValueError(`${JSON.stringify(text)} is not a 32-bit number (decimal, 0x hex or 0-prefixed octal)`);
}

/** printf("0x%x"). */
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

/** `VALUE[/MASK]`: what `-m mark --mark` compares (mark & mask == value), and MARK's operands. */
export interface MarkMask {
  value: number;
  mask: number;
}

/** `VALUE[/MASK]` as xtables_parse_mark_mask reads it; no mask means all ones. */
export function parseMarkMask(text: string): MarkMask {
  const slash = text.indexOf('/');
  if (slash < 0) return { value: parseUint32(text), mask: UINT32_MAX };
  return { value: parseUint32(text.slice(0, slash)), mask: parseUint32(text.slice(slash + 1)) };
}

/** How `-m mark --mark` prints: `0x%x`, plus `/0x%x` unless the mask is all ones. */
export function formatMarkMatch({ value, mask }: MarkMask): string {
  return mask === UINT32_MAX ? hex(value) : `${hex(value)}/${hex(mask)}`;
}

/** The MARK target's operations; the kernel keeps each as one xor-and-mask pair. */
export const MARK_OPERATIONS = ['--set-xmark', '--set-mark', '--and-mark', '--or-mark', '--xor-mark'] as const;
export type MarkOperation = (typeof MARK_OPERATIONS)[number];

/**
 * What a MARK target stores (xt_MARK): new mark = (old & ~mask) ^ value. Each operation reduces
 * to it, which is why iptables-save prints kube-proxy's `--or-mark 0x4000` as
 * `--set-xmark 0x4000/0x4000` and `--xor-mark 0x4000` as `--set-xmark 0x4000/0x0`.
 */
export function markAction(op: MarkOperation, text: string): MarkMask {
  switch (op) {
    case '--set-xmark':
      return parseMarkMask(text);
    case '--set-mark': {
      const m = parseMarkMask(text);
      return { value: m.value, mask: (m.value | m.mask) >>> 0 };
    }
    case '--or-mark': {
      const v = parseUint32(text);
      return { value: v, mask: v };
    }
    case '--and-mark':
      return { value: 0, mask: ~parseUint32(text) >>> 0 };
    case '--xor-mark':
      return { value: parseUint32(text), mask: 0 };
  }
}

/** The packet's mark after a MARK target. */
export function applyMark(mark: number, a: MarkMask): number {
  return ((mark & ~a.mask) ^ a.value) >>> 0;
}

/** `-m statistic --probability`: the kernel compares a random 31-bit number with this many units. */
export const PROBABILITY_SCALE = 0x8000_0000;

const DECIMAL = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

/**
 * `--probability P` as libxt_statistic stores it: lround(P × 2³¹). kube-proxy's `0.3333333333`
 * is 715827883 units, which iptables-save prints as `0.33333333349`.
 */
export function probabilityUnits(text: string): number {
  const p = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new ValueError(`${JSON.stringify(text)} is not a probability between 0 and 1`);
  const scaled = p * PROBABILITY_SCALE; // exact: a power-of-two scaling
  const floor = Math.floor(scaled);
  return scaled - floor >= 0.5 ? floor + 1 : floor; // lround: ties away from zero
}

/** How iptables-save prints a stored probability: units ÷ 2³¹ with `%.11f`. */
export function formatProbabilityUnits(units: number): string {
  return fixedOfPow2Fraction(BigInt(units), 31, 11);
}

/** k / 2^shift printed as glibc's `%.<digits>f` does: the exact binary value, ties to even. */
export function fixedOfPow2Fraction(k: bigint, shift: number, digits: number): string {
  const den = 1n << BigInt(shift);
  const num = k * 10n ** BigInt(digits);
  let q = num / den;
  const twiceRem = (num % den) * 2n;
  if (twiceRem > den || (twiceRem === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(digits + 1, '0');
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** The conntrack states, in the order libxt_conntrack prints them. */
const CT_STATES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;

/** `--ctstate A,B` (any case, any order, repeats allowed) → the states, in print order. */
export function parseCtStates(text: string): string[] {
  const given = text.split(',').map((s) => s.toUpperCase());
  const bad = given.find((s) => !(CT_STATES as readonly string[]).includes(s));
  if (bad !== undefined) throw new ValueError(`${JSON.stringify(bad)} is not a conntrack state (${CT_STATES.join(', ')})`);
  return CT_STATES.filter((s) => given.includes(s));
}

/** The address types of `-m addrtype`, in the order of their bits (and of printing). */
const ADDRESS_TYPES = [
  'UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE',
] as const;

/** `--dst-type LOCAL[,…]` (any case, any order) → the types, in print order. */
export function parseAddressTypes(text: string): string[] {
  const given = text.split(',').map((s) => s.toUpperCase());
  const bad = given.find((s) => !(ADDRESS_TYPES as readonly string[]).includes(s));
  if (bad !== undefined) throw new ValueError(`${JSON.stringify(bad)} is not an address type (${ADDRESS_TYPES.join(', ')})`);
  return ADDRESS_TYPES.filter((t) => given.includes(t));
}

/** A port or a `FIRST:LAST` range (`:LAST` from 0, `FIRST:` to 65535), as libxt_tcp reads it. */
export interface PortRange {
  first: number;
  last: number;
}

export function parsePortRange(text: string): PortRange {
  const m = /^([0-9]{1,5})?(?::([0-9]{1,5})?)?$/.exec(text);
  if (!m || text === '' || text === ':') throw new ValueError(`${JSON.stringify(text)} is not a port or port range`);
  const first = m[1] === undefined ? 0 : Number(m[1]);
  const last = text.includes(':') ? (m[2] === undefined ? 65535 : Number(m[2])) : first;
  if (first > 65535 || last > 65535) throw new ValueError(`${JSON.stringify(text)} is not a port (0-65535)`);
  return { first, last };
}

/** How libxt_tcp/udp/sctp print a port or range. */
export function formatPortRange(r: PortRange): string {
  return r.first === r.last ? String(r.first) : `${r.first}:${r.last}`;
}

/** A `-s`/`-d` value: the masked network and its prefix length, in the rule's family. */
export interface HostOrNetwork {
  ip: IP;
  prefix: number;
}

/**
 * An address of `family` as iptables reads one. model/ip.ts folds IPv4-mapped IPv6 text into
 * IPv4, as Go does; ip6tables keeps it IPv6.
 */
export function parseFamilyIP(text: string, family: IPFamily): IP | null {
  const ip = parseIP(text);
  if (!ip) return null;
  if (ip.family === family) return ip;
  if (family === 6 && text.includes(':')) {
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    bytes.set(ip.bytes, 12);
    return { family: 6, bytes };
  }
  return null;
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

/**
 * `ADDR`, `ADDR/LEN` or (IPv4) `ADDR/DOTTED-MASK`, as xtables_ipparse_multiple reads a `-s`/`-d`
 * value: the address is masked with the prefix. With `family` undefined, the address decides.
 */
export function parseHostOrNetwork(text: string, family?: IPFamily): HostOrNetwork {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const ip = family === undefined ? parseIP(addr) : parseFamilyIP(addr, family);
  if (!ip) throw new ValueError(`${JSON.stringify(text)} is not an IPv${family ?? ''} address or network`.replace('IPv ', 'IP '));
  const max = ip.family === 4 ? 32 : 128;
  if (slash < 0) return { ip, prefix: max };
  const maskText = text.slice(slash + 1);
  let prefix: number;
  if (/^[0-9]{1,3}$/.test(maskText)) {
    prefix = Number(maskText);
  } else {
    const mask = parseFamilyIP(maskText, ip.family);
    prefix = mask ? prefixOfMask(mask) : -1;
  }
  if (prefix < 0 || prefix > max) throw new ValueError(`${JSON.stringify(text)} has a bad prefix length or mask`);
  return { ip: maskIP(ip, prefix), prefix };
}

/** The address as iptables-save prints it: glibc's inet_ntop of the masked address, then /LEN. */
export function formatHostOrNetwork(a: HostOrNetwork): string {
  return `${inetNtop(a.ip)}/${a.prefix}`;
}

/** As a model/ip.ts CIDR (the tracer's containment checks). */
export function asCIDR(a: HostOrNetwork): CIDR {
  return { ip: a.ip, prefix: a.prefix };
}

/** A DNAT `--to-destination` (SNAT `--to-source`) value: `IP`, `IP:PORT[-PORT]`, `[IPv6]:PORT`. */
export interface NatRange {
  ip: IP;
  ports: PortRange | null;
}

export function parseNatRange(text: string, family?: IPFamily): NatRange {
  let host: string;
  let port: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.+))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    port = v6[2];
  } else if ((text.match(/:/g) ?? []).length > 1) {
    host = text;
  } else {
    const i = text.indexOf(':');
    host = i < 0 ? text : text.slice(0, i);
    port = i < 0 ? undefined : text.slice(i + 1);
  }
  const ip = family === undefined ? parseIP(host) : parseFamilyIP(host, family);
  if (!ip) throw new ValueError(`${JSON.stringify(text)} is not an address[:port]`);
  let ports: PortRange | null = null;
  if (port !== undefined) {
    const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(port);
    if (!m || Number(m[1]) > 65535 || Number(m[2] ?? m[1]) > 65535) throw new ValueError(`${JSON.stringify(text)} has a bad port`);
    ports = { first: Number(m[1]), last: Number(m[2] ?? m[1]) };
  }
  return { ip, ports };
}

/** How libxt_DNAT prints it: inet_ntop text, IPv6 in brackets when a port follows. */
export function formatNatRange(n: NatRange): string {
  const host = inetNtop(n.ip);
  if (!n.ports) return host;
  const p = n.ports.first === n.ports.last ? String(n.ports.first) : `${n.ports.first}-${n.ports.last}`;
  return n.ip.family === 6 ? `[${host}]:${p}` : `${host}:${p}`;
}

/** `-p` names iptables knows by number too; `all`/`0` mean any protocol. */
const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '58': 'ipv6-icmp', '132': 'sctp', icmpv6: 'ipv6-icmp' };

/** `-p` value → its canonical name; undefined for any protocol (`all`, `0`). */
export function canonicalProtocol(text: string): string | undefined {
  const t = text.toLowerCase();
  if (t === 'all' || t === '0') return undefined;
  return PROTOCOL_NUMBERS[t] ?? t;
}

/** REJECT `--reject-with` types by family: the name iptables-save prints, then the aliases it reads. */
const REJECT_TYPES: Readonly<Record<IPFamily, readonly (readonly string[])[]>> = {
  4: [
    ['icmp-net-unreachable', 'net-unreach'],
    ['icmp-host-unreachable', 'host-unreach'],
    ['icmp-port-unreachable', 'port-unreach'],
    ['icmp-proto-unreachable', 'proto-unreach'],
    ['icmp-net-prohibited', 'net-prohib'],
    ['icmp-host-prohibited', 'host-prohib'],
    ['icmp-admin-prohibited', 'admin-prohib'],
    ['tcp-reset', 'tcp-rst'],
  ],
  6: [
    ['icmp6-no-route', 'no-route'],
    ['icmp6-adm-prohibited', 'adm-prohibited'],
    ['icmp6-addr-unreachable', 'addr-unreach'],
    ['icmp6-port-unreachable', 'port-unreach'],
    ['icmp6-policy-fail', 'policy-fail'],
    ['icmp6-reject-route', 'reject-route'],
    ['tcp-reset', 'tcp-rst'],
  ],
};

/** What REJECT sends when no `--reject-with` is given (iptables-save prints it all the same). */
export function defaultRejectType(family: IPFamily): string {
  return family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
}

/** A `--reject-with` value → the name iptables-save prints. */
export function parseRejectType(text: string, family: IPFamily): string {
  const entry = REJECT_TYPES[family].find((names) => names.includes(text));
  if (!entry) throw new ValueError(`${JSON.stringify(text)} is not an IPv${family} reject type`);
  return entry[0]!;
}

/** `-m recent --mask`: all ones unless given; iptables-save prints it always. */
export function defaultRecentMask(family: IPFamily): string {
  return family === 4 ? '255.255.255.255' : 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
}

/** A `--mask` address, printed as iptables-save prints it. */
export function formatRecentMask(text: string, family: IPFamily): string {
  const ip = parseFamilyIP(text, family);
  if (!ip) throw new ValueError(`${JSON.stringify(text)} is not an IPv${family} mask`);
  return inetNtop(ip);
}

/** A plain decimal count (`--seconds`, `--hitcount`). */
export function parseCount(text: string): number {
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) > UINT32_MAX) throw new ValueError(`${JSON.stringify(text)} is not a count`);
  return Number(text);
}

/** Characters xtables_save_string prints without quotes. */
const NO_QUOTE = /^[_\-0-9a-zA-Z]+$/;

/**
 * libxtables' xtables_save_string: letters, digits, `_` and `-` alone are printed as they are;
 * anything else (a space, `/`, `:`, `.`, the empty string) in double quotes, with `"`, `\` and
 * `'` backslash-escaped. So kube-proxy's `--comment ns/svc:port` comes back quoted.
 */
export function saveString(value: string): string {
  if (NO_QUOTE.test(value)) return value;
  // No text may end the line it is printed on (iptables-save would print the break as is).
  if (/[\n\r\0]/.test(value)) throw new ValueError(`${JSON.stringify(value)} cannot be printed on one line`);
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}
