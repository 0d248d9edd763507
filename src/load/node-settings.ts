/**
 * What kube-proxy takes from its own Node object, and how it fills the options the user left
 * unset. Pure: the Node arrives as the JSON the API server sent.
 *
 *   - node name: kube-proxy's hostname (`--hostname-override`), which decides which endpoints
 *     are local. kube-proxy lower-cases it; config.ts does that for both sources.
 *   - node IPs: client-go's GetNodeHostIPs, as kube-proxy's server.go uses it: every
 *     `InternalIP` in `status.addresses`, then every `ExternalIP`; the first one is the primary
 *     IP, and the first one of the other family (if any) the secondary. Unparsable addresses
 *     are skipped.
 *   - pod CIDRs: `spec.podCIDRs` (or the older single `spec.podCIDR`), what the NodeCIDR
 *     local-traffic detector uses.
 *   - zone: the `topology.kubernetes.io/zone` label, for topology-aware routing.
 *   - kube-proxy release: `status.nodeInfo.kubeProxyVersion` (as `kubectl get node -o wide`
 *     shows it, e.g. `v1.22.17`), when set and --kube-proxy-version is not given. The field
 *     is deprecated and left empty by recent kubelets; then the default release stands. A
 *     build suffix (`v1.27.4-eks-2d98532`) is dropped; an unmodelled release is an error.
 */
import { InputError, type InputLocation } from '../errors.js';
import { formatIP, parseCIDR, parseIP } from '../model/ip.js';
import type { RunOptions } from '../options.js';
import { isRecord } from '../util.js';
import { dns1123Subdomain, labelValue } from './names.js';

export interface NodeSettings {
  /** `metadata.name`. */
  name: string;
  /** Primary IP first, then at most one IP of the other family. */
  nodeIPs: string[];
  podCIDRs: string[];
  zone?: string;
  /** `status.nodeInfo.kubeProxyVersion` as `X.Y.Z`, when set. */
  kubeProxyVersion?: string;
}

/** The `vX.Y.Z` at the start of a version string, without `v` and build or pre-release suffix. */
const KUBE_PROXY_VERSION = /^v?(\d{1,3}\.\d{1,3}\.\d{1,3})(?:[-+].*)?$/;

const ZONE_LABEL = 'topology.kubernetes.io/zone';

export function nodeSettingsFromObject(node: unknown, file: string): NodeSettings {
  const loc: InputLocation = { file, object: 'Node' };
  if (!isRecord(node)) throw new InputError(loc, 'not an object');
  const meta = isRecord(node.metadata) ? node.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (name === '') throw new InputError({ ...loc, field: 'metadata.name' }, 'missing');
  const nameProblem = dns1123Subdomain(name);
  if (nameProblem !== undefined) throw new InputError({ ...loc, field: 'metadata.name' }, `${JSON.stringify(name)} is not a valid node name: ${nameProblem}`);
  loc.object = `Node ${name}`;
  const spec = isRecord(node.spec) ? node.spec : {};
  const status = isRecord(node.status) ? node.status : {};

  const addresses = (Array.isArray(status.addresses) ? status.addresses : []).filter(isRecord);
  const ipsOfType = (type: string): string[] =>
    addresses
      .filter((a) => a.type === type && typeof a.address === 'string')
      .map((a) => parseIP((a.address as string).trim()))
      .filter((ip) => ip !== null)
      .map((ip) => formatIP(ip));
  const all = [...ipsOfType('InternalIP'), ...ipsOfType('ExternalIP')];
  const nodeIPs: string[] = [];
  if (all.length > 0) {
    const primary = all[0]!;
    nodeIPs.push(primary);
    const other = all.find((ip) => ip.includes(':') !== primary.includes(':'));
    if (other !== undefined) nodeIPs.push(other);
  }

  let podCIDRs = Array.isArray(spec.podCIDRs) ? spec.podCIDRs.filter((c): c is string => typeof c === 'string' && c !== '') : [];
  if (podCIDRs.length === 0 && typeof spec.podCIDR === 'string' && spec.podCIDR !== '') podCIDRs = [spec.podCIDR];

  podCIDRs.forEach((c, i) => {
    if (parseCIDR(c) === null) throw new InputError({ ...loc, field: `spec.podCIDRs[${i}]` }, `${JSON.stringify(c)} is not a CIDR`);
  });
  const out: NodeSettings = { name, nodeIPs, podCIDRs };
  const labels = isRecord(meta.labels) ? meta.labels : {};
  const zone = labels[ZONE_LABEL];
  if (typeof zone === 'string' && zone !== '') {
    const zoneProblem = labelValue(zone);
    if (zoneProblem !== undefined) throw new InputError({ ...loc, field: `metadata.labels['${ZONE_LABEL}']` }, `${JSON.stringify(zone)} is not a valid label value: ${zoneProblem}`);
    out.zone = zone;
  }
  const nodeInfo = isRecord(status.nodeInfo) ? status.nodeInfo : {};
  const version = typeof nodeInfo.kubeProxyVersion === 'string' ? nodeInfo.kubeProxyVersion.trim() : '';
  if (version !== '') {
    const m = KUBE_PROXY_VERSION.exec(version);
    if (!m) throw new InputError({ ...loc, field: 'status.nodeInfo.kubeProxyVersion' }, `${JSON.stringify(version)} is not a kube-proxy version; give --kube-proxy-version`);
    out.kubeProxyVersion = m[1]!;
  }
  return out;
}

/** Fill what the user did not give on the command line; explicit flags always win. */
export function applyNodeSettings(opts: RunOptions, s: NodeSettings): RunOptions {
  const o: RunOptions = { ...opts };
  if (o.hostnameOverride === undefined) o.hostnameOverride = s.name;
  if (o.nodeIPs.length === 0) o.nodeIPs = [...s.nodeIPs];
  if (o.podCIDRs.length === 0) o.podCIDRs = [...s.podCIDRs];
  if (o.nodeZone === undefined && s.zone !== undefined) o.nodeZone = s.zone;
  if (o.kubeProxyVersion === undefined && s.kubeProxyVersion !== undefined) o.kubeProxyVersion = s.kubeProxyVersion;
  return o;
}

/** The flags that reproduce `applyNodeSettings` offline (for --save-manifests). */
export function nodeSettingsFlags(opts: RunOptions): string[] {
  const flags: string[] = [];
  if (opts.hostnameOverride !== undefined) flags.push('--hostname-override', opts.hostnameOverride);
  for (const ip of opts.nodeIPs) flags.push('--node-ip', ip);
  if (opts.podCIDRs.length > 0) flags.push('--pod-cidr', opts.podCIDRs.join(','));
  if (opts.nodeZone !== undefined) flags.push('--node-zone', opts.nodeZone);
  if (opts.kubeProxyVersion !== undefined) flags.push('--kube-proxy-version', opts.kubeProxyVersion);
  return flags;
}
