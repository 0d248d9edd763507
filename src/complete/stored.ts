/**
 * The completed input as the API server would store it and `kubectl get -o yaml` show it
 * (for `--save-manifests` on files): each Service that was completed with the values
 * allocated for it and the defaults the API server writes on create
 * (pkg/apis/core/v1/defaults.go: SetDefaults_Service, SetDefaults_ServicePort; the
 * registry's defaultOnRead of ipFamilyPolicy/ipFamilies), then the EndpointSlices that were
 * made, as the EndpointSlice controller writes them. Every other object is kept as it was read.
 *
 * Read back, these objects need no completion: the Services have their cluster IPs and node
 * ports, and the Services that got slices have them, so the rules are the same bytes.
 *
 * Not written, because the API server would make them up at random: uid, resourceVersion,
 * creationTimestamp, generateName suffixes, owner references.
 */
import type { RawObject } from '../load/files.js';
import type { EndpointSliceManifest, Manifests, ServiceManifest } from '../load/manifests.js';
import { isRecord } from '../util.js';

type Json = Record<string, unknown>;

/** Where a decoded object came from, as a key that the raw object it was decoded from has too. */
function sourceKey(s: { file: string; doc: number; item?: number }): string {
  return `${s.file}\0${s.doc}\0${s.item ?? ''}`;
}

/**
 * The objects to write: `raw` in order, each Service that completion changed (a Service of
 * `completed` that is not `decoded`'s at the same place) in its stored form, then the slices
 * completion made (those of `completed` after `decoded`'s own).
 */
export function storedObjects(raw: readonly RawObject[], decoded: Manifests, completed: Manifests): unknown[] {
  const original = new Set(decoded.services);
  const changed = new Map<string, ServiceManifest>();
  for (const s of completed.services) if (!original.has(s)) changed.set(sourceKey(s.source), s);
  const out: unknown[] = raw.map((r) => {
    const svc = changed.get(sourceKey(r));
    return svc && isRecord(r.value) ? storedService(r.value, svc) : r.value;
  });
  for (const slice of completed.slices.slice(decoded.slices.length)) out.push(storedSlice(slice));
  return out;
}

/** A deep copy of a parsed JSON value. */
function copy<T>(v: T): T {
  return structuredClone(v);
}

/** `raw` with `svc`'s allocated values and the API server's create-time defaults. */
function storedService(raw: Json, svc: ServiceManifest): Json {
  const o = copy(raw);
  const metadata = (isRecord(o.metadata) ? o.metadata : (o.metadata = {})) as Json;
  metadata.namespace = svc.source.namespace;
  const spec = (isRecord(o.spec) ? o.spec : (o.spec = {})) as Json;
  spec.type = svc.type;
  spec.clusterIP = svc.clusterIP;
  spec.clusterIPs = [...svc.clusterIPs];
  if (svc.ipFamilies.length > 0) spec.ipFamilies = [...svc.ipFamilies];
  if (svc.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = svc.ipFamilyPolicy;
  spec.sessionAffinity = svc.sessionAffinity;
  spec.internalTrafficPolicy = svc.internalTrafficPolicy;
  if (svc.type === 'NodePort' || svc.type === 'LoadBalancer') spec.externalTrafficPolicy = svc.externalTrafficPolicy;
  if (svc.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts = svc.allocateLoadBalancerNodePorts ?? true;
  if (svc.healthCheckNodePort !== 0) spec.healthCheckNodePort = svc.healthCheckNodePort;
  if (Array.isArray(spec.ports)) {
    spec.ports = spec.ports.map((p: unknown, i) => {
      const m = svc.ports[i];
      if (!isRecord(p) || m === undefined) return p;
      const port: Json = { ...p, protocol: m.protocol };
      if (port.targetPort === undefined && m.port !== undefined) port.targetPort = m.port;
      if (m.nodePort !== 0) port.nodePort = m.nodePort;
      return port;
    });
  }
  if (!isRecord(o.status)) o.status = { loadBalancer: {} };
  return o;
}

/** A made slice as the controller writes it: every condition set, the port names as `""` too. */
function storedSlice(s: EndpointSliceManifest): Json {
  return {
    addressType: s.addressType,
    apiVersion: 'discovery.k8s.io/v1',
    endpoints: s.endpoints.map((e) => {
      const ep: Json = { addresses: [...e.addresses], conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating } };
      if (e.nodeName !== undefined) ep.nodeName = e.nodeName;
      return ep;
    }),
    kind: 'EndpointSlice',
    metadata: { labels: { ...s.source.labels }, name: s.source.name, namespace: s.source.namespace },
    ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
  };
}
