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
import { dns1035Label, dns1123Label, dns1123Subdomain, ianaServiceName, labelValue, memoized } from './names.js';
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
    if (!Number.isSafeInteger(v)) this.fail(key, `${v} is out of range`);
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

  /** A string the API server checks with `check` (names.ts); `what` names it in the error. */
  name(key: string, check: (s: string) => string | undefined, what: string): string | undefined {
    const v = this.str(key);
    if (v === undefined || v === '') return v;
    const problem = check(v);
    if (problem !== undefined) this.fail(key, `${JSON.stringify(v)} is not a valid ${what}: ${problem}`);
    return v;
  }

  /**
   * An integer field of the API (int32 unless `bits` says 64): a value the API server's JSON
   * decoder would not take is refused here rather than written into a rule.
   */
  int32(key: string): number | undefined {
    const v = this.int(key);
    if (v !== undefined && (v < -2147483648 || v > 2147483647)) this.fail(key, `${v} is out of range (a 32-bit integer)`);
    return v;
  }

  /** A port number the API server accepts: 1 to 65535 (0 too when `zeroAllowed`, meaning unset). */
  portNumber(key: string, zeroAllowed: boolean): number | undefined {
    const v = this.int(key);
    if (v === undefined) return v;
    if (v > 65535 || v < 0 || (v === 0 && !zeroAllowed)) this.fail(key, `${v} is not a valid port number: must be between 1 and 65535, inclusive`);
    return v;
  }

  /** One of `allowed` ("" and absent read as undefined). */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.str(key);
    if (v === undefined || v === '') return undefined;
    if (!(allowed as readonly string[]).includes(v)) this.fail(key, `unsupported value ${JSON.stringify(v)}: supported values are ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    return v as T;
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
    const rawName = meta?.str('name');
    const namespace = meta?.str('namespace') || 'default';
    const nsProblem = dns1123Label(namespace);
    if (nsProblem !== undefined) {
      throw new InputError(
        { ...loc, object: `${kindName} ?/${rawName ?? '?'}`, field: 'metadata.namespace' },
        `${JSON.stringify(namespace)} is not a valid namespace name: ${nsProblem}`,
      );
    }
    if (!rawName) {
      throw new InputError({ ...loc, object: `${kindName} ${namespace}/?`, field: 'metadata.name' }, 'missing');
    }
    const name = nameProblem(known.kind, rawName) === undefined ? rawName : undefined;
    if (name === undefined) {
      throw new InputError(
        { ...loc, object: `${kindName} ${namespace}/?`, field: 'metadata.name' },
        `${JSON.stringify(rawName)} is not a valid ${known.kind} name: ${nameProblem(known.kind, rawName)!}`,
      );
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

/** What the API server says about an object's name: Services are DNS-1035 labels, all others DNS-1123 subdomains. */
function nameProblem(kind: ObjectSource['kind'], name: string): string | undefined {
  return kind === 'Service' ? dns1035Label(name) : dns1123Subdomain(name);
}

/** Node names (endpoints, pods), checked once each. */
const nodeNameProblem = memoized(dns1123Subdomain);

/** `nodeName` of an endpoint, an Endpoints address or a pod spec, checked as a node name. */
function nodeNameOf(r: Reader, key: string): string | undefined {
  return r.name(key, nodeNameProblem, 'node name');
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
      name: p.name('name', dns1123Label, 'port name') ?? '',
      protocol: p.protocol('protocol'),
      nodePort: p.portNumber('nodePort', true) ?? 0,
    };
    // 0 is kept: kube-proxy writes `--dport 0`, and the normaliser warns.
    const n = p.portNumber('port', true);
    if (n !== undefined) port.port = n;
    const target = targetPortOf(p);
    if (target !== undefined) port.targetPort = target;
    return port;
  });
  const ingress: LoadBalancerIngressManifest[] = (status?.obj_('loadBalancer')?.objList('ingress') ?? []).map((g) => {
    const ing: LoadBalancerIngressManifest = {};
    const ip = g.str('ip');
    const hostname = g.name('hostname', dns1123Subdomain, 'hostname');
    const ipMode = g.oneOf('ipMode', ['VIP', 'Proxy']);
    if (ip !== undefined) ing.ip = ip;
    if (hostname !== undefined) ing.hostname = hostname;
    if (ipMode !== undefined) ing.ipMode = ipMode;
    return ing;
  });
  const svc: ServiceManifest = {
    source,
    type: spec?.oneOf('type', SERVICE_TYPES) ?? 'ClusterIP',
    clusterIP,
    clusterIPs,
    ipFamilies: spec?.strList('ipFamilies') ?? [],
    ports,
    externalIPs: spec?.strList('externalIPs') ?? [],
    loadBalancerSourceRanges: spec?.strList('loadBalancerSourceRanges') ?? [],
    ingress,
    sessionAffinity: spec?.oneOf('sessionAffinity', ['None', 'ClientIP']) ?? 'None',
    affinityTimeoutSeconds: affinityTimeoutOf(spec),
    externalTrafficPolicy: spec?.oneOf('externalTrafficPolicy', TRAFFIC_POLICIES) ?? 'Cluster',
    internalTrafficPolicy: spec?.oneOf('internalTrafficPolicy', TRAFFIC_POLICIES) ?? 'Cluster',
    healthCheckNodePort: spec?.portNumber('healthCheckNodePort', true) ?? 0,
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
  const topologyKeys = spec?.strList('topologyKeys') ?? [];
  if (topologyKeys.length > 0) svc.topologyKeys = topologyKeys;
  const selector = spec ? stringMap(spec, 'selector') : {};
  if (Object.keys(selector).length > 0) svc.selector = selector;
  return svc;
}

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
const TRAFFIC_POLICIES = ['Cluster', 'Local'] as const;

/** The most the API server allows for `sessionAffinityConfig.clientIP.timeoutSeconds` (one day). */
const MAX_AFFINITY_TIMEOUT = 86400;

/** `sessionAffinityConfig.clientIP.timeoutSeconds`: 10800 when absent, else 1 to 86400. */
function affinityTimeoutOf(spec: Reader | undefined): number {
  const clientIP = spec?.obj_('sessionAffinityConfig')?.obj_('clientIP');
  const t = clientIP?.int('timeoutSeconds');
  if (t === undefined) return 10800;
  if (t <= 0 || t > MAX_AFFINITY_TIMEOUT) clientIP!.fail('timeoutSeconds', `${t} must be greater than 0 and less than ${MAX_AFFINITY_TIMEOUT + 1}`);
  return t;
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
  if (typeof v === 'string') {
    if (/^[0-9]+$/.test(v)) return checkedTargetPort(p, Number(v));
    const problem = ianaServiceName(v);
    if (problem !== undefined) p.fail('targetPort', `${JSON.stringify(v)} is not a valid port name: ${problem}`);
    return v;
  }
  return checkedTargetPort(p, p.int('targetPort')!);
}

/** A numeric targetPort: 0 means "the port", else 1 to 65535. */
function checkedTargetPort(p: Reader, n: number): number {
  if (n < 0 || n > 65535) p.fail('targetPort', `${n} is not a valid port number: must be between 1 and 65535, inclusive`);
  return n;
}

/** The ports of a pod spec's containers, then of its sidecars (init containers that restart Always). */
function containerPortsOf(podSpec: Reader | undefined): ContainerPortManifest[] {
  if (!podSpec) return [];
  const out: ContainerPortManifest[] = [];
  const add = (c: Reader): void => {
    for (const p of c.objList('ports')) {
      const port: ContainerPortManifest = {
        name: p.name('name', ianaServiceName, 'port name') ?? '',
        protocol: p.protocol('protocol'),
        containerPort: p.portNumber('containerPort', true) ?? 0,
      };
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
    nodeName: (spec && nodeNameOf(spec, 'nodeName')) ?? '',
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
    replicas: nonNegative(spec, 'replicas') ?? 1,
    firstOrdinal: source.kind === 'StatefulSet' ? (nonNegative(spec?.obj_('ordinals'), 'start') ?? 0) : 0,
    podLabels: templateMeta ? stringMap(templateMeta, 'labels') : {},
    containerPorts: containerPortsOf(template?.obj_('spec')),
  };
}

/** A count the API server requires to be a non-negative int32. */
function nonNegative(r: Reader | undefined, key: string): number | undefined {
  const n = r?.int32(key);
  if (n !== undefined && n < 0) r!.fail(key, `${n} must be greater than or equal to 0`);
  return n;
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
  const port: EndpointPortManifest = { name: p.name('name', dns1123Label, 'port name') ?? '', protocol: p.protocol('protocol') };
  // 0 is kept for the normaliser's warning (the API server refuses it, kube-proxy skips it).
  const n = p.portNumber('port', true);
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
    serviceName: labels?.name('kubernetes.io/service-name', labelValue, 'label value') ?? '',
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
  // A bad node name is reported by decodeEndpoint.
  if (isString(nodeName) && nodeName !== '' && nodeNameProblem(nodeName) !== undefined) return undefined;
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
  const nodeName = nodeNameOf(e, 'nodeName');
  if (nodeName !== undefined) ep.nodeName = nodeName;
  const hints = e.obj_('hints');
  if (hints) {
    const zones = hints.objList('forZones').map((z) => z.str('name') ?? '');
    const nodes = hints.objList('forNodes').map((z) => nodeNameOf(z, 'name') ?? '');
    if (hints.raw('forZones') !== undefined && hints.raw('forZones') !== null) ep.zoneHints = zones;
    if (hints.raw('forNodes') !== undefined && hints.raw('forNodes') !== null) ep.nodeHints = nodes;
  }
  return ep;
}

function decodeEndpoints(top: Reader, source: ObjectSource, meta: Reader): EndpointsManifest {
  const labels = meta.obj_('labels');
  const addr = (a: Reader): EndpointAddressManifest => {
    const out: EndpointAddressManifest = { ip: a.str('ip') ?? '' };
    const nodeName = nodeNameOf(a, 'nodeName');
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
