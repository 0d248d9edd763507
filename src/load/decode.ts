/**
 * Raw parsed documents → typed manifests (manifests.ts). Shape errors — a value of the wrong
 * JSON type, a missing name, an unknown protocol — are InputErrors naming file, object and
 * field: the API server would never have stored such an object. Kinds other than Service,
 * EndpointSlice, Endpoints, Pod and the workloads (complete/endpoints.ts) are ignored.
 */
import { InputError, type InputLocation } from '../errors.js';
import type { Protocol } from '../model/types.js';
import { isRecord } from '../util.js';
import type { RawObject } from './files.js';
import type {
  EndpointManifest,
  EndpointPortManifest,
  EndpointSliceManifest,
  EndpointsManifest,
  EndpointSubsetManifest,
  EndpointAddressManifest,
  LoadBalancerIngressManifest,
  ContainerPortManifest,
  Manifests,
  ObjectSource,
  PodManifest,
  WorkloadKind,
  WorkloadManifest,
  ServiceManifest,
  ServicePortManifest,
} from './manifests.js';

type Json = Record<string, unknown>;

/**
 * Reads typed fields from one object, naming the field path in errors. The path is kept as a
 * link to the parent plus this object's key (and index in a list), and spelled out only for
 * an error: a large input has 100k endpoints, each read through two Readers.
 */
class Reader {
  constructor(
    private readonly loc: InputLocation,
    private readonly obj: Json,
    private readonly parent?: Reader,
    private readonly key = '',
    private readonly index = -1,
  ) {}

  private path(): string {
    if (!this.parent) return '';
    return this.parent.at(this.index >= 0 ? `${this.key}[${this.index}]` : this.key);
  }

  private at(key: string): string {
    const path = this.path();
    return path ? `${path}.${key}` : key;
  }

  fail(key: string, problem: string): never {
    throw new InputError({ ...this.loc, field: this.at(key) }, problem);
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  str(key: string): string | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(key, `must be a string, not ${describe(v)}`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, not ${describe(v)}`);
    return v;
  }

  int(key: string): number | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(key, `must be an integer, not ${describe(v)}`);
    return v;
  }

  obj_(key: string): Reader | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (!isRecord(v)) this.fail(key, `must be an object, not ${describe(v)}`);
    return new Reader(this.loc, v, this, key);
  }

  list(key: string): unknown[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(key, `must be a list, not ${describe(v)}`);
    return v;
  }

  strList(key: string): string[] {
    const list = this.list(key);
    list.forEach((v, i) => {
      if (typeof v !== 'string') this.fail(`${key}[${i}]`, `must be a string, not ${describe(v)}`);
    });
    // Checked, not copied: every endpoint has an address list.
    return list as string[];
  }

  objList(key: string): Reader[] {
    return this.list(key).map((v, i) => this.item(key, v, i));
  }

  /** Item `i` of the list `key`, which must be an object. */
  objAt(key: string, i: number): Reader {
    return this.item(key, this.list(key)[i], i);
  }

  private item(key: string, v: unknown, i: number): Reader {
    if (!isRecord(v)) this.fail(`${key}[${i}]`, `must be an object, not ${describe(v)}`);
    return new Reader(this.loc, v, this, key, i);
  }

  protocol(key: string): Protocol {
    const v = this.str(key);
    if (v === undefined || v === '') return 'TCP';
    if (v !== 'TCP' && v !== 'UDP' && v !== 'SCTP') this.fail(key, `unsupported protocol ${JSON.stringify(v)} (TCP, UDP or SCTP)`);
    return v;
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isOptionalBool = (v: unknown): v is boolean | null | undefined => v === undefined || v === null || typeof v === 'boolean';

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  // .inf and .nan (which kubectl cannot even turn into JSON) by name, not as JSON's null.
  if (typeof v === 'number' && !Number.isFinite(v)) return `number ${v}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

const KINDS: Record<string, { apiVersions: string[]; kind: ObjectSource['kind'] }> = {
  Service: { apiVersions: ['v1'], kind: 'Service' },
  EndpointSlice: { apiVersions: ['discovery.k8s.io/v1'], kind: 'EndpointSlice' },
  Endpoints: { apiVersions: ['v1'], kind: 'Endpoints' },
  Pod: { apiVersions: ['v1'], kind: 'Pod' },
  Deployment: { apiVersions: ['apps/v1'], kind: 'Deployment' },
  ReplicaSet: { apiVersions: ['apps/v1'], kind: 'ReplicaSet' },
  StatefulSet: { apiVersions: ['apps/v1'], kind: 'StatefulSet' },
  DaemonSet: { apiVersions: ['apps/v1'], kind: 'DaemonSet' },
  ReplicationController: { apiVersions: ['v1'], kind: 'ReplicationController' },
};

/** Decode every object kp-gen understands; others are skipped silently. */
export function decodeManifests(raw: readonly RawObject[]): Manifests {
  const out: Manifests = { services: [], slices: [], endpoints: [], pods: [], workloads: [] };
  for (const r of raw) {
    const loc: InputLocation = { file: r.file };
    if (!isRecord(r.value)) {
      throw new InputError({ ...loc, field: docLabel(r) }, `expected a Kubernetes object, found ${describe(r.value)}`);
    }
    const top = new Reader(loc, r.value);
    const kindName = top.str('kind');
    const apiVersion = top.str('apiVersion');
    if (kindName === undefined) {
      throw new InputError({ ...loc, field: docLabel(r) }, 'object has no kind');
    }
    const known = KINDS[kindName];
    if (!known || (apiVersion !== undefined && !known.apiVersions.includes(apiVersion))) continue;
    const meta = top.obj_('metadata');
    const name = meta?.str('name');
    const namespace = meta?.str('namespace') || 'default';
    if (!name) {
      throw new InputError({ ...loc, object: `${kindName} ${namespace}/?`, field: 'metadata.name' }, 'missing');
    }
    const labels = decodeLabels(meta!, (r.value.metadata as Json).labels);
    const source: ObjectSource = { file: r.file, doc: r.doc, kind: known.kind, namespace, name, labels };
    if (r.item !== undefined) source.item = r.item;
    const objLoc: InputLocation = { ...loc, object: `${kindName} ${namespace}/${name}` };
    const reader = new Reader(objLoc, r.value);
    switch (known.kind) {
      case 'Service':
        out.services.push(decodeService(reader, source));
        break;
      case 'EndpointSlice':
        out.slices.push(decodeSlice(reader, source, meta!));
        break;
      case 'Endpoints':
        out.endpoints.push(decodeEndpoints(reader, source, meta!));
        break;
      case 'Pod':
        out.pods.push(decodePod(reader, source));
        break;
      default:
        out.workloads.push(decodeWorkload(reader, { ...source, kind: known.kind }));
    }
  }
  return out;
}

/**
 * `metadata.labels`, a null value read as "". Labels that are all strings are used as parsed
 * (most are: one object less per manifest); anything else is read through `meta`'s checks.
 */
function decodeLabels(meta: Reader, raw: unknown): Readonly<Record<string, string>> {
  if (raw === undefined || raw === null) return {};
  if (isRecord(raw) && Object.values(raw).every(isString)) return raw as Record<string, string>;
  const labels: Record<string, string> = {};
  const reader = meta.obj_('labels')!;
  for (const key of Object.keys(raw as Json)) labels[key] = reader.str(key) ?? '';
  return labels;
}

function docLabel(r: RawObject): string {
  return r.item !== undefined ? `document ${r.doc}, items[${r.item}]` : `document ${r.doc}`;
}

function decodeService(top: Reader, source: ObjectSource): ServiceManifest {
  const spec = top.obj_('spec');
  const status = top.obj_('status');
  const clusterIP = spec?.str('clusterIP') ?? '';
  let clusterIPs = spec?.strList('clusterIPs') ?? [];
  if (clusterIPs.length === 0 && clusterIP !== '') clusterIPs = [clusterIP];
  const ports: ServicePortManifest[] = (spec?.objList('ports') ?? []).map((p) => {
    const port: ServicePortManifest = {
      name: p.str('name') ?? '',
      protocol: p.protocol('protocol'),
      nodePort: p.int('nodePort') ?? 0,
    };
    const n = p.int('port');
    if (n !== undefined) port.port = n;
    const target = targetPortOf(p);
    if (target !== undefined) port.targetPort = target;
    return port;
  });
  const ingress: LoadBalancerIngressManifest[] = (status?.obj_('loadBalancer')?.objList('ingress') ?? []).map((g) => {
    const ing: LoadBalancerIngressManifest = {};
    const ip = g.str('ip');
    const hostname = g.str('hostname');
    const ipMode = g.str('ipMode');
    if (ip !== undefined) ing.ip = ip;
    if (hostname !== undefined) ing.hostname = hostname;
    if (ipMode !== undefined) ing.ipMode = ipMode;
    return ing;
  });
  const svc: ServiceManifest = {
    source,
    type: spec?.str('type') || 'ClusterIP',
    clusterIP,
    clusterIPs,
    ipFamilies: spec?.strList('ipFamilies') ?? [],
    ports,
    externalIPs: spec?.strList('externalIPs') ?? [],
    loadBalancerSourceRanges: spec?.strList('loadBalancerSourceRanges') ?? [],
    ingress,
    sessionAffinity: spec?.str('sessionAffinity') || 'None',
    affinityTimeoutSeconds: spec?.obj_('sessionAffinityConfig')?.obj_('clientIP')?.int('timeoutSeconds') ?? 10800,
    externalTrafficPolicy: spec?.str('externalTrafficPolicy') || 'Cluster',
    internalTrafficPolicy: spec?.str('internalTrafficPolicy') || 'Cluster',
    healthCheckNodePort: spec?.int('healthCheckNodePort') ?? 0,
    publishNotReadyAddresses: spec?.bool('publishNotReadyAddresses') ?? false,
  };
  const ipFamilyPolicy = spec?.str('ipFamilyPolicy');
  if (ipFamilyPolicy !== undefined) svc.ipFamilyPolicy = ipFamilyPolicy;
  const allocateNodePorts = spec?.bool('allocateLoadBalancerNodePorts');
  if (allocateNodePorts !== undefined) svc.allocateLoadBalancerNodePorts = allocateNodePorts;
  const hints = topologyAnnotation(top.obj_('metadata')?.obj_('annotations'));
  if (hints !== undefined) {
    svc.hintsAnnotation = hints.value;
    if (hints.key === TOPOLOGY_MODE) svc.hintsFromTopologyMode = true;
  }
  const selector = spec ? stringMap(spec, 'selector') : {};
  if (Object.keys(selector).length > 0) svc.selector = selector;
  return svc;
}

/** A map of strings (labels, a selector), a null value read as "". */
function stringMap(parent: Reader, key: string): Record<string, string> {
  const reader = parent.obj_(key);
  const out: Record<string, string> = {};
  if (!reader) return out;
  for (const k of Object.keys(parent.raw(key) as Json)) out[k] = reader.str(k) ?? '';
  return out;
}

/** `targetPort`: a number or a name, as written. */
function targetPortOf(p: Reader): number | string | undefined {
  const v = p.raw('targetPort');
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return /^[0-9]+$/.test(v) ? Number(v) : v;
  return p.int('targetPort');
}

/** The ports of a pod spec's containers, then of its sidecars (init containers that restart Always). */
function containerPortsOf(podSpec: Reader | undefined): ContainerPortManifest[] {
  if (!podSpec) return [];
  const out: ContainerPortManifest[] = [];
  const add = (c: Reader): void => {
    for (const p of c.objList('ports')) {
      const port: ContainerPortManifest = { name: p.str('name') ?? '', protocol: p.protocol('protocol'), containerPort: p.int('containerPort') ?? 0 };
      out.push(port);
    }
  };
  podSpec.objList('containers').forEach(add);
  podSpec.objList('initContainers').filter((c) => c.str('restartPolicy') === 'Always').forEach(add);
  return out;
}

function decodePod(top: Reader, source: ObjectSource): PodManifest {
  const spec = top.obj_('spec');
  const status = top.obj_('status');
  let podIPs = (status?.objList('podIPs') ?? []).map((p) => p.str('ip') ?? '').filter((ip) => ip !== '');
  const podIP = status?.str('podIP') ?? '';
  if (podIPs.length === 0 && podIP !== '') podIPs = [podIP];
  const ready = (status?.objList('conditions') ?? []).find((c) => c.str('type') === 'Ready')?.str('status') === 'True';
  const deletion = top.obj_('metadata')?.raw('deletionTimestamp');
  return {
    source,
    nodeName: spec?.str('nodeName') ?? '',
    podIPs,
    ready,
    terminating: deletion !== undefined && deletion !== null,
    phase: status?.str('phase') ?? '',
    containerPorts: containerPortsOf(spec),
  };
}

function decodeWorkload(top: Reader, source: ObjectSource & { kind: WorkloadKind }): WorkloadManifest {
  const spec = top.obj_('spec');
  const template = spec?.obj_('template');
  const templateMeta = template?.obj_('metadata');
  return {
    source,
    replicas: spec?.int('replicas') ?? 1,
    firstOrdinal: source.kind === 'StatefulSet' ? (spec?.obj_('ordinals')?.int('start') ?? 0) : 0,
    podLabels: templateMeta ? stringMap(templateMeta, 'labels') : {},
    containerPorts: containerPortsOf(template?.obj_('spec')),
  };
}

/**
 * kube-proxy's hintsAnnotation (pkg/proxy/serviceport.go): the deprecated
 * `service.kubernetes.io/topology-aware-hints` when present, else
 * `service.kubernetes.io/topology-mode`. Only string values count (the API allows no other).
 */
function topologyAnnotation(annotations: Reader | undefined): { key: string; value: string } | undefined {
  if (!annotations) return undefined;
  for (const key of ['service.kubernetes.io/topology-aware-hints', TOPOLOGY_MODE]) {
    const v = annotations.raw(key);
    if (v !== undefined) return typeof v === 'string' ? { key, value: v } : undefined;
  }
  return undefined;
}

const TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';

function decodeEndpointPort(p: Reader): EndpointPortManifest {
  const port: EndpointPortManifest = { name: p.str('name') ?? '', protocol: p.protocol('protocol') };
  const n = p.int('port');
  if (n !== undefined) port.port = n;
  return port;
}

function decodeSlice(top: Reader, source: ObjectSource, meta: Reader): EndpointSliceManifest {
  const labels = meta.obj_('labels');
  const list = top.list('endpoints');
  const endpoints: EndpointManifest[] = new Array<EndpointManifest>(list.length);
  for (let i = 0; i < list.length; i++) {
    endpoints[i] = plainEndpoint(list[i]) ?? decodeEndpoint(top.objAt('endpoints', i));
  }
  return {
    source,
    serviceName: labels?.str('kubernetes.io/service-name') ?? '',
    addressType: top.str('addressType') ?? '',
    ports: top.objList('ports').map(decodeEndpointPort),
    endpoints,
  };
}


/**
 * The common endpoint — string addresses, boolean conditions, a node name, no hints — read with
 * plain property reads, as decodeEndpoint would read it; undefined for anything else, which
 * decodeEndpoint then reads with its checks and messages. A large input has 100k endpoints.
 */
function plainEndpoint(v: unknown): EndpointManifest | undefined {
  if (!isRecord(v)) return undefined;
  const { addresses, conditions, nodeName, hints } = v;
  if ((hints !== undefined && hints !== null) || !(nodeName === undefined || nodeName === null || isString(nodeName))) {
    return undefined;
  }
  if (!Array.isArray(addresses) || !addresses.every(isString)) return undefined;
  const ep: EndpointManifest = { addresses };
  if (conditions !== undefined && conditions !== null) {
    if (!isRecord(conditions)) return undefined;
    const { ready, serving, terminating } = conditions;
    if (!isOptionalBool(ready) || !isOptionalBool(serving) || !isOptionalBool(terminating)) return undefined;
    if (ready !== undefined && ready !== null) ep.ready = ready;
    if (serving !== undefined && serving !== null) ep.serving = serving;
    if (terminating !== undefined && terminating !== null) ep.terminating = terminating;
  }
  if (nodeName !== undefined && nodeName !== null) ep.nodeName = nodeName;
  return ep;
}

function decodeEndpoint(e: Reader): EndpointManifest {
  const ep: EndpointManifest = { addresses: e.strList('addresses') };
  const cond = e.obj_('conditions');
  const ready = cond?.bool('ready');
  const serving = cond?.bool('serving');
  const terminating = cond?.bool('terminating');
  if (ready !== undefined) ep.ready = ready;
  if (serving !== undefined) ep.serving = serving;
  if (terminating !== undefined) ep.terminating = terminating;
  const nodeName = e.str('nodeName');
  if (nodeName !== undefined) ep.nodeName = nodeName;
  const hints = e.obj_('hints');
  if (hints) {
    const zones = hints.objList('forZones').map((z) => z.str('name') ?? '');
    const nodes = hints.objList('forNodes').map((z) => z.str('name') ?? '');
    if (hints.raw('forZones') !== undefined && hints.raw('forZones') !== null) ep.zoneHints = zones;
    if (hints.raw('forNodes') !== undefined && hints.raw('forNodes') !== null) ep.nodeHints = nodes;
  }
  return ep;
}

function decodeEndpoints(top: Reader, source: ObjectSource, meta: Reader): EndpointsManifest {
  const labels = meta.obj_('labels');
  const addr = (a: Reader): EndpointAddressManifest => {
    const out: EndpointAddressManifest = { ip: a.str('ip') ?? '' };
    const nodeName = a.str('nodeName');
    if (nodeName !== undefined) out.nodeName = nodeName;
    return out;
  };
  const subsets: EndpointSubsetManifest[] = top.objList('subsets').map((s) => ({
    addresses: s.objList('addresses').map(addr),
    notReadyAddresses: s.objList('notReadyAddresses').map(addr),
    ports: s.objList('ports').map(decodeEndpointPort),
  }));
  return { source, skipMirror: labels?.str('endpointslice.kubernetes.io/skip-mirror') === 'true', subsets };
}
