/**
 * --nodeport-addresses, as kube-proxy's NodePortAddresses (pkg/proxy/util/nodeport_addresses.go)
 * reads it for one IP family.
 */
import { cidrContains, isLoopback, parseCIDR, type CIDR, type IP, type IPFamily } from './ip.js';

export interface ParsedNodePortAddresses {
  /** CIDRs of this family; empty = match all. */
  cidrs: CIDR[];
  /** Entries that are not CIDRs (reported by the caller). */
  invalid: string[];
}

/**
 * NewNodePortAddresses: other-family CIDRs are dropped; none left means match-all; a /0
 * makes it match-all. (`primary` is expanded by the caller before this.)
 */
export function parseNodePortAddresses(entries: readonly string[], family: IPFamily): ParsedNodePortAddresses {
  const cidrs: CIDR[] = [];
  const invalid: string[] = [];
  for (const e of entries) {
    const c = parseCIDR(e);
    if (!c) {
      invalid.push(e);
      continue;
    }
    if (c.ip.family !== family) continue;
    if (c.prefix === 0) return { cidrs: [], invalid };
    cidrs.push(c);
  }
  return { cidrs, invalid };
}

export function matchAll(cidrs: readonly CIDR[]): boolean {
  return cidrs.length === 0;
}

/** ContainsIPv4Loopback: decides whether localhost NodePorts can work at all. */
export function containsIPv4Loopback(cidrs: readonly CIDR[]): boolean {
  if (matchAll(cidrs)) return true;
  const loopback: IP = { family: 4, bytes: new Uint8Array([127, 0, 0, 1]) };
  return cidrs.some((c) => c.ip.family === 4 && (isLoopback(c.ip) || cidrContains(c, loopback)));
}

/**
 * GetNodeIPs: the node's addresses inside any of the CIDRs, each once. kube-proxy collects them
 * through a Go map (random order); kp-gen keeps the order of --node-addresses.
 */
export function nodeIPsForNodePorts(cidrs: readonly CIDR[], nodeAddresses: readonly IP[], family: IPFamily): IP[] {
  const seen = new Set<string>();
  const out: IP[] = [];
  for (const ip of nodeAddresses) {
    if (ip.family !== family) continue;
    const key = Array.from(ip.bytes).join('.');
    if (seen.has(key)) continue;
    if (cidrs.some((c) => cidrContains(c, ip))) {
      seen.add(key);
      out.push(ip);
    }
  }
  return out;
}
