/**
 * The parts of Kubernetes objects kube-proxy reads, decoded from YAML/JSON with the API
 * server's defaults applied (namespace `default`, type `ClusterIP`, protocol `TCP`,
 * `clusterIPs` from `clusterIP`, EndpointSlice port name `""`). Values the API server would
 * reject but kube-proxy would merely skip (a bad IP, a missing port) are kept as written so the
 * normaliser can skip them with a warning. Data only.
 */
import type { Protocol } from '../model/types.js';

/** Where an object came from, for messages. */
export interface ObjectSource {
  file: string;
  doc: number;
  item?: number;
  kind: 'Service' | 'EndpointSlice' | 'Endpoints' | 'Pod' | WorkloadKind;
  namespace: string;
  name: string;
  /** `metadata.labels` (kube-proxy's informers filter on two of them). */
  labels: Readonly<Record<string, string>>;
}

export interface ServicePortManifest {
  /** `""` when unnamed. */
  name: string;
  protocol: Protocol;
  /** undefined when missing. */
  port?: number;
  nodePort: number;
  /** `targetPort` as written (a number or a container port's name); undefined when absent (then `port`). */
  targetPort?: number | string;
}

export interface LoadBalancerIngressManifest {
  ip?: string;
  hostname?: string;
  /** `VIP` or `Proxy`; undefined means VIP. */
  ipMode?: string;
}

export interface ServiceManifest {
  source: ObjectSource;
  /** `ClusterIP` when absent. */
  type: string;
  /** `""` when absent. */
  clusterIP: string;
  /** Defaults to `[clusterIP]` when absent and clusterIP is set. */
  clusterIPs: string[];
  /** `IPv4`/`IPv6` entries, possibly empty. */
  ipFamilies: string[];
  /** `SingleStack`, `PreferDualStack` or `RequireDualStack`; undefined when absent. */
  ipFamilyPolicy?: string;
  ports: ServicePortManifest[];
  externalIPs: string[];
  loadBalancerSourceRanges: string[];
  ingress: LoadBalancerIngressManifest[];
  /** `None` when absent. */
  sessionAffinity: string;
  /** `sessionAffinityConfig.clientIP.timeoutSeconds`, 10800 when absent. */
  affinityTimeoutSeconds: number;
  /** `Cluster` when absent. */
  externalTrafficPolicy: string;
  /** `Cluster` when absent. */
  internalTrafficPolicy: string;
  healthCheckNodePort: number;
  /** The topology annotation kube-proxy reads (see ServicePort.hintsAnnotation); undefined when absent. */
  hintsAnnotation?: string;
  /** hintsAnnotation is `service.kubernetes.io/topology-mode`'s (only read from 1.27). */
  hintsFromTopologyMode?: true;
  /** `spec.topologyKeys` (alpha ServiceTopology, 1.17–1.21); undefined when absent or empty. */
  topologyKeys?: string[];
  /** undefined when absent (the API server then allocates a LoadBalancer's node ports). */
  allocateLoadBalancerNodePorts?: boolean;
  /**
   * `spec.selector`; undefined when absent or empty (the API server stores an empty selector
   * as none, and the EndpointSlice controller leaves a Service without one alone).
   */
  selector?: Readonly<Record<string, string>>;
  /** `spec.publishNotReadyAddresses`, false when absent. */
  publishNotReadyAddresses: boolean;
}

export interface EndpointPortManifest {
  name: string;
  protocol: Protocol;
  /** undefined when missing (kube-proxy ignores such a port). */
  port?: number;
}

export interface EndpointManifest {
  addresses: string[];
  /** Conditions as written; undefined = unset (which kube-proxy reads as ready/serving). */
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  nodeName?: string;
  /** undefined when the endpoint has no hints. */
  zoneHints?: string[];
  nodeHints?: string[];
}

export interface EndpointSliceManifest {
  source: ObjectSource;
  /** The `kubernetes.io/service-name` label, `""` when missing. */
  serviceName: string;
  addressType: string;
  ports: EndpointPortManifest[];
  endpoints: EndpointManifest[];
}

export interface EndpointAddressManifest {
  ip: string;
  nodeName?: string;
}

export interface EndpointSubsetManifest {
  addresses: EndpointAddressManifest[];
  notReadyAddresses: EndpointAddressManifest[];
  ports: EndpointPortManifest[];
}

/** v1 Endpoints, used only for a Service that has no EndpointSlice (as mirroring would). */
export interface EndpointsManifest {
  source: ObjectSource;
  /** `endpointslice.kubernetes.io/skip-mirror: "true"` */
  skipMirror: boolean;
  subsets: EndpointSubsetManifest[];
}

/** A port a container declares (`spec.containers[].ports[]`), which a named targetPort refers to. */
export interface ContainerPortManifest {
  /** `""` when unnamed. */
  name: string;
  protocol: Protocol;
  containerPort: number;
}

/** A Pod, as far as the EndpointSlice controller reads it. */
export interface PodManifest {
  source: ObjectSource;
  /** `spec.nodeName`, `""` when unscheduled. */
  nodeName: string;
  /** `status.podIPs[].ip`, else `[status.podIP]`, else empty. */
  podIPs: string[];
  /** The Ready condition is `True`. */
  ready: boolean;
  /** `metadata.deletionTimestamp` is set. */
  terminating: boolean;
  /** `status.phase`, `""` when absent. */
  phase: string;
  /** Ports of the containers and of the sidecars (init containers with restartPolicy Always), in spec order. */
  containerPorts: ContainerPortManifest[];
}

export type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'ReplicationController';

/** A workload: what its pod template would make. */
export interface WorkloadManifest {
  source: ObjectSource & { kind: WorkloadKind };
  /** `spec.replicas`, 1 when absent (unused for a DaemonSet). */
  replicas: number;
  /** A StatefulSet's `spec.ordinals.start`, 0 when absent: its first pod's number. */
  firstOrdinal: number;
  /** `spec.template.metadata.labels`. */
  podLabels: Readonly<Record<string, string>>;
  /** The template's container ports, as PodManifest.containerPorts. */
  containerPorts: ContainerPortManifest[];
}

export interface Manifests {
  services: ServiceManifest[];
  slices: EndpointSliceManifest[];
  endpoints: EndpointsManifest[];
  /** Read only to make EndpointSlices for Services that have none (complete/endpoints.ts). */
  pods: PodManifest[];
  workloads: WorkloadManifest[];
}
