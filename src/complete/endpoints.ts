/**
 * What the EndpointSlice controller does for a Service with a selector, before kube-proxy sees
 * it: one endpoint per matching Pod that has an address, grouped into slices by address family
 * and by the ports the Pod resolves (kubernetes/kubernetes staging/src/k8s.io/endpointslice:
 * reconciler.go reconcileByAddressType, utils.go podToEndpoint, getEndpointPorts, FindPort;
 * util/controller_utils.go ShouldPodBeInEndpoints).
 *
 * Only a Service that has no EndpointSlice and no Endpoints of its own in the input gets
 * slices: one that has them is used as it is. The Pods are those of the input whose labels
 * match the selector; when none do, the Pods the workloads of the input would create
 * (pods.ts). Headless Services get none: kube-proxy writes nothing for them either way.
 *
 * Not modelled: Nodes (the controller leaves out a Pod whose Node does not exist, and takes
 * the zone from the Node; kp-gen reads no Nodes), the 100-endpoint split of slices (kube-proxy
 * merges the slices of a Service), placeholder slices without endpoints, topology hints.
 */
import type { InputLocation, Note } from '../errors.js';
import type {
  EndpointManifest,
  EndpointPortManifest,
  EndpointSliceManifest,
  Manifests,
  PodManifest,
  ServiceManifest,
  ServicePortManifest,
  WorkloadManifest,
} from '../load/manifests.js';
import { formatIP, parseIP, type IPFamily } from '../model/ip.js';
import { byteCompare } from '../util.js';
import { workloadPods, type PodOptions } from './pods.js';

export type { PodOptions } from './pods.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const ADDRESS_TYPES: Record<IPFamily, 'IPv4' | 'IPv6'> = { 4: 'IPv4', 6: 'IPv6' };

export interface CompletedEndpoints {
  /** The input with the made slices added after the input's own. */
  manifests: Manifests;
  /** By Service (`namespace/name`): what its endpoints were made from. */
  notes: Map<string, Note>;
}

/** Whether every key of the selector is a label with the same value. */
export function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const key of Object.keys(selector)) if (labels[key] !== selector[key]) return false;
  return true;
}

/**
 * The container port a service port's targetPort names (FindPort): a number as it is, absent as
 * the service port, a name through the containers' ports of the same name and protocol;
 * undefined when the Pod has no such port, and the Pod is then no endpoint for this port.
 */
export function findPort(pod: Pick<PodManifest, 'containerPorts'>, sp: ServicePortManifest): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (target === undefined) return undefined;
  return pod.containerPorts.find((c) => c.name === target && c.protocol === sp.protocol)?.containerPort;
}

/** The address families of a Service's slices: its ipFamilies, else those of its cluster IPs. */
function familiesOf(svc: ServiceManifest): IPFamily[] {
  const families = new Set<IPFamily>();
  for (const f of svc.ipFamilies) {
    if (f === 'IPv4') families.add(4);
    if (f === 'IPv6') families.add(6);
  }
  if (families.size === 0) {
    for (const text of svc.clusterIPs) {
      const ip = parseIP(text);
      if (ip) families.add(ip.family);
    }
  }
  return [...families];
}

/** The Pods the controller takes into slices: not finished, with an address (terminating ones too). */
function shouldBeEndpoint(pod: PodManifest): boolean {
  return pod.phase !== 'Failed' && pod.phase !== 'Succeeded' && pod.podIPs.length > 0;
}

function podEndpoint(pod: PodManifest, svc: ServiceManifest, addresses: string[]): EndpointManifest {
  const serving = pod.ready;
  const terminating = pod.terminating;
  // A terminating Pod is not ready, unless the Service publishes not-ready addresses.
  const ready = svc.publishNotReadyAddresses || (serving && !terminating);
  const ep: EndpointManifest = { addresses, ready, serving, terminating };
  if (pod.nodeName !== '') ep.nodeName = pod.nodeName;
  return ep;
}

/** Where the made objects say they came from: the Service. */
function location(svc: ServiceManifest): InputLocation {
  return { file: svc.source.file, object: `Service ${svc.source.namespace}/${svc.source.name}` };
}

/** One Service's slices, from `pods` (in name order). */
function slicesFor(svc: ServiceManifest, pods: readonly PodManifest[]): { slices: EndpointSliceManifest[]; endpoints: number } {
  const groups = new Map<string, { family: IPFamily; ports: EndpointPortManifest[]; endpoints: EndpointManifest[] }>();
  const counted = new Set<PodManifest>();
  for (const family of familiesOf(svc)) {
    for (const pod of pods) {
      if (!shouldBeEndpoint(pod)) continue;
      const addresses: string[] = [];
      for (const text of pod.podIPs) {
        const ip = parseIP(text);
        if (ip && ip.family === family) addresses.push(formatIP(ip));
      }
      if (addresses.length === 0) continue;
      const ports: EndpointPortManifest[] = [];
      for (const sp of svc.ports) {
        const port = findPort(pod, sp);
        if (port !== undefined) ports.push({ name: sp.name, protocol: sp.protocol, port });
      }
      const key = `${family} ${ports
        .map((p) => `${p.name}/${p.protocol}/${p.port}`)
        .sort(byteCompare)
        .join(',')}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { family, ports, endpoints: [] }));
      group.endpoints.push(podEndpoint(pod, svc, addresses));
      counted.add(pod);
    }
  }
  const { namespace, name } = svc.source;
  const keys = [...groups.keys()].sort(byteCompare);
  // Named `name-ipv4`, or `name-ipv4-0`, `name-ipv4-1` … when pods resolve the ports differently.
  const perFamily = (f: IPFamily): string[] => keys.filter((k) => groups.get(k)!.family === f);
  const slices = keys.map((key): EndpointSliceManifest => {
    const g = groups.get(key)!;
    const same = perFamily(g.family);
    const suffix = ADDRESS_TYPES[g.family].toLowerCase() + (same.length > 1 ? `-${same.indexOf(key)}` : '');
    return {
      source: {
        file: svc.source.file,
        doc: svc.source.doc,
        kind: 'EndpointSlice',
        namespace,
        name: `${name}-${suffix}`,
        labels: { [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: CONTROLLER_NAME },
      },
      serviceName: name,
      addressType: ADDRESS_TYPES[g.family],
      ports: g.ports,
      endpoints: g.endpoints,
    };
  });
  return { slices, endpoints: counted.size };
}

function groupBy<T>(items: readonly T[], by: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = by(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** A namespace and one label, as a map key (NUL is in no namespace, label key or value). */
function labelKey(namespace: string, key: string, value: string): string {
  return `${namespace}\0${key}\0${value}`;
}

/** `namespace/name`. */
function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function byName<T extends { source: { name: string } }>(a: T, b: T): number {
  return byteCompare(a.source.name, b.source.name);
}

/**
 * Adds the EndpointSlices the controller would make for every Service with a selector and no
 * slices or Endpoints of its own. Pure.
 */
export function completeEndpoints(m: Manifests, opts: PodOptions): CompletedEndpoints {
  const notes = new Map<string, Note>();
  const owned = new Set<string>();
  for (const s of m.slices) owned.add(key(s.source.namespace, s.serviceName));
  for (const e of m.endpoints) owned.add(key(e.source.namespace, e.source.name));
  const pending = m.services
    .filter((s) => s.selector !== undefined && s.type !== 'ExternalName' && s.clusterIP !== 'None')
    .filter((s) => !owned.has(key(s.source.namespace, s.source.name)))
    .sort((a, b) => byteCompare(a.source.namespace, b.source.namespace) || byName(a, b));
  if (pending.length === 0) return { manifests: m, notes };

  let made: Map<WorkloadManifest, PodManifest[]> | undefined;
  // By namespace: a selector only ever looks in its Service's. Workloads also by each label of
  // their pod template (`namespace/key=value`): a Service's first selector label narrows the
  // candidates before the whole selector is checked (10k Services, 10k workloads).
  const podsIn = groupBy(m.pods, (p) => p.source.namespace);
  const workloadsByLabel = new Map<string, WorkloadManifest[]>();
  for (const w of m.workloads) {
    for (const [k, v] of Object.entries(w.podLabels)) {
      const id = labelKey(w.source.namespace, k, v);
      const list = workloadsByLabel.get(id);
      if (list) list.push(w);
      else workloadsByLabel.set(id, [w]);
    }
  }
  const slices: EndpointSliceManifest[] = [];
  for (const svc of pending) {
    const selector = svc.selector!;
    const ns = svc.source.namespace;
    let pods = (podsIn.get(ns) ?? []).filter((p) => selects(selector, p.source.labels));
    let from: string;
    if (pods.length > 0) {
      from = pods.length === 1 ? `Pod ${pods[0]!.source.name}` : `${pods.length} Pods`;
    } else {
      const [firstKey, firstValue] = Object.entries(selector)[0]!;
      const workloads = (workloadsByLabel.get(labelKey(ns, firstKey, firstValue)) ?? [])
        .filter((w) => selects(selector, w.podLabels))
        .sort((a, b) => byteCompare(a.source.kind, b.source.kind) || byName(a, b));
      if (workloads.length === 0) continue;
      made ??= workloadPods(m, opts);
      pods = workloads.flatMap((w) => made!.get(w) ?? []);
      from = workloads.map((w) => `${w.source.kind} ${w.source.name}`).join(', ');
    }
    pods = [...pods].sort(byName);
    const result = slicesFor(svc, pods);
    slices.push(...result.slices);
    const families = familiesOf(svc).map((f) => ADDRESS_TYPES[f]);
    const count = `${result.endpoints} ${result.endpoints === 1 ? 'endpoint' : 'endpoints'}`;
    notes.set(key(ns, svc.source.name), { location: location(svc), message: `made ${count} (${families.join(', ')}) from ${from}` });
  }
  return { manifests: { ...m, slices: [...m.slices, ...slices] }, notes };
}
