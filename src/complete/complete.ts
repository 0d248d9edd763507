/**
 * What the API server does to a Service when it is created, before kube-proxy ever sees it:
 * IP families from `ipFamilyPolicy`/`ipFamilies`, cluster IPs from --service-cluster-ip-range,
 * node ports and the health-check node port from --service-node-port-range
 * (pkg/registry/core/service/storage/alloc.go: initIPFamilyFields, allocClusterIPs,
 * initNodePorts, allocHealthCheckNodePort). Values are chosen deterministically (allocator.ts).
 *
 * A Service without any cluster IP was never created (every Service the API server has stored
 * has one, or `None`), and gets all of the create-time treatment. A Service with a cluster IP
 * keeps it, but a NodePort/LoadBalancer port without a node port, and an eTP=Local
 * LoadBalancer without a health-check node port, get one: the API server never stores a
 * Service without them (hand-edited exports, `kubectl get -o yaml` trimmed of its nodePorts).
 * With `keepMissingNodePorts` (--keep-missing-node-ports) such Services are used as they are:
 * kube-proxy's own unit tests build Services no API server admitted, and write no NodePort
 * rule for a port without one.
 *
 * completeManifests then hands the completed Services to the EndpointSlice controller's stage
 * (endpoints.ts), whose slices need the Services' IP families, and joins both stages' notes
 * into one line per Service.
 */
import { InputError, type InputLocation, type Note } from '../errors.js';
import type { Manifests, ServiceManifest, ServicePortManifest } from '../load/manifests.js';
import { parseIP, type CIDR, type IPFamily } from '../model/ip.js';
import { byteCompare } from '../util.js';
import { allocate, firstChoice, type Claim } from './allocator.js';
import { completeEndpoints, type PodOptions } from './endpoints.js';
import {
  addressAt,
  addressIndex,
  nodePortSpace,
  portIndex,
  serviceIPRange,
  type AllocationSpace,
  type PortRange,
  type ServiceIPRange,
} from './ranges.js';

/** The API server's flags that allocation depends on. */
export interface CompletionRanges {
  /** --service-cluster-ip-range: one CIDR per family, the primary family's first. */
  serviceClusterIPRange: readonly CIDR[];
  /** --service-node-port-range. */
  serviceNodePortRange: PortRange;
  /**
   * --keep-missing-node-ports: a Service that has a cluster IP is used as it is, without the
   * node ports and health-check node port the API server would have given it.
   */
  keepMissingNodePorts?: boolean;
}

export interface CompletedManifests {
  /** The input, with completed Services in place of the originals (same order). */
  manifests: Manifests;
  /** One per completed Service, in (namespace, name) order: what was made up. */
  notes: Note[];
}

const FAMILY_NAMES: Record<IPFamily, 'IPv4' | 'IPv6'> = { 4: 'IPv4', 6: 'IPv6' };
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const ALLOCATING_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'];

/** The Service whose address is the primary range's first, reserved for it by the API server. */
const KUBERNETES_SERVICE = { namespace: 'default', name: 'kubernetes' };

const DUAL_STACK_HINT = 'give --service-cluster-ip-range a CIDR of each family, e.g. 10.96.0.0/12,fd00:10:96::/108';

/** A Service that was never created: no cluster IP at all, of a type that gets one. */
export function needsClusterIPs(svc: ServiceManifest): boolean {
  return svc.clusterIP === '' && svc.clusterIPs.length === 0 && ALLOCATING_TYPES.includes(svc.type);
}

/** A Service the API server would not have stored as it is: a node port or health-check node port missing. */
export function lacksNodePorts(svc: ServiceManifest): boolean {
  if (svc.clusterIP === 'None') return false;
  return (allocatesNodePorts(svc) && svc.ports.some((p) => p.nodePort === 0 && validPort(p))) || (needsHealthCheck(svc) && svc.healthCheckNodePort === 0);
}

/**
 * A service port the API server would admit (1-65535). Others, which kube-proxy skips with a
 * warning, get no node port: there is nothing it would be used for.
 */
function validPort(p: ServicePortManifest): boolean {
  return p.port !== undefined && p.port >= 1 && p.port <= 65535;
}

/** Whether allocateServices changes the Service (needsClusterIPs, or lacksNodePorts unless kept). */
export function needsCompletion(svc: ServiceManifest, ranges: Pick<CompletionRanges, 'keepMissingNodePorts'>): boolean {
  if (needsClusterIPs(svc)) return true;
  return ranges.keepMissingNodePorts !== true && lacksNodePorts(svc);
}

function location(svc: ServiceManifest, field?: string): InputLocation {
  const loc: InputLocation = { file: svc.source.file, object: `Service ${svc.source.namespace}/${svc.source.name}` };
  if (field !== undefined) loc.field = field;
  return loc;
}

/** A Service's identity, which its cluster IPs are hashed from: `namespace/name`. */
function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** What a node port is hashed from: `namespace/name:port` (the service port's number). */
function nodePortKey(service: string, port: number): string {
  return `${service}:${port}`;
}

/** What a health-check node port is hashed from: `namespace/name:healthCheckNodePort`. */
function healthCheckKey(service: string): string {
  return `${service}:healthCheckNodePort`;
}

function isKubernetesService(svc: ServiceManifest): boolean {
  return svc.source.namespace === KUBERNETES_SERVICE.namespace && svc.source.name === KUBERNETES_SERVICE.name;
}

/**
 * The Service's IP families as the API server defaults them on create (initIPFamilyFields, for
 * a Service without cluster IPs): `ipFamilyPolicy` defaults to SingleStack; `ipFamilies`
 * defaults to the primary range's family; a dual-stack policy on a cluster with two ranges adds
 * the other family. Refused as the API server refuses it: an unknown policy or family, a family
 * twice, two families with SingleStack, RequireDualStack on a single-stack cluster, a family
 * without a range.
 */
export function ipFamiliesOf(svc: ServiceManifest, ranges: readonly ServiceIPRange[]): { policy: string; families: IPFamily[] } {
  const policy = svc.ipFamilyPolicy ?? 'SingleStack';
  if (!IP_FAMILY_POLICIES.includes(policy)) {
    throw new InputError(location(svc, 'spec.ipFamilyPolicy'), `${JSON.stringify(policy)} is not SingleStack, PreferDualStack or RequireDualStack`);
  }
  const families: IPFamily[] = [];
  svc.ipFamilies.forEach((name, i) => {
    const family = name === 'IPv4' ? 4 : name === 'IPv6' ? 6 : undefined;
    if (family === undefined) throw new InputError(location(svc, `spec.ipFamilies[${i}]`), `${JSON.stringify(name)} is not IPv4 or IPv6`);
    if (families.includes(family)) throw new InputError(location(svc, `spec.ipFamilies[${i}]`), `${name} is listed twice`);
    families.push(family);
  });
  if (policy === 'SingleStack' && families.length > 1) {
    throw new InputError(location(svc, 'spec.ipFamilyPolicy'), 'must be RequireDualStack or PreferDualStack when spec.ipFamilies lists two families');
  }
  const configured = ranges.map((r) => r.family);
  if (policy === 'RequireDualStack' && ranges.length < 2) {
    const missing = FAMILY_NAMES[configured[0] === 4 ? 6 : 4];
    throw new InputError(
      location(svc, 'spec.ipFamilyPolicy'),
      `RequireDualStack, but this cluster is not configured for dual-stack services (--service-cluster-ip-range has no ${missing} CIDR)`,
      DUAL_STACK_HINT,
    );
  }
  families.forEach((family, i) => {
    if (!configured.includes(family)) {
      const name = FAMILY_NAMES[family];
      throw new InputError(
        location(svc, `spec.ipFamilies[${i}]`),
        `${name} is not configured on this cluster (--service-cluster-ip-range has no ${name} CIDR)`,
        DUAL_STACK_HINT,
      );
    }
  });
  if (families.length === 0) families.push(configured[0]!);
  if (policy !== 'SingleStack' && families.length === 1 && ranges.length === 2) families.push(families[0] === 4 ? 6 : 4);
  return { policy, families };
}

/** Whether the API server gives this Service's ports node ports it does not ask for (shouldAllocateNodePorts). */
function allocatesNodePorts(svc: ServiceManifest): boolean {
  return svc.type === 'NodePort' || (svc.type === 'LoadBalancer' && svc.allocateLoadBalancerNodePorts !== false);
}

/** A LoadBalancer with externalTrafficPolicy Local has a health-check node port (NeedsHealthCheck). */
function needsHealthCheck(svc: ServiceManifest): boolean {
  return svc.type === 'LoadBalancer' && svc.externalTrafficPolicy === 'Local';
}

/** One completed Service in the making. */
interface Work {
  svc: ServiceManifest;
  /** serviceKey of the Service. */
  key: string;
  /** Whether it gets cluster IPs (needsClusterIPs); else only node ports. */
  allocatesIPs: boolean;
  policy: string;
  families: IPFamily[];
  /** By family: the address, once allocated. */
  clusterIPs: Map<IPFamily, string>;
  /** By service port number: its node port, once known (given or allocated). */
  nodePorts: Map<number, number>;
  healthCheckNodePort: number;
  healthCheckAllocated: boolean;
}

/**
 * What the control plane adds before kube-proxy sees the objects: cluster IPs and node ports
 * (allocateServices), then EndpointSlices for Services that have none (endpoints.ts). One note
 * per Service, in (namespace, name) order, saying all that was made up for it. Pure.
 */
export function completeManifests(m: Manifests, opts: CompletionRanges & Partial<PodOptions>): CompletedManifests {
  const allocated = allocateServices(m, opts);
  const podOptions: PodOptions = { clusterCIDRs: opts.clusterCIDRs ?? [], nodes: opts.nodes ?? [] };
  if (opts.hostnameOverride !== undefined) podOptions.hostnameOverride = opts.hostnameOverride;
  const withEndpoints = completeEndpoints(allocated.manifests, podOptions);
  const notes: Note[] = [];
  const serviceOf = (n: Note): string => (n.location.object ?? '').slice('Service '.length);
  for (const n of allocated.notes) {
    const more = withEndpoints.notes.get(serviceOf(n));
    notes.push(more ? { location: n.location, message: `${n.message}; ${more.message}` } : n);
    withEndpoints.notes.delete(serviceOf(n));
  }
  notes.push(...withEndpoints.notes.values());
  const nsName = (n: Note): [string, string] => serviceOf(n).split('/') as [string, string];
  notes.sort((a, b) => {
    const [an, am] = nsName(a);
    const [bn, bm] = nsName(b);
    return byteCompare(an, bn) || byteCompare(am, bm);
  });
  return { manifests: withEndpoints.manifests, notes };
}

/**
 * Completes every Service that was never created (needsCompletion), without touching the
 * values other objects hold. Pure; throws an InputError for a Service the API server would
 * refuse, or when a range has no value left (naming the Service that did not get one).
 */
export function allocateServices(m: Manifests, ranges: CompletionRanges): CompletedManifests {
  const pending = m.services.filter((s) => needsCompletion(s, ranges));
  if (pending.length === 0) return { manifests: m, notes: [] };

  const ipRanges = ranges.serviceClusterIPRange.map(serviceIPRange);
  const nodePorts = nodePortSpace(ranges.serviceNodePortRange);
  // The fixed order of claims: Services by namespace, then name, byte-wise.
  pending.sort((a, b) => byteCompare(a.source.namespace, b.source.namespace) || byteCompare(a.source.name, b.source.name));
  const work: Work[] = pending.map((svc) => ({
    svc,
    key: serviceKey(svc.source.namespace, svc.source.name),
    allocatesIPs: needsClusterIPs(svc),
    ...(needsClusterIPs(svc) ? ipFamiliesOf(svc, ipRanges) : { policy: '', families: [] }),
    clusterIPs: new Map(),
    nodePorts: new Map(),
    healthCheckNodePort: svc.healthCheckNodePort,
    healthCheckAllocated: false,
  }));

  // Cluster IPs, one space per range.
  ipRanges.forEach((range, r) => {
    const taken = new Set<bigint>();
    for (const svc of m.services) {
      for (const text of svc.clusterIPs.length > 0 ? svc.clusterIPs : [svc.clusterIP]) {
        const ip = parseIP(text);
        const i = ip ? addressIndex(range, ip) : undefined;
        if (i !== undefined) taken.add(i);
      }
    }
    const wanting = work.filter((w) => w.families.includes(range.family));
    // The primary range's first address is the kubernetes Service's (the API server's own).
    if (r === 0) {
      const kubernetes = wanting.find((w) => isKubernetesService(w.svc));
      if (kubernetes && !taken.has(0n) && range.size > 0n) kubernetes.clusterIPs.set(range.family, addressAt(range, 0n));
      taken.add(0n);
    }
    const claimants = wanting.filter((w) => !w.clusterIPs.has(range.family));
    const result = allocate(range, taken, claimants.map((w) => ({ key: w.key })));
    if (!result.ok) {
      const svc = claimants[result.claim]!.svc;
      throw exhausted(svc, 'spec.clusterIPs', `no ${FAMILY_NAMES[range.family]} address`, '--service-cluster-ip-range', range, 'addresses');
    }
    claimants.forEach((w, n) => w.clusterIPs.set(range.family, addressAt(range, result.indices[n]!)));
  });

  // Node ports and health-check node ports share one space.
  const taken = new Set<bigint>();
  for (const svc of m.services) {
    for (const p of [...svc.ports.map((p) => p.nodePort), svc.healthCheckNodePort]) {
      const i = p > 0 ? portIndex(nodePorts, p) : undefined;
      if (i !== undefined) taken.add(i);
    }
  }
  const claims: (Claim & { w: Work; port?: number })[] = [];
  for (const w of work) {
    if (allocatesNodePorts(w.svc)) {
      // Ports with the same number share one node port; one given for any of them is used
      // (the API server takes the first in spec order, kp-gen the lowest, so that the order of
      // the ports does not matter).
      for (const p of w.svc.ports) {
        const number = p.port ?? 0;
        const given = w.nodePorts.get(number);
        if (p.nodePort !== 0 && (given === undefined || p.nodePort < given)) w.nodePorts.set(number, p.nodePort);
      }
      const numbers = [...new Set(w.svc.ports.filter(validPort).map((p) => p.port!))].sort((a, b) => a - b);
      for (const number of numbers) {
        if (!w.nodePorts.has(number)) claims.push({ key: nodePortKey(w.key, number), w, port: number });
      }
    }
    if (needsHealthCheck(w.svc) && w.healthCheckNodePort === 0) claims.push({ key: healthCheckKey(w.key), w });
  }
  const result = allocate(nodePorts, taken, claims);
  if (!result.ok) {
    const c = claims[result.claim]!;
    const what = c.port === undefined ? 'spec.healthCheckNodePort' : 'spec.ports[].nodePort';
    const which = c.port === undefined ? 'no health-check node port' : `no node port for port ${c.port}`;
    throw exhausted(c.w.svc, what, which, '--service-node-port-range', nodePorts, 'ports');
  }
  claims.forEach((c, n) => {
    const port = nodePorts.first + Number(result.indices[n]!);
    if (c.port === undefined) {
      c.w.healthCheckNodePort = port;
      c.w.healthCheckAllocated = true;
    } else {
      c.w.nodePorts.set(c.port, port);
    }
  });

  const completed = new Map<ServiceManifest, ServiceManifest>();
  const notes: Note[] = [];
  for (const w of work) {
    completed.set(w.svc, completedService(w));
    notes.push({ location: location(w.svc), message: noteMessage(w) });
  }
  return {
    manifests: { ...m, services: m.services.map((s) => completed.get(s) ?? s) },
    notes,
  };
}

function exhausted(svc: ServiceManifest, field: string, what: string, flag: string, space: AllocationSpace, unit: string): InputError {
  return new InputError(location(svc, field), `${what} left in ${flag} ${space.text} (all its ${space.size} ${unit} are taken)`, `give a larger ${flag}`);
}

function completedService(w: Work): ServiceManifest {
  const ports: ServicePortManifest[] = w.svc.ports.map((p) => {
    const nodePort = p.nodePort !== 0 ? p.nodePort : (w.nodePorts.get(p.port ?? 0) ?? 0);
    return nodePort === p.nodePort ? p : { ...p, nodePort };
  });
  if (!w.allocatesIPs) return { ...w.svc, ports, healthCheckNodePort: w.healthCheckNodePort };
  const clusterIPs = w.families.map((f) => w.clusterIPs.get(f)!);
  return {
    ...w.svc,
    clusterIP: clusterIPs[0]!,
    clusterIPs,
    ipFamilies: w.families.map((f) => FAMILY_NAMES[f]),
    ipFamilyPolicy: w.policy,
    ports,
    healthCheckNodePort: w.healthCheckNodePort,
  };
}

/**
 * `allocated clusterIP 10.96.0.5; nodePorts 31234 for 80/TCP, 30012 for 443/TCP;
 * healthCheckNodePort 30321`: the values made up, node ports by port number and protocol (so
 * the order of the ports in the manifest does not show).
 */
function noteMessage(w: Work): string {
  const ips = w.families.map((f) => w.clusterIPs.get(f)!);
  const parts = ips.length === 0 ? [] : [`${ips.length === 1 ? 'clusterIP' : 'clusterIPs'} ${ips.join(', ')}`];
  const ports = w.svc.ports
    .filter((p) => p.nodePort === 0 && w.nodePorts.has(p.port ?? 0))
    .map((p) => ({ port: p.port ?? 0, protocol: p.protocol, nodePort: w.nodePorts.get(p.port ?? 0)! }))
    .sort((a, b) => a.port - b.port || byteCompare(a.protocol, b.protocol));
  if (ports.length > 0) {
    parts.push(`${ports.length === 1 ? 'nodePort' : 'nodePorts'} ${ports.map((p) => `${p.nodePort} for ${p.port}/${p.protocol}`).join(', ')}`);
  }
  if (w.healthCheckAllocated) parts.push(`healthCheckNodePort ${w.healthCheckNodePort}`);
  return `allocated ${parts.join('; ')}`;
}

/**
 * The values a Service would get if nothing else in the input held them or chose them first:
 * its cluster IP in each range, its node port for each port number, its health-check node
 * port. (A test's oracle: values other than these were moved by a collision.)
 */
export function firstChoices(
  namespace: string,
  name: string,
  ranges: CompletionRanges,
): { clusterIP: (range: number) => string; nodePort: (port: number) => number; healthCheckNodePort: () => number } {
  const key = serviceKey(namespace, name);
  const space = nodePortSpace(ranges.serviceNodePortRange);
  return {
    clusterIP: (r) => {
      const range = serviceIPRange(ranges.serviceClusterIPRange[r]!);
      return addressAt(range, firstChoice(range, key));
    },
    nodePort: (port) => space.first + Number(firstChoice(space, nodePortKey(key, port))),
    healthCheckNodePort: () => space.first + Number(firstChoice(space, healthCheckKey(key))),
  };
}
