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
import { longestZeroRun, type IP } from '../model/ip.js';

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
