/**
 * Manifests → service ports with their endpoints, for one IP family, the way kube-proxy's
 * change trackers build svcPortMap and endpointsMap:
 *   - services: ServiceChangeTracker.serviceToServiceMap + newBaseServiceInfo
 *     (pkg/proxy/servicechangetracker.go, pkg/proxy/serviceport.go);
 *   - endpoints: EndpointSliceCache (pkg/proxy/endpointslicecache.go, pkg/proxy/endpoint.go);
 *   - v1 Endpoints are turned into slices as the EndpointSlice mirroring controller would,
 *     for a Service that has no EndpointSlice in the input.
 * Objects and fields kube-proxy would skip are skipped here too, with a Warning.
 */
import type { InputLocation, Note, Warning } from '../errors.js';
import { InputError } from '../errors.js';
import type {
  EndpointSliceManifest,
  EndpointsManifest,
  Manifests,
  ObjectSource,
  ServiceManifest,
} from '../load/manifests.js';
import { byteCompare } from '../util.js';
import { formatIP, isCanonicalIPv4, joinHostPort, parseCIDR, parseIP, type CIDR, type IPFamily } from './ip.js';
import type { Endpoint, Protocol, ServicePort, ServicePortWithEndpoints } from './types.js';
import type { EndpointDedup } from '../plan/releases/features.js';

export interface NormalizeOptions {
  ipFamily: IPFamily;
  /** This node's name (lower-cased); empty = no endpoint is local. */
  nodeName: string;
  /** Read `hints.forNodes` (feature gate PreferSameTrafficDistribution). */
  readNodeHints: boolean;
  /** Honour `status.loadBalancer.ingress[].ipMode` (feature gate LoadBalancerIPMode); default true. */
  readIPMode?: boolean;
  /** Honour `spec.internalTrafficPolicy` (feature gate ServiceInternalTrafficPolicy); default true. */
  readInternalTrafficPolicy?: boolean;
  /**
   * Fields the release being written did not have (plan/releases/features.ts): read as if
   * absent, with one warning naming the field and the release.
   */
  absentFields?: { release: string; ipMode: boolean; nodeHints: boolean; topologyMode?: boolean; internalTrafficPolicy?: boolean; zoneHints?: boolean; topologyKeys?: boolean };
  /** An unnamed port's ServicePortName is `ns/name:` (releases before 1.19); default `ns/name`. */
  unnamedPortColon?: boolean;
  /** Keep external IPs, load-balancer IPs and source ranges as written (releases before 1.30). */
  serviceAddressesAsWritten?: boolean;
  /** Keep endpoint addresses as written (releases before 1.33). */
  endpointAddressesAsWritten?: boolean;
  /** Which copy of a duplicated ip:port (before 1.22: IP) is used; default prefer-non-terminating. */
  endpointDedup?: EndpointDedup;
  /** Only ready endpoints exist (EndpointSliceCache of 1.19 and 1.20 kept no others). */
  readyEndpointsOnly?: boolean;
}

export interface NormalizedInput {
  /** Sorted by (namespace, service, port name, protocol), byte-wise. */
  ports: ServicePortWithEndpoints[];
  warnings: Warning[];
  /**
   * Services kube-proxy writes nothing for by design (headless, ExternalName): ordinary in a
   * cluster's dump, so not warnings (--strict must pass on one); shown with -v.
   */
  details: Note[];
}

function locationOf(src: ObjectSource, field?: string): InputLocation {
  const loc: InputLocation = { file: src.file, object: `${src.kind} ${src.namespace}/${src.name}` };
  if (field !== undefined) loc.field = field;
  return loc;
}

/** A port of a known service, by `portName\0protocol` (NUL cannot appear in a port name). */
function portKey(portName: string, protocol: Protocol): string {
  return `${portName}\0${protocol}`;
}

function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** A service port and its endpoints so far, in slice order, duplicates included. */
interface PortEndpoints {
  svcPort: ServicePort;
  endpoints: Endpoint[];
}

/**
 * A Service of the input, by `namespace/name`: its ports for this family, none when kube-proxy
 * skips the Service (the entry still tells a slice that its Service exists).
 */
interface ServiceEntry {
  source: ObjectSource;
  ports: Map<string, PortEndpoints>;
}

export function normalize(manifests: Manifests, opts: NormalizeOptions): NormalizedInput {
  const warnings: Warning[] = [];
  const warn = (src: ObjectSource, field: string | undefined, message: string): void => {
    warnings.push({ location: locationOf(src, field), message });
  };
  const details: Note[] = [];
  const detail = (src: ObjectSource, field: string | undefined, message: string): void => {
    details.push({ location: locationOf(src, field), message });
  };

  rejectDuplicates(manifests);

  // Services → service ports.
  const services = new Map<string, ServiceEntry>();
  for (const svc of manifests.services) {
    const entry: ServiceEntry = { source: svc.source, ports: new Map() };
    services.set(serviceKey(svc.source.namespace, svc.source.name), entry);
    const label = ignoredByLabel(svc.source);
    if (label) {
      warn(svc.source, `metadata.labels['${label}']`, `${IGNORING_LABELS[label]}; kube-proxy does not watch it; skipped`);
      continue;
    }
    for (const sp of servicePorts(svc, opts, warn, detail)) {
      const key = portKey(sp.portName, sp.protocol);
      if (entry.ports.has(key)) {
        warn(svc.source, 'spec.ports', `port ${JSON.stringify(sp.portName)} (${sp.protocol}) is listed twice; the last one is used`);
      }
      entry.ports.set(key, { svcPort: sp, endpoints: [] });
    }
  }

  // EndpointSlices, plus mirrored Endpoints for Services without slices.
  const slices = [...manifests.slices];
  const servicesWithSlices = new Set(
    manifests.slices.filter((s) => s.serviceName !== '').map((s) => serviceKey(s.source.namespace, s.serviceName)),
  );
  for (const ep of manifests.endpoints) {
    const k = serviceKey(ep.source.namespace, ep.source.name);
    if (servicesWithSlices.has(k) || ep.skipMirror || ignoredByLabel(ep.source)) continue;
    slices.push(...mirrorEndpoints(ep, warn));
  }

  // kube-proxy merges a service's slices in map order; sorting by name makes the
  // (rare) duplicate-endpoint tie-break independent of file order.
  slices.sort((a, b) => byteCompare(a.source.namespace, b.source.namespace) || byteCompare(a.source.name, b.source.name));
  for (const slice of slices) addSlice(slice, opts, services, warn);

  const result: ServicePortWithEndpoints[] = [];
  for (const service of services.values()) {
    for (const { svcPort, endpoints } of service.ports.values()) {
      const present = opts.readyEndpointsOnly ? endpoints.filter((ep) => ep.ready) : endpoints;
      const dedup = opts.endpointDedup ?? 'prefer-non-terminating';
      const unique = dedup === 'ip-first-or-local' ? uniqueByIP(present) : sortedUnique(present, dedup);
      if (unique.dropped.length > 0) {
        const kept = unique.endpoints.filter((ep) => unique.dropped.some((d) => d.ip === ep.ip)).map((ep) => ep.endpoint);
        const n = unique.dropped.length;
        warn(service.source, 'spec.ports', `port ${JSON.stringify(svcPort.portName)}: endpoint${n > 1 ? 's' : ''} ${unique.dropped.map((ep) => ep.endpoint).join(', ')} dropped: kube-proxy ${opts.absentFields?.release ?? 'before 1.22'} keeps one endpoint per IP and service port, here ${kept.join(', ')} (the first copy unless a later one is on this node; kube-proxy takes slices in random order, kp-gen by name)`);
      }
      result.push({ svcPort, endpoints: unique.endpoints });
    }
  }
  result.sort((a, b) => compareServicePorts(a.svcPort, b.svcPort));
  return { ports: result, warnings, details };
}

/**
 * The endpoints sorted by `endpoint`, each once. Of an endpoint found in several slices
 * (EndpointSliceCache merges them in slice order), a non-terminating copy replaces an earlier
 * one, a terminating copy does not: the last non-terminating copy wins, else the first.
 */
function sortedUnique(endpoints: Endpoint[], dedup: EndpointDedup): { endpoints: Endpoint[]; dropped: Endpoint[] } {
  // Stable: copies of one endpoint stay in slice order.
  endpoints.sort((a, b) => byteCompare(a.endpoint, b.endpoint));
  const firstOrLocal = dedup === 'first-or-local';
  const out: Endpoint[] = [];
  for (let i = 0; i < endpoints.length; ) {
    let pick = endpoints[i]!;
    let j = i + 1;
    for (; j < endpoints.length && endpoints[j]!.endpoint === pick.endpoint; j++) {
      // Before PR #135593: a later copy wins only if it is on this node.
      if (firstOrLocal ? endpoints[j]!.isLocal : !endpoints[j]!.terminating) pick = endpoints[j]!;
    }
    out.push(pick);
    i = j;
  }
  return { endpoints: out, dropped: [] };
}

/**
 * EndpointSliceCache before 1.22 (addEndpointsByIP): one endpoint per IP for a service port,
 * the first copy in slice order unless a later one is on this node; then sorted, like every
 * release's, by the text `ip:port`. What else had that IP (another port) is returned as
 * dropped.
 */
function uniqueByIP(endpoints: readonly Endpoint[]): { endpoints: Endpoint[]; dropped: Endpoint[] } {
  const byIP = new Map<string, Endpoint>();
  const dropped: Endpoint[] = [];
  for (const ep of endpoints) {
    const first = byIP.get(ep.ip);
    if (first === undefined) byIP.set(ep.ip, ep);
    else if (ep.isLocal) {
      if (first.endpoint !== ep.endpoint) dropped.push(first);
      byIP.set(ep.ip, ep);
    } else if (first.endpoint !== ep.endpoint) dropped.push(ep);
  }
  const kept = [...byIP.values()].sort((a, b) => byteCompare(a.endpoint, b.endpoint));
  // The same ip:port dropped twice (a copy in a third slice) is named once.
  const named = new Set(kept.map((ep) => ep.endpoint));
  const unique = dropped.filter((ep) => !named.has(ep.endpoint) && (named.add(ep.endpoint), true));
  return { endpoints: kept, dropped: unique };
}

/** kp-gen's processing order: (namespace, service name, port name, protocol), byte-wise. */
function compareServicePorts(a: ServicePort, b: ServicePort): number {
  return (
    byteCompare(a.namespace, b.namespace) ||
    byteCompare(a.service, b.service) ||
    byteCompare(a.portName, b.portName) ||
    byteCompare(a.protocol, b.protocol)
  );
}

/** The same object twice would make the output depend on file order: refuse it. */
function rejectDuplicates(m: Manifests): void {
  const seen = new Map<string, ObjectSource>();
  for (const o of [...m.services, ...m.slices, ...m.endpoints]) {
    const s = o.source;
    const key = `${s.kind} ${s.namespace}/${s.name}`;
    const first = seen.get(key);
    if (first) {
      throw new InputError(
        locationOf(s),
        `defined twice (also in ${first.file}, document ${first.doc}); the output would depend on file order`,
        'remove one of the two copies',
      );
    }
    seen.set(key, s);
  }
}

type Warn = (src: ObjectSource, field: string | undefined, message: string) => void;

/**
 * kube-proxy's informers only see Services and EndpointSlices without these labels
 * (StartInformers in pkg/proxy/runner.go): one names another service proxy, the other marks
 * a headless service's slices.
 */
const IGNORING_LABELS: Record<string, string> = {
  'service.kubernetes.io/service-proxy-name': 'handled by another service proxy',
  'service.kubernetes.io/headless': 'labelled headless',
};

function ignoredByLabel(src: ObjectSource): string | undefined {
  return Object.keys(IGNORING_LABELS).find((l) => l in src.labels);
}

function familyName(f: IPFamily): string {
  return f === 4 ? 'IPv4' : 'IPv6';
}

/** The service's ports for this family, or none if kube-proxy would skip the service. */
function servicePorts(svc: ServiceManifest, opts: NormalizeOptions, warn: Warn, detail: Warn): ServicePort[] {
  const src = svc.source;
  const family = opts.ipFamily;
  // ShouldSkipService: headless and ExternalName services get no rules.
  if (svc.type === 'ExternalName') {
    detail(src, 'spec.type', 'ExternalName service: kube-proxy writes no rules for it; skipped');
    return [];
  }
  if (svc.clusterIP === 'None') {
    detail(src, 'spec.clusterIP', 'None (headless service): kube-proxy writes no rules for it; skipped');
    return [];
  }
  if (svc.clusterIP === '') {
    warn(src, 'spec.clusterIP', 'not set: kube-proxy writes no rules for it; skipped');
    return [];
  }

  // GetClusterIPByFamily
  let clusterIPText: string | undefined;
  let field = 'spec.clusterIP';
  if (svc.ipFamilies.length === 0) {
    const isV6 = svc.clusterIP.includes(':');
    if (isV6 === (family === 6)) clusterIPText = svc.clusterIP;
  } else {
    const i = svc.ipFamilies.indexOf(familyName(family));
    if (i >= 0 && i < svc.clusterIPs.length) {
      clusterIPText = svc.clusterIPs[i];
      field = `spec.clusterIPs[${i}]`;
    }
  }
  if (clusterIPText === undefined) return []; // served by the other family's proxier
  const clusterIP = parseIP(clusterIPText);
  if (!clusterIP || clusterIP.family !== family) {
    warn(src, field, `invalid IP address ${JSON.stringify(clusterIPText)}; service skipped`);
    return [];
  }

  const externalIPs: string[] = [];
  svc.externalIPs.forEach((text, i) => {
    const ip = parseIP(text);
    if (!ip) warn(src, `spec.externalIPs[${i}]`, `invalid IP address ${JSON.stringify(text)}; ignored`);
    else if (ip.family === family) externalIPs.push(opts.serviceAddressesAsWritten ? text : formatIP(ip));
  });
  const sourceRanges: CIDR[] = [];
  const sourceRangeTexts: string[] = [];
  svc.loadBalancerSourceRanges.forEach((text, i) => {
    const cidr = parseCIDR(text.trim());
    if (!cidr) warn(src, `spec.loadBalancerSourceRanges[${i}]`, `invalid CIDR ${JSON.stringify(text)}; ignored`);
    else if (cidr.ip.family === family) {
      sourceRanges.push(cidr);
      sourceRangeTexts.push(text.trim());
    }
  });
  if (svc.topologyKeys !== undefined && opts.absentFields) {
    // ServiceTopology (KEP-536): alpha, off by default, 1.17 … 1.21; the API server dropped the field from 1.22.
    const { release, topologyKeys } = opts.absentFields;
    warn(src, 'spec.topologyKeys', topologyKeys
      ? `did not exist in kube-proxy ${release}; ignored (ServiceTopology was an alpha of 1.17 … 1.21)`
      : `kube-proxy ${release} reads it only with feature gate ServiceTopology (alpha, off by default), which kp-gen does not model; ignored`);
  }
  let hintsAnnotation = svc.hintsAnnotation;
  if (hintsAnnotation !== undefined && opts.absentFields?.zoneHints) {
    // Before 1.21 kube-proxy had no topology hints at all.
    const key = svc.hintsFromTopologyMode ? 'topology-mode' : 'topology-aware-hints';
    warn(src, `metadata.annotations["service.kubernetes.io/${key}"]`,
      `did not exist in kube-proxy ${opts.absentFields.release}; ignored (topology hints came in 1.21)`);
    hintsAnnotation = undefined;
  } else if (hintsAnnotation !== undefined && svc.hintsFromTopologyMode && opts.absentFields?.topologyMode) {
    warn(src, 'metadata.annotations["service.kubernetes.io/topology-mode"]',
      `did not exist in kube-proxy ${opts.absentFields.release}; ignored (it reads service.kubernetes.io/topology-aware-hints only)`);
    hintsAnnotation = undefined;
  }
  const lbVIPs: string[] = [];
  svc.ingress.forEach((ing, i) => {
    if (!ing.ip) return; // hostname-only ingress
    if (ing.ipMode !== undefined && opts.absentFields?.ipMode) {
      warn(src, `status.loadBalancer.ingress[${i}].ipMode`, `did not exist in kube-proxy ${opts.absentFields.release}; ignored (the IP is used as a load-balancer VIP)`);
    } else if (ing.ipMode !== undefined && ing.ipMode !== 'VIP' && opts.readIPMode !== false) {
      return; // ipMode Proxy: the LB proxies, no VIP rules
    }
    const ip = parseIP(ing.ip);
    if (!ip) warn(src, `status.loadBalancer.ingress[${i}].ip`, `invalid IP address ${JSON.stringify(ing.ip)}; ignored`);
    else if (ip.family === family) lbVIPs.push(opts.serviceAddressesAsWritten ? ing.ip : formatIP(ip));
  });

  // pkg/api/v1/service/util.go: ExternallyAccessible is about the *type* here.
  const externallyAccessibleType =
    svc.type === 'LoadBalancer' || svc.type === 'NodePort' || (svc.type === 'ClusterIP' && svc.externalIPs.length > 0);
  const externalPolicyLocal = externallyAccessibleType && svc.externalTrafficPolicy === 'Local';
  if (svc.internalTrafficPolicy === 'Local' && opts.absentFields?.internalTrafficPolicy) {
    warn(src, 'spec.internalTrafficPolicy', `did not exist in kube-proxy ${opts.absentFields.release}; ignored (traffic policy Cluster)`);
  }
  const internalPolicyLocal =
    svc.internalTrafficPolicy === 'Local' && opts.readInternalTrafficPolicy !== false && opts.absentFields?.internalTrafficPolicy !== true;
  const healthCheckNodePort = svc.type === 'LoadBalancer' && externalPolicyLocal ? svc.healthCheckNodePort : 0;
  const sticky = svc.sessionAffinity === 'ClientIP' ? svc.affinityTimeoutSeconds : 0;

  const out: ServicePort[] = [];
  svc.ports.forEach((p, i) => {
    // Port numbers are 0 to 65535: the decoder refuses others, as the API server does.
    const portNumber = p.port ?? 0;
    if (portNumber === 0) {
      // kube-proxy does not check: it writes `--dport 0` (its own tests rely on that).
      warn(src, `spec.ports[${i}].port`, `${p.port === undefined ? 'missing' : '0'}: the API server would reject this; written as --dport 0, as kube-proxy does`);
    }
    // join(), not a template: in the comment of every endpoint's rules (README#performance).
    // Before 1.19 an unnamed port keeps the colon (`ns/name:`), and so do its chain hashes.
    const nameString =
      p.name === '' && !opts.unnamedPortColon ? [src.namespace, src.name].join('/') : [src.namespace, '/', src.name, ':', p.name].join('');
    out.push({
      namespace: src.namespace,
      service: src.name,
      portName: p.name,
      protocol: p.protocol,
      nameString,
      clusterIP: formatIP(clusterIP),
      port: portNumber,
      nodePort: p.nodePort,
      externalIPs,
      loadBalancerVIPs: lbVIPs,
      loadBalancerSourceRanges: sourceRanges,
      stickyMaxAgeSeconds: sticky,
      externalPolicyLocal,
      internalPolicyLocal,
      healthCheckNodePort,
      ...(hintsAnnotation !== undefined ? { hintsAnnotation } : {}),
      ...(opts.serviceAddressesAsWritten ? { loadBalancerSourceRangeTexts: sourceRangeTexts } : {}),
    });
  });
  return out;
}

/** EndpointSlice mirroring (pkg/controller/endpointslicemirroring): one slice per subset and family. */
function mirrorEndpoints(ep: EndpointsManifest, warn: Warn): EndpointSliceManifest[] {
  const out: EndpointSliceManifest[] = [];
  ep.subsets.forEach((subset, si) => {
    const byFamily = new Map<string, EndpointSliceManifest>();
    const add = (ip: string, nodeName: string | undefined, ready: boolean, field: string): void => {
      const parsed = parseIP(ip);
      if (!parsed) {
        warn(ep.source, field, `invalid IP address ${JSON.stringify(ip)}; address skipped`);
        return;
      }
      const addressType = familyName(parsed.family);
      let slice = byFamily.get(addressType);
      if (!slice) {
        slice = {
          source: ep.source,
          serviceName: ep.source.name,
          addressType,
          ports: subset.ports,
          endpoints: [],
        };
        byFamily.set(addressType, slice);
      }
      // The mirroring controller sets only the ready condition.
      const e: EndpointSliceManifest['endpoints'][number] = { addresses: [ip], ready };
      if (nodeName !== undefined) e.nodeName = nodeName;
      slice.endpoints.push(e);
    };
    subset.addresses.forEach((a, i) => add(a.ip, a.nodeName, true, `subsets[${si}].addresses[${i}].ip`));
    subset.notReadyAddresses.forEach((a, i) => add(a.ip, a.nodeName, false, `subsets[${si}].notReadyAddresses[${i}].ip`));
    out.push(...byFamily.values());
  });
  return out;
}

function addSlice(
  slice: EndpointSliceManifest,
  opts: NormalizeOptions,
  services: ReadonlyMap<string, ServiceEntry>,
  warn: Warn,
): void {
  const src = slice.source;
  const isEndpoints = src.kind === 'Endpoints';
  // Filtered out by kube-proxy's informers; the Service (if any) was already reported.
  if (ignoredByLabel(src)) return;
  if (slice.addressType === 'FQDN') {
    warn(src, 'addressType', 'FQDN slices are not used by kube-proxy; skipped');
    return;
  }
  if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') {
    warn(src, 'addressType', `unknown address type ${JSON.stringify(slice.addressType)}; skipped`);
    return;
  }
  if (slice.addressType !== familyName(opts.ipFamily)) return; // the other family's proxier uses it
  if (slice.serviceName === '') {
    warn(src, 'metadata.labels', 'no kubernetes.io/service-name label: kube-proxy cannot tell which Service it belongs to; skipped');
    return;
  }
  const svcKey = serviceKey(src.namespace, slice.serviceName);
  const service = services.get(svcKey);
  if (!service) {
    warn(
      src,
      isEndpoints ? undefined : "metadata.labels['kubernetes.io/service-name']",
      `Service ${svcKey} is not in the input; ${isEndpoints ? 'Endpoints' : 'slice'} unused`,
    );
    return;
  }
  const portsField = isEndpoints ? 'subsets[].ports' : 'ports';
  if (opts.absentFields?.zoneHints) {
    const i = slice.endpoints.findIndex((e) => e.zoneHints !== undefined);
    if (i >= 0) warn(src, `endpoints[${i}].hints.forZones`, `did not exist in kube-proxy ${opts.absentFields.release}; ignored${slice.endpoints.length > 1 ? ' (in every endpoint of this slice)' : ''}`);
  }
  if (opts.absentFields?.nodeHints) {
    const i = slice.endpoints.findIndex((e) => e.nodeHints !== undefined);
    if (i >= 0) warn(src, `endpoints[${i}].hints.forNodes`, `did not exist in kube-proxy ${opts.absentFields.release}; ignored${slice.endpoints.length > 1 ? ' (in every endpoint of this slice)' : ''}`);
  }

  slice.ports.forEach((p, pi) => {
    const field = `${portsField}[${pi}]`;
    if (p.port === undefined || p.port === 0) {
      warn(src, `${field}.port`, `${p.port === undefined ? 'missing' : '0'}; port skipped`);
      return;
    }
    const port = service.ports.get(portKey(p.name, p.protocol));
    if (!port) {
      // A skipped service (headless, other family, bad IP) was already reported.
      if (service.ports.size > 0) {
        warn(
          src,
          `${field}.name`,
          `${JSON.stringify(p.name)} (${p.protocol}) matches no port of Service ${svcKey}; port unused`,
        );
      }
      return;
    }
    const found = port.endpoints;
    // Field paths only for warnings: built when one is given, not for each of 100k endpoints.
    const endpointField = (ei: number): string => (isEndpoints ? 'subsets[].addresses' : `endpoints[${ei}].addresses`);
    slice.endpoints.forEach((e, ei) => {
      if (e.addresses.length === 0) {
        if (pi === 0) warn(src, endpointField(ei), 'no addresses; endpoint skipped');
        return;
      }
      const address = e.addresses[0]!;
      // Most addresses are already canonical IPv4 text: use it as is, without parsing to bytes.
      let ipText = slice.addressType === 'IPv4' && isCanonicalIPv4(address) ? address : undefined;
      if (ipText === undefined) {
        const ip = parseIP(address);
        if (!ip || familyName(ip.family) !== slice.addressType) {
          if (pi === 0) {
            warn(src, isEndpoints ? endpointField(ei) : `${endpointField(ei)}[0]`, `invalid ${slice.addressType} address ${JSON.stringify(address)}; endpoint skipped`);
          }
          return;
        }
        ipText = opts.endpointAddressesAsWritten ? address : formatIP(ip);
      }
      const endpoint = joinHostPort(ipText, p.port!);
      const ep: Endpoint = {
        ip: ipText,
        port: p.port!,
        endpoint,
        isLocal: opts.nodeName !== '' && e.nodeName !== undefined && e.nodeName === opts.nodeName,
        ready: e.ready ?? true,
        serving: e.serving ?? true,
        terminating: e.terminating ?? false,
      };
      if (e.zoneHints && e.zoneHints.length > 0) ep.zoneHints = new Set(e.zoneHints);
      if (opts.readNodeHints && e.nodeHints && e.nodeHints.length > 0) ep.nodeHints = new Set(e.nodeHints);
      // Copies of an endpoint (several slices, or twice in one) are resolved by sortedUnique.
      found.push(ep);
    });
  });
}
