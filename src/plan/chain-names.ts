/**
 * kube-proxy's chain names (pkg/proxy/iptables/proxier.go portProtoHash and friends):
 * prefix + the first 16 characters of base32(SHA-256(servicePortName + protocol [+ endpoint])),
 * standard RFC 4648 alphabet, protocol lower-cased.
 */
import { hash } from 'node:crypto';

export const KUBE_SERVICES = 'KUBE-SERVICES';
export const KUBE_EXTERNAL_SERVICES = 'KUBE-EXTERNAL-SERVICES';
export const KUBE_NODEPORTS = 'KUBE-NODEPORTS';
export const KUBE_POSTROUTING = 'KUBE-POSTROUTING';
export const KUBE_MARK_MASQ = 'KUBE-MARK-MASQ';
export const KUBE_FORWARD = 'KUBE-FORWARD';
export const KUBE_PROXY_FIREWALL = 'KUBE-PROXY-FIREWALL';
/** kubelet's copy of the anti-martian rule, duplicated by kube-proxy. */
export const KUBE_FIREWALL = 'KUBE-FIREWALL';

export const SVC_PREFIX = 'KUBE-SVC-';
export const SVL_PREFIX = 'KUBE-SVL-';
export const EXT_PREFIX = 'KUBE-EXT-';
export const FW_PREFIX = 'KUBE-FW-';
export const SEP_PREFIX = 'KUBE-SEP-';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Writes the char codes of the first `chars` base32 characters of `bytes` (one byte per
 * character, as node:crypto's 'binary' digest gives them) into `codes` from `at`.
 */
function writeBase32Codes(bytes: string, chars: number, codes: number[], at: number): void {
  let n = 0;
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | bytes.charCodeAt(i)) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      codes[at + n] = BASE32.charCodeAt((buffer >> (bits - 5)) & 31);
      bits -= 5;
      if (++n === chars) return;
    }
  }
  if (bits > 0 && n < chars) codes[at + n] = BASE32.charCodeAt((buffer << (5 - bits)) & 31);
}

/** The first `chars` characters of the standard base32 encoding of `data`. */
export function base32Prefix(data: Uint8Array, chars: number): string {
  const codes = new Array<number>(Math.min(chars, Math.ceil((data.length * 8) / 5))).fill(0);
  writeBase32Codes(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1'), chars, codes, 0);
  return String.fromCharCode(...codes);
}

/**
 * `prefix` + the 16-character hash of `text` (SHA-256 of its UTF-8, as Go hashes a string).
 * The digest comes as a 'binary' string, not a Buffer, and the name is built from char codes
 * rather than by `+`: both measured cheaper for 110k names (README#performance).
 */
function hashedName(prefix: string, text: string): string {
  const codes = new Array<number>(prefix.length + 16).fill(0);
  for (let i = 0; i < prefix.length; i++) codes[i] = prefix.charCodeAt(i);
  writeBase32Codes(hash('sha256', text, 'binary'), 16, codes, prefix.length);
  return String.fromCharCode(...codes);
}

/** portProtoHash: `protocol` is lower-case (`tcp`, `udp`, `sctp`). */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hashedName('', servicePortName + protocol);
}

/** The per-service-port chain names, computed once per port. */
export interface ServicePortChains {
  /** KUBE-SVC-…: dispatch to endpoints under Cluster policy. */
  clusterPolicyChain: string;
  /** KUBE-SVL-…: dispatch to this node's endpoints under Local policy. */
  localPolicyChain: string;
  /** KUBE-EXT-…: entry for NodePort, external IP and load-balancer traffic. */
  externalChain: string;
  /** KUBE-FW-…: loadBalancerSourceRanges filter. */
  firewallChain: string;
}

export function servicePortChains(servicePortName: string, protocol: string): ServicePortChains {
  const h = portProtoHash(servicePortName, protocol);
  return {
    clusterPolicyChain: SVC_PREFIX + h,
    localPolicyChain: SVL_PREFIX + h,
    externalChain: EXT_PREFIX + h,
    firewallChain: FW_PREFIX + h,
  };
}

/** KUBE-SEP-…: `endpoint` is `ip:port`, IPv6 bracketed. */
export function endpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  return hashedName(SEP_PREFIX, servicePortName + protocol + endpoint);
}
