/**
 * RunOptions → ProxierConfig: what kube-proxy's startup (cmd/kube-proxy/app/server*.go,
 * NewProxier) derives from its flags. Every value was checked when it was read (flags.ts,
 * load/kube-proxy-config.ts, the Node's pod CIDRs in run.ts), so this only converts them;
 * what is left to refuse here are combinations (a detect-local mode without what it needs),
 * UserErrors (exit 1). The planner and the printers then trust the ProxierConfig.
 */
import { InternalError, UserError } from './errors.js';
import { formatCIDR, formatIP, isLoopback, type CIDR, type IPFamily } from './model/ip.js';
import { containsIPv4Loopback, parseNodePortAddresses } from './model/nodeport-addresses.js';
import type { LocalTrafficDetector, ProxierConfig } from './model/types.js';
import { FEATURE_SWITCHES, hasFeature, releaseFeatures } from './plan/releases/features.js';
import { formatRelease, NEWEST, type Release } from './plan/releases/release.js';
import {
  OptionValueError,
  readCIDR,
  readIP,
  readIptablesVersion,
  readKubeProxyVersion,
  readMasqueradeBit,
  readMasqueradeMark,
  readNfacctCounters,
  readNodePortAddresses,
  type RunOptions,
} from './options.js';

/** iptables ≥ 1.6.2 supports MASQUERADE --random-fully (RandomFullyMinVersion). */
const RANDOM_FULLY_MIN_VERSION = [1, 6, 2];

/**
 * `read` a RunOptions value that the edge has checked already; one it refuses means a caller
 * built RunOptions without the readers, a bug.
 */
function checked<V, T>(what: string, value: V, read: (value: V) => T): T {
  try {
    return read(value);
  } catch (e) {
    if (e instanceof OptionValueError) throw new InternalError(`RunOptions.${what}: ${e.message} (not checked when read)`);
    throw e;
  }
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

function cidrDetector(cidrs: readonly CIDR[], family: IPFamily): LocalTrafficDetector {
  for (const c of cidrs) {
    if (c.ip.family === family) {
      return { kind: 'source', cidr: formatCIDR(c) };
    }
  }
  // No CIDR of this family: kube-proxy falls back to the no-op detector.
  return { kind: 'none' };
}

function localDetector(o: RunOptions, family: IPFamily, release: Release): LocalTrafficDetector {
  if (o.detectLocalMode !== 'ClusterCIDR' && !hasFeature(release, 'detectLocalModeOption')) {
    throw new UserError(
      `detectLocalMode ${o.detectLocalMode} (--detect-local-mode): kube-proxy ${formatRelease(release)} has no such option; it exists from 1.${FEATURE_SWITCHES.detectLocalModeOption.since}`,
      'give the pod range as --cluster-cidr instead',
    );
  }
  if ((o.detectLocalMode === 'BridgeInterface' || o.detectLocalMode === 'InterfaceNamePrefix') && !hasFeature(release, 'detectLocalInterfaceModes')) {
    throw new UserError(
      `detectLocalMode ${o.detectLocalMode} (--detect-local-mode): kube-proxy ${formatRelease(release)} has no such mode; it exists from 1.${FEATURE_SWITCHES.detectLocalInterfaceModes.since}`,
      'use ClusterCIDR (--cluster-cidr) or NodeCIDR (--pod-cidr)',
    );
  }
  switch (o.detectLocalMode) {
    case 'ClusterCIDR':
      return cidrDetector(o.clusterCIDRs.map((t) => checked('clusterCIDRs', t, readCIDR)), family);
    case 'NodeCIDR':
      if (o.podCIDRs.length === 0) {
        throw new UserError('--detect-local-mode NodeCIDR needs --pod-cidr (the node\'s spec.podCIDR)');
      }
      return cidrDetector(o.podCIDRs.map((t) => checked('podCIDRs', t, readCIDR)), family);
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

  const nodeIPs = o.nodeIPs.map((t) => checked('nodeIPs', t, readIP));
  const nodeIP = nodeIPs.find((ip) => ip.family === ipFamily) ?? null;
  const nodeAddresses = (o.nodeAddresses ?? o.nodeIPs).map((t) => checked('nodeAddresses', t, readIP));
  const masqueradeMark =
    o.masqueradeMark !== undefined
      ? checked('masqueradeMark', o.masqueradeMark, readMasqueradeMark)
      : masqueradeMarkForBit(checked('masqueradeBit', o.masqueradeBit, readMasqueradeBit));

  const release = o.kubeProxyVersion === undefined ? NEWEST : checked('kubeProxyVersion', o.kubeProxyVersion, readKubeProxyVersion);

  // `primary` means the node's primary IPs, as /32 and /128 (loopback excluded).
  let npaEntries = checked('nodePortAddresses', o.nodePortAddresses, readNodePortAddresses);
  if (npaEntries[0] === 'primary' && !hasFeature(release, 'nodePortAddressesPrimary')) {
    throw new UserError(
      `nodePortAddresses "primary" (--nodeport-addresses): kube-proxy ${formatRelease(release)} refuses it; it is accepted from 1.${FEATURE_SWITCHES.nodePortAddressesPrimary.since}`,
      "give the node's addresses as CIDRs instead",
    );
  }
  if (!o.localhostNodePorts && !hasFeature(release, 'localhostNodePortsOption')) {
    throw new UserError(
      `localhostNodePorts (--no-localhost-nodeports): kube-proxy ${formatRelease(release)} has no such option; it exists from 1.${FEATURE_SWITCHES.localhostNodePortsOption.since}`,
      'leave localhost NodePorts on, or give --nodeport-addresses without a loopback range',
    );
  }
  if (npaEntries[0] === 'primary') {
    npaEntries = [];
    for (const family of [4, 6] as const) {
      const ip = nodeIPs.find((i) => i.family === family);
      if (ip && !isLoopback(ip)) npaEntries.push(`${formatIP(ip)}/${family === 4 ? 32 : 128}`);
    }
  }
  const npa = parseNodePortAddresses(npaEntries, ipFamily);
  // kube-proxy silently disables localhost NodePorts when they cannot work.
  const localhostNodePorts = ipFamily === 4 && o.localhostNodePorts && containsIPv4Loopback(npa.cidrs);
  const nfacctCounters = checked('nfacctCounters', o.nfacctCounters, readNfacctCounters);

  // What the release does with the node's settings and its feature gates (plan/releases/).
  const features = releaseFeatures(release, o.featureGates);

  return {
    ipFamily,
    nodeName: (o.hostnameOverride ?? '').trim().toLowerCase(),
    nodeIP,
    nodeAddresses,
    nodeZone: o.nodeZone ?? '',
    masqueradeAll: o.masqueradeAll,
    masqueradeMark,
    localDetector: localDetector(o, ipFamily, release),
    localhostNodePorts,
    nodePortAddresses: npa.cidrs,
    hasRandomFully: versionAtLeast(checked('iptablesVersion', o.iptablesVersion, readIptablesVersion), RANDOM_FULLY_MIN_VERSION),
    // Before 1.31 kube-proxy makes no nfacct counters; before 1.29 it does not read the sysctl.
    nfacctCounters: new Set(features.nfacctCounters ? nfacctCounters : []),
    conntrackTCPLiberal: features.conntrackLiberalSkipsInvalidDrop && o.conntrackTCPBeLiberal,
    preferSameTrafficDistribution: features.preferSameTrafficDistribution,
    release,
    features,
  };
}
