/**
 * Addresses as iptables-save prints them: glibc's inet_ntop, applied to the address after the
 * kernel has masked it with its prefix.
 *
 * glibc and Go (which kp-gen's restore form follows, model/ip.ts) agree on IPv4 and on almost
 * all IPv6 text: lower-case hex, no leading zeros, the first longest run of two or more zero
 * groups as `::`. They differ on one corner: glibc prints the last 32 bits in dotted decimal
 * when the first 96 bits are zero (`::1.2.3.4`, except for `::` and `::1`-like addresses whose
 * zero run is longer) or when the address is IPv4-mapped (`::ffff:1.2.3.4`); Go prints hex
 * groups (`::102:304`). Checked against iptables 1.8.9 in the kernel (test/save-vocabulary.test.ts).
 */
import { longestZeroRun, parseIP, type IP, type IPFamily } from '../model/ip.js';

function ntop4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** glibc inet_ntop (AF_INET / AF_INET6). */
export function inetNtop(ip: IP): string {
  const b = ip.bytes;
  if (ip.family === 4) return ntop4(b, 0);
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  const { start: bestBase, length: bestLen } = longestZeroRun(words);
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return s + ntop4(b, 12);
    }
    s += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}

/**
 * Parse an address of the given family. model/ip.ts folds IPv4-mapped IPv6 addresses into
 * IPv4 (as Go does); ip6tables keeps them IPv6.
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

export interface SavedAddress {
  /** The masked address in inet_ntop text. */
  address: string;
  prefix: number;
}

/** `-s`/`-d` text (an address, or address/prefix) → the masked address and its prefix length. */
export function parseHostOrNetwork(text: string, family: IPFamily): SavedAddress | null {
  const max = family === 4 ? 32 : 128;
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseFamilyIP(text, family);
    return ip ? { address: inetNtop(ip), prefix: max } : null;
  }
  const ip = parseFamilyIP(text.slice(0, slash), family);
  const p = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(p) || Number(p) > max) return null;
  const prefix = Number(p);
  const masked = new Uint8Array(ip.bytes.length);
  for (let i = 0; i < masked.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - 8 * i));
    masked[i] = ip.bytes[i]! & (bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff);
  }
  return { address: inetNtop({ family, bytes: masked }), prefix };
}
