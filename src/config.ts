/**
 * RunOptions → ProxierConfig: what kube-proxy's startup (cmd/kube-proxy/app/server*.go,
 * NewProxier) derives from its flags. Invalid flag values are UserErrors (exit 1).
 */
import { UserError } from './errors.js';
import { formatCIDR, formatIP, isLoopback, parseCIDR, parseIP, type IP, type IPFamily } from './model/ip.js';
import { containsIPv4Loopback, parseNodePortAddresses } from './model/nodeport-addresses.js';
import type { LocalTrafficDetector, ProxierConfig } from './model/types.js';
import { NFACCT_CT_STATE_INVALID, NFACCT_LOCALHOST_NODEPORTS } from './model/types.js';
import type { RunOptions } from './options.js';

/** Feature gates that change kube-proxy's iptables rules, with kube-proxy's defaults. */
export const RULE_FEATURE_GATES: Record<string, boolean> = {
  PreferSameTrafficDistribution: true,
};

/** iptables ≥ 1.6.2 supports MASQUERADE --random-fully (RandomFullyMinVersion). */
const RANDOM_FULLY_MIN_VERSION = [1, 6, 2];

function parseIPFlag(flag: string, text: string): IP {
  const ip = parseIP(text.trim());
  if (!ip) throw new UserError(`${flag}: ${JSON.stringify(text)} is not an IP address`);
  return ip;
}

function parseVersion(text: string): number[] {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new UserError(`--iptables-version: ${JSON.stringify(text)} is not a version like 1.8.9`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function versionAtLeast(v: number[], min: number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i]!;
  }
  return true;
}

/** Go's fmt.Sprintf("%#08x", 1<<bit): eight zero-padded hex digits after 0x. */
export function masqueradeMarkForBit(bit: number): string {
  return `0x${(2 ** bit).toString(16).padStart(8, '0')}`;
}

function cidrDetector(flag: string, cidrs: readonly string[], family: IPFamily): LocalTrafficDetector {
  for (const text of cidrs) {
    const c = parseCIDR(text.trim());
    if (!c) throw new UserError(`${flag}: ${JSON.stringify(text)} is not a CIDR`);
    if (c.ip.family === family) {
      return { kind: 'source', cidr: formatCIDR(c) };
    }
  }
  // No CIDR of this family: kube-proxy falls back to the no-op detector.
  return { kind: 'none' };
}

function localDetector(o: RunOptions, family: IPFamily): LocalTrafficDetector {
  switch (o.detectLocalMode) {
    case 'ClusterCIDR':
      return cidrDetector('--cluster-cidr', o.clusterCIDRs, family);
    case 'NodeCIDR':
      if (o.podCIDRs.length === 0) {
        throw new UserError('--detect-local-mode NodeCIDR needs --pod-cidr (the node\'s spec.podCIDR)');
      }
      return cidrDetector('--pod-cidr', o.podCIDRs, family);
    case 'BridgeInterface':
      if (!o.podBridgeInterface) {
        throw new UserError('--detect-local-mode BridgeInterface needs --pod-bridge-interface');
      }
      return { kind: 'interface', name: o.podBridgeInterface };
    case 'InterfaceNamePrefix':
      if (!o.podInterfaceNamePrefix) {
        throw new UserError('--detect-local-mode InterfaceNamePrefix needs --pod-interface-name-prefix');
      }
      return { kind: 'interface', name: `${o.podInterfaceNamePrefix}+` };
  }
}

export function buildProxierConfig(o: RunOptions): ProxierConfig {
  const ipFamily: IPFamily = o.ipFamily === 'ipv6' ? 6 : 4;

  const nodeIPs = o.nodeIPs.map((t) => parseIPFlag('--node-ip', t));
  const nodeIP = nodeIPs.find((ip) => ip.family === ipFamily) ?? null;
  const nodeAddresses = (o.nodeAddresses ?? o.nodeIPs).map((t) => parseIPFlag('--node-addresses', t));

  if (!Number.isInteger(o.masqueradeBit) || o.masqueradeBit < 0 || o.masqueradeBit > 31) {
    throw new UserError(`--iptables-masquerade-bit: ${o.masqueradeBit} is not between 0 and 31`);
  }
  const masqueradeMark = o.masqueradeMark ?? masqueradeMarkForBit(o.masqueradeBit);
  if (!/^\S+$/.test(masqueradeMark)) {
    throw new UserError(`--iptables-masquerade-mark: ${JSON.stringify(masqueradeMark)} must be one word, e.g. 0x4000`);
  }

  // `primary` means the node's primary IPs, as /32 and /128 (loopback excluded).
  let npaEntries = o.nodePortAddresses;
  if (npaEntries.length === 1 && npaEntries[0] === 'primary') {
    npaEntries = [];
    for (const family of [4, 6] as const) {
      const ip = nodeIPs.find((i) => i.family === family);
      if (ip && !isLoopback(ip)) npaEntries.push(`${formatIP(ip)}/${family === 4 ? 32 : 128}`);
    }
  } else if (npaEntries.includes('primary')) {
    throw new UserError('--nodeport-addresses: "primary" cannot be combined with CIDRs');
  }
  const npa = parseNodePortAddresses(npaEntries, ipFamily);
  if (npa.invalid.length > 0) {
    throw new UserError(`--nodeport-addresses: ${JSON.stringify(npa.invalid[0])} is not a CIDR`);
  }
  // kube-proxy silently disables localhost NodePorts when they cannot work.
  const localhostNodePorts = ipFamily === 4 && o.localhostNodePorts && containsIPv4Loopback(npa.cidrs);

  const known = new Set([NFACCT_CT_STATE_INVALID, NFACCT_LOCALHOST_NODEPORTS]);
  for (const c of o.nfacctCounters) {
    if (!known.has(c)) {
      throw new UserError(`--nfacct-counters: unknown counter ${JSON.stringify(c)}`, `known counters: ${[...known].join(', ')}, or none`);
    }
  }

  const gates = { ...RULE_FEATURE_GATES };
  for (const [name, value] of Object.entries(o.featureGates)) {
    if (name in gates) gates[name] = value;
  }

  return {
    ipFamily,
    nodeName: (o.hostnameOverride ?? '').trim().toLowerCase(),
    nodeIP,
    nodeAddresses,
    nodeZone: o.nodeZone ?? '',
    masqueradeAll: o.masqueradeAll,
    masqueradeMark,
    localDetector: localDetector(o, ipFamily),
    localhostNodePorts,
    nodePortAddresses: npa.cidrs,
    hasRandomFully: versionAtLeast(parseVersion(o.iptablesVersion), RANDOM_FULLY_MIN_VERSION),
    nfacctCounters: new Set(o.nfacctCounters),
    conntrackTCPLiberal: o.conntrackTCPBeLiberal,
    preferSameTrafficDistribution: gates.PreferSameTrafficDistribution ?? true,
  };
}
