/**
 * Which endpoints a service port uses on this node: kube-proxy's CategorizeEndpoints
 * (pkg/proxy/topology.go), including topology hints and the fallback to serving-terminating
 * endpoints.
 */
import type { Endpoint, ProxierConfig, ServicePort } from '../model/types.js';

export interface CategorizedEndpoints {
  /** Endpoints for "Cluster" traffic policy (the KUBE-SVC chain). */
  clusterEndpoints: Endpoint[];
  /** This node's endpoints for "Local" traffic policy (the KUBE-SVL chain). */
  localEndpoints: Endpoint[];
  /** Every endpoint that gets a KUBE-SEP chain. */
  allReachableEndpoints: Endpoint[];
  /** The service has usable endpoints somewhere in the cluster. */
  hasAnyEndpoints: boolean;
}

/** serviceport.go: ExternallyAccessible (per port, unlike the API helper of the same name). */
export function externallyAccessible(sp: ServicePort): boolean {
  return sp.nodePort !== 0 || sp.loadBalancerVIPs.length > 0 || sp.externalIPs.length > 0;
}

export function usesClusterEndpoints(sp: ServicePort): boolean {
  return !sp.internalPolicyLocal || externallyAccessible(sp);
}

export function usesLocalEndpoints(sp: ServicePort): boolean {
  return sp.internalPolicyLocal || (sp.externalPolicyLocal && externallyAccessible(sp));
}

type TopologyMode = '' | 'PreferSameNode' | 'PreferSameZone';

/**
 * Releases before ServiceTrafficDistribution use hints only for a Service whose topology
 * annotation asks for them, and none with TopologyAwareHints off (canUseTopology,
 * pkg/proxy/topology.go): from 1.27 any value but empty or `disabled`/`Disabled`, before
 * only `Auto`/`auto`.
 */
function hintsWanted(sp: ServicePort, cfg: ProxierConfig): boolean {
  if (cfg.features.topologyHints !== 'with-annotation') return cfg.features.topologyHints === 'always';
  const a = sp.hintsAnnotation ?? '';
  if (!cfg.features.topologyModeAnnotation) return a === 'Auto' || a === 'auto';
  return a !== '' && a !== 'disabled' && a !== 'Disabled';
}

/**
 * PreferSameNode if the gate is on, every ready endpoint has node hints and one is for this
 * node; else PreferSameZone if every ready endpoint has zone hints and one is for this node's
 * zone; else none. (With no ready endpoint, nothing is "for this node", so: none.)
 */
function topologyModeFromHints(endpoints: readonly Endpoint[], cfg: ProxierConfig): TopologyMode {
  let allNodeHinted = true;
  let anyForThisNode = false;
  let allZoneHinted = true;
  let anyForThisZone = false;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    if (!ep.nodeHints || ep.nodeHints.size === 0) allNodeHinted = false;
    else if (ep.nodeHints.has(cfg.nodeName)) anyForThisNode = true;
    if (!ep.zoneHints || ep.zoneHints.size === 0) allZoneHinted = false;
    else if (ep.zoneHints.has(cfg.nodeZone)) anyForThisZone = true;
  }
  if (cfg.preferSameTrafficDistribution && allNodeHinted && anyForThisNode) return 'PreferSameNode';
  if (allZoneHinted && anyForThisZone) return 'PreferSameZone';
  return '';
}

function availableForTopology(ep: Endpoint, mode: TopologyMode, cfg: ProxierConfig): boolean {
  switch (mode) {
    case 'PreferSameNode':
      return ep.nodeHints?.has(cfg.nodeName) ?? false;
    case 'PreferSameZone':
      return ep.zoneHints?.has(cfg.nodeZone) ?? false;
    default:
      return true;
  }
}

export function categorizeEndpoints(
  endpoints: readonly Endpoint[],
  sp: ServicePort,
  cfg: ProxierConfig,
): CategorizedEndpoints {
  const result: CategorizedEndpoints = {
    clusterEndpoints: [],
    localEndpoints: [],
    allReachableEndpoints: [],
    hasAnyEndpoints: false,
  };
  if (endpoints.length === 0) return result;

  let mode: TopologyMode = '';
  if (usesClusterEndpoints(sp)) {
    mode = hintsWanted(sp, cfg) ? topologyModeFromHints(endpoints, cfg) : '';
    result.clusterEndpoints = endpoints.filter((ep) => ep.ready && availableForTopology(ep, mode, cfg));
    // No ready endpoints: fall back to serving-terminating ones (any node, no topology);
    // before 1.28 only with the ProxyTerminatingEndpoints gate.
    if (result.clusterEndpoints.length === 0 && cfg.features.proxyTerminatingEndpoints) {
      result.clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    }
    result.hasAnyEndpoints = result.clusterEndpoints.length > 0;
  }

  if (!usesLocalEndpoints(sp)) {
    result.allReachableEndpoints = result.clusterEndpoints;
    return result;
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  // Serving-terminating endpoints count only with the gate (always from 1.28).
  const useTerminating = cfg.features.proxyTerminatingEndpoints;
  for (const ep of endpoints) {
    if (ep.ready) result.hasAnyEndpoints = true;
    else if (useTerminating && ep.serving && ep.terminating) result.hasAnyEndpoints = true;
    if (ep.isLocal) {
      if (ep.ready) hasLocalReady = true;
      else if (useTerminating && ep.serving && ep.terminating) hasLocalServingTerminating = true;
    }
  }
  let useServingTerminating = false;
  if (hasLocalReady) {
    result.localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  } else if (hasLocalServingTerminating) {
    useServingTerminating = true;
    result.localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  }

  if (!usesClusterEndpoints(sp)) {
    result.allReachableEndpoints = result.localEndpoints;
    return result;
  }
  if (mode === '' && !useServingTerminating) {
    // Local endpoints are a subset of the cluster endpoints.
    result.allReachableEndpoints = result.clusterEndpoints;
    return result;
  }
  const union = new Map<string, Endpoint>();
  for (const ep of result.clusterEndpoints) union.set(ep.endpoint, ep);
  for (const ep of result.localEndpoints) union.set(ep.endpoint, ep);
  result.allReachableEndpoints = [...union.values()];
  return result;
}

/**
 * filterEndpointsWithHints of 1.21 … 1.23 (pkg/proxy/topology.go), the last step of
 * FilterEndpoints when the TopologyAwareHints gate is on (off by default before 1.24): for a
 * Service whose topology-aware-hints annotation asks for hints ("auto"; also "Auto" from
 * 1.21.1), on a node with a zone, the endpoints hinted for this zone. Every endpoint counts,
 * ready or not: one without zone hints, or none for this zone, means no filtering.
 */
export function filterEndpointsWithHintsBefore124(endpoints: readonly Endpoint[], sp: ServicePort, cfg: ProxierConfig): readonly Endpoint[] {
  if (cfg.features.topologyHints === 'never') return endpoints;
  const a = sp.hintsAnnotation ?? '';
  if (a !== 'auto' && !(a === 'Auto' && cfg.features.topologyHintsAutoValue)) return endpoints;
  if (cfg.nodeZone === '') return endpoints;
  const filtered: Endpoint[] = [];
  for (const ep of endpoints) {
    if (!ep.zoneHints || ep.zoneHints.size === 0) return endpoints;
    if (ep.zoneHints.has(cfg.nodeZone)) filtered.push(ep);
  }
  return filtered.length > 0 ? filtered : endpoints;
}
