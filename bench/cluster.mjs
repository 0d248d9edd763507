/**
 * A synthetic cluster for the benchmark (and its smoke test): `services` Services, each with
 * one EndpointSlice of 10 endpoints, in a mix that exercises every kind of rule kube-proxy
 * writes: ClusterIP, NodePort and LoadBalancer Services, external IPs,
 * loadBalancerSourceRanges, ClientIP affinity, Local external and internal traffic policies,
 * not-ready and terminating endpoints, endpoints on this node.
 *
 * The objects look like what `kubectl get svc,endpointslices -A -o yaml` prints (uid,
 * resourceVersion, timestamps, labels, owner references, conditions, zones; no targetRefs),
 * so that the input size per Service, and so the parsing cost, is realistic: about 2.5 kB of
 * YAML or JSON per Service with its slice (25 MB for 10k Services).
 *
 * Deterministic: the same size gives the same objects (a fixed-seed PRNG for uids and
 * names, the feature mix by index, no clock).
 */

/** The node kp-gen is run for in the benchmark: endpoints on it are local. */
const BENCH_NODE = 'node-1';
/** The pod CIDR every endpoint address comes from. */
const BENCH_CLUSTER_CIDR = '10.128.0.0/9';
/** kp-gen's flags for a generated cluster. */
export const BENCH_FLAGS = ['--cluster-cidr', BENCH_CLUSTER_CIDR, '--hostname-override', BENCH_NODE, '--node-ip', '192.168.0.10'];

const NODES = 100;
const ENDPOINTS_PER_SERVICE = 10;
const NAMESPACES = 100;

/** mulberry32: a small, fast, seeded PRNG; returns [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(rand, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += ((rand() * 16) | 0).toString(16);
  return s;
}

function uid(rand) {
  return `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`;
}

/** The k-th address of a /9 or /12 starting at base (first octet 10). */
function addr(secondOctetBase, k) {
  return `10.${secondOctetBase + (k >>> 16)}.${(k >>> 8) & 255}.${k & 255}`;
}

/**
 * @param {number} services
 * @returns {object[]} Services and EndpointSlices, in that interleaved order (svc, slice, ...)
 */
export function generateCluster(services) {
  const rand = prng(1);
  const created = '2026-01-15T10:00:00Z';
  const objects = [];
  let pod = 0;
  let nodePort = 0;
  for (let i = 0; i < services; i++) {
    const namespace = `team-${String(i % NAMESPACES).padStart(3, '0')}`;
    const name = `app-${String(i).padStart(5, '0')}`;
    // The mix repeats every 40 Services, so that any 40 in a row have every feature.
    const k = i % 40;
    const type = k < 24 ? 'ClusterIP' : k < 34 ? 'NodePort' : 'LoadBalancer'; // 60% / 25% / 15%
    const external = type !== 'ClusterIP';
    const udp = i % 20 === 3;
    const protocol = udp ? 'UDP' : 'TCP';
    const portName = udp ? 'dns' : 'http';
    const clusterIP = addr(96, i + 10);
    const spec = {
      clusterIP,
      clusterIPs: [clusterIP],
      // 5%: one Service with a local endpoint (i % 10 === 0, see nodeName below), one without.
      internalTrafficPolicy: k === 0 || k === 15 ? 'Local' : 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: portName, port: udp ? 53 : 80, protocol, targetPort: udp ? 5353 : 8080 }],
      selector: { app: name },
      sessionAffinity: 'None',
      type,
    };
    if (i % 10 === 7) {
      spec.sessionAffinity = 'ClientIP';
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: i % 20 === 7 ? 10800 : 600 } };
    }
    if (external) {
      spec.ports[0].nodePort = 30000 + (nodePort++ % 2768);
      spec.externalTrafficPolicy = k % 3 === 0 ? 'Local' : 'Cluster';
      if (type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local') {
        spec.healthCheckNodePort = 30000 + (nodePort++ % 2768);
      }
      spec.allocateLoadBalancerNodePorts = true;
    } else if (k === 10) {
      spec.externalIPs = [`192.0.2.${(i % 250) + 1}`];
    }
    const status = { loadBalancer: {} };
    if (type === 'LoadBalancer') {
      status.loadBalancer.ingress = [{ ip: `203.0.${(i >>> 8) & 255}.${i & 255}`, ipMode: 'VIP' }];
      if (k === 35 || k === 38) spec.loadBalancerSourceRanges = ['198.51.100.0/24', '192.168.0.0/16'];
    }
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        creationTimestamp: created,
        labels: { app: name, 'app.kubernetes.io/part-of': namespace },
        name,
        namespace,
        resourceVersion: String(100000 + i),
        uid: uid(rand),
      },
      spec,
      status,
    });

    const endpoints = [];
    for (let e = 0; e < ENDPOINTS_PER_SERVICE; e++, pod++) {
      // About 1.4% not ready, 1% terminating but still serving.
      const conditions =
        e === 9 && i % 7 === 0
          ? { ready: false, serving: false, terminating: false }
          : e === 8 && i % 10 === 4
            ? { ready: false, serving: true, terminating: true }
            : { ready: true, serving: true, terminating: false };
      endpoints.push({
        addresses: [addr(128, pod)],
        conditions,
        // 1% of the pods run on the benchmark's node (BENCH_NODE): one in every tenth Service.
        nodeName: `node-${pod % NODES}`,
        zone: `zone-${pod % 3}`,
      });
    }
    objects.push({
      addressType: 'IPv4',
      apiVersion: 'discovery.k8s.io/v1',
      endpoints,
      kind: 'EndpointSlice',
      metadata: {
        creationTimestamp: created,
        generateName: `${name}-`,
        generation: 1,
        labels: {
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          'kubernetes.io/service-name': name,
        },
        name: `${name}-${hex(rand, 5)}`,
        namespace,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: objects.at(-1).metadata.uid }],
        resourceVersion: String(200000 + i),
        uid: uid(rand),
      },
      ports: [{ name: portName, port: udp ? 5353 : 8080, protocol }],
    });
  }
  return objects;
}

/** `kubectl get … -o json`: one `kind: List`. */
export function toJSONList(objects) {
  return `${JSON.stringify({ apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } }, null, 0)}\n`;
}

/**
 * Multi-document YAML, one object per document, in block style as kubectl prints it.
 * @param {(o: object) => string} dump a YAML serializer for one document (js-yaml's dump)
 */
export function toMultiDocYAML(objects, dump) {
  return objects.map((o) => dump(o, { lineWidth: -1, noRefs: true, noArrayIndent: true })).join('---\n');
}

/** The nodes source manifests' pods are spread over (kp-gen's --nodes): 500, as a 10k-Service cluster might have. */
const SOURCE_NODES = 500;
/** kp-gen's flags for generated source manifests: the pods' nodes, this node among them. */
export const SOURCE_FLAGS = [
  ...BENCH_FLAGS,
  '--nodes',
  Array.from({ length: SOURCE_NODES }, (_, i) => `node-${i + 1}`).join(','),
];

/**
 * Source manifests as an application repository keeps them (what `helm template` prints):
 * `services` Services without cluster IPs, node ports or EndpointSlices, each with the
 * workload behind it — a Deployment of 3 replicas, every tenth a StatefulSet of 2 — whose
 * containers name the ports the Services' targetPorts refer to. kp-gen completes them
 * (src/complete): 10k Services give 10k cluster IPs, about 1000 node ports and 29k pods.
 * Deterministic, as generateCluster.
 *
 * @param {number} services
 * @returns {object[]} each Service followed by its workload
 */
export function generateSourceManifests(services) {
  const objects = [];
  for (let i = 0; i < services; i++) {
    const namespace = `team-${String(i % NAMESPACES).padStart(3, '0')}`;
    const name = `app-${String(i).padStart(5, '0')}`;
    const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': namespace };
    const k = i % 40;
    const type = k < 36 ? 'ClusterIP' : k < 38 ? 'NodePort' : 'LoadBalancer'; // 90% / 5% / 5%
    const withMetrics = i % 4 === 0;
    const ports = [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }];
    if (withMetrics) ports.push({ name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 'metrics' });
    const spec = { type, selector: labels, ports };
    if (type === 'LoadBalancer' && i % 80 === 39) spec.externalTrafficPolicy = 'Local';
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels: { ...labels, 'helm.sh/chart': `${name}-1.0.0` } },
      spec,
    });
    const statefulSet = i % 10 === 5;
    const containerPorts = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
    if (withMetrics) containerPorts.push({ name: 'metrics', containerPort: 9102, protocol: 'TCP' });
    const workloadSpec = {
      replicas: statefulSet ? 2 : 3,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: `registry.example.com/${namespace}/${name}:1.0.0`,
              ports: containerPorts,
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
            },
          ],
        },
      },
    };
    if (statefulSet) workloadSpec.serviceName = name;
    objects.push({
      apiVersion: 'apps/v1',
      kind: statefulSet ? 'StatefulSet' : 'Deployment',
      metadata: { name, namespace, labels },
      spec: workloadSpec,
    });
  }
  return objects;
}
