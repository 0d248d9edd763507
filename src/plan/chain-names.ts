/**
 * kube-proxy's chain names (pkg/proxy/iptables/proxier.go portProtoHash and friends):
 * prefix + the first 16 characters of base32(SHA-256(servicePortName + protocol [+ endpoint])),
 * standard RFC 4648 alphabet, protocol lower-cased.
 */
import * as crypto from 'node:crypto';

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

/** The first `chars` characters of the standard base32 encoding of `data`. */
export function base32Prefix(data: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of data) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
      if (out.length === chars) return out;
    }
  }
  if (bits > 0 && out.length < chars) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * SHA-256 of a string. The one-shot crypto.hash (Node ≥ 20.12) avoids creating a Hash object
 * per call, which matters with one SEP chain per endpoint (100k in a large cluster).
 */
const sha256: (text: string) => Uint8Array =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'buffer')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest();

function hash16(text: string): string {
  return base32Prefix(sha256(text), 16);
}

/** portProtoHash: `protocol` is lower-case (`tcp`, `udp`, `sctp`). */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol);
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
  return SEP_PREFIX + hash16(servicePortName + protocol + endpoint);
}
