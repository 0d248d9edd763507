/**
 * The Pods the workloads of the input would create, running and ready, for Services whose
 * selector matches no Pod of the input (endpoints.ts).
 *
 * - How many: `spec.replicas` (1 when absent); a DaemonSet one on every node.
 * - Names: a StatefulSet's `name-0 … name-(n-1)` as the StatefulSet controller names them
 *   (from `spec.ordinals.start` when given); the
 *   others' (whose real names end in random characters) `name-0 …` the same way, a
 *   DaemonSet's `name-NODE`.
 * - Nodes: the nodes of --nodes (default: --hostname-override, else `node-1`), in the order
 *   given; pod i of a workload runs on node (s + i) mod (number of nodes), where s, its start,
 *   is a hash of `Kind/namespace/name` mod the number of nodes: consecutive pods on consecutive
 *   nodes, workloads spread over all of them (not all starting on the first, which would fill
 *   it), and where a pod runs does not depend on the other workloads.
 * - Addresses: node k owns the k-th block of each --cluster-cidr (a /24 for IPv4, a /64 for
 *   IPv6: the node IPAM controller's default node mask sizes); without --cluster-cidr,
 *   10.244.0.0/16. In its block, a pod gets the address a hash of `Kind/namespace/pod` points
 *   at (allocator.ts, as for cluster IPs), never the block's network address, its first
 *   address (the bridge's gateway by convention) or the IPv4 broadcast address, nor an address
 *   a Pod of the input holds. So an address depends on the pod, not on the rest of the input,
 *   unless two collide.
 */
import { UserError } from '../errors.js';
import type { Manifests, PodManifest, WorkloadManifest } from '../load/manifests.js';
import { parseCIDR, parseIP, type CIDR, type IP } from '../model/ip.js';
import { byteCompare } from '../util.js';
import { allocate, keyHash } from './allocator.js';
import { addressAt, addressIndex, ipToBigInt, type ServiceIPRange } from './ranges.js';

/** The flags the made-up Pods depend on. */
export interface PodOptions {
  /** --cluster-cidr, as given (checked); empty: DEFAULT_POD_CIDR. */
  clusterCIDRs: readonly string[];
  /** --nodes; empty: the node of --hostname-override, else DEFAULT_NODE. */
  nodes: readonly string[];
  hostnameOverride?: string;
}

/** Flannel's and kubeadm's documentation's pod network, used when no --cluster-cidr is given. */
export const DEFAULT_POD_CIDR = '10.244.0.0/16';
export const DEFAULT_NODE = 'node-1';
/** kube-controller-manager's --node-cidr-mask-size-ipv4 / -ipv6 defaults. */
const NODE_MASK = { 4: 24, 6: 64 } as const;

/** The nodes pods are spread over, in order: names as kube-proxy compares them (lower case). */
export function nodesOf(opts: PodOptions): string[] {
  const given = opts.nodes.map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  if (given.length > 0) return [...new Set(given)];
  const host = (opts.hostnameOverride ?? '').trim().toLowerCase();
  return [host !== '' ? host : DEFAULT_NODE];
}

/** The addresses node `k` gives its pods, from one cluster CIDR. */
function nodeBlock(cidr: CIDR, text: string, k: number, node: string): ServiceIPRange {
  const family = cidr.ip.family;
  const bits = family === 4 ? 32 : 128;
  const mask = NODE_MASK[family];
  const blocks = mask >= cidr.prefix ? 1n << BigInt(mask - cidr.prefix) : 0n;
  if (BigInt(k) >= blocks) {
    throw new UserError(
      `--cluster-cidr ${text} has no /${mask} left for node ${node} (${blocks} ${blocks === 1n ? 'block' : 'blocks'} of /${mask}, ${k + 1} nodes)`,
      `give a larger --cluster-cidr, or fewer --nodes`,
    );
  }
  const hostBits = BigInt(bits - mask);
  const network = (ipToBigInt(cidr.ip) >> BigInt(bits - cidr.prefix)) << BigInt(bits - cidr.prefix);
  const start = network + (BigInt(k) << hostBits);
  return {
    family,
    first: start + 2n,
    size: (1n << hostBits) - (family === 4 ? 3n : 2n),
    lowerBand: 0n,
    text: `${text} block ${k} (node ${node})`,
  };
}

interface Made {
  workload: WorkloadManifest;
  name: string;
  node: string;
  key: string;
  podIPs: string[];
}

/** Every workload's pods, by workload. Pure; throws a UserError when a node's block is full. */
export function workloadPods(m: Manifests, opts: PodOptions): Map<WorkloadManifest, PodManifest[]> {
  const nodes = nodesOf(opts);
  const cidrTexts = opts.clusterCIDRs.length > 0 ? opts.clusterCIDRs : [DEFAULT_POD_CIDR];
  const made: Made[] = [];
  for (const w of m.workloads) {
    const { kind, namespace, name } = w.source;
    const add = (podName: string, node: string): void => {
      made.push({ workload: w, name: podName, node, key: `${kind}/${namespace}/${podName}`, podIPs: [] });
    };
    if (kind === 'DaemonSet') {
      for (const node of nodes) add(`${name}-${node}`, node);
    } else {
      const start = Number(keyHash(`${kind}/${namespace}/${name}`) % BigInt(nodes.length));
      for (let i = 0; i < w.replicas; i++) add(`${name}-${w.firstOrdinal + i}`, nodes[(start + i) % nodes.length]!);
    }
  }
  // The fixed order in which collisions are settled.
  made.sort((a, b) => byteCompare(a.key, b.key));

  // Each node's pods, in that order; the addresses the input's Pods hold, parsed once.
  const byNode = new Map<string, Made[]>();
  for (const p of made) {
    const list = byNode.get(p.node);
    if (list) list.push(p);
    else byNode.set(p.node, [p]);
  }
  const held = m.pods.flatMap((pod) => pod.podIPs.map(parseIP)).filter((ip): ip is IP => ip !== null);
  for (const text of cidrTexts) {
    const cidr = parseCIDR(text.trim())!;
    nodes.forEach((node, k) => {
      const onNode = byNode.get(node);
      if (!onNode) return;
      const block = nodeBlock(cidr, text.trim(), k, node);
      const taken = new Set<bigint>();
      for (const ip of held) {
        const i = addressIndex(block, ip);
        if (i !== undefined) taken.add(i);
      }
      const result = allocate(block, taken, onNode);
      if (!result.ok) {
        throw new UserError(`no address left for pod ${onNode[result.claim]!.key} in --cluster-cidr ${block.text}`, 'give fewer replicas or more --nodes');
      }
      onNode.forEach((p, n) => p.podIPs.push(addressAt(block, result.indices[n]!)));
    });
  }

  const out = new Map<WorkloadManifest, PodManifest[]>();
  for (const p of made) {
    const w = p.workload;
    const pod: PodManifest = {
      source: { file: w.source.file, doc: w.source.doc, kind: 'Pod', namespace: w.source.namespace, name: p.name, labels: w.podLabels },
      nodeName: p.node,
      podIPs: p.podIPs,
      ready: true,
      terminating: false,
      phase: 'Running',
      containerPorts: w.containerPorts,
    };
    let list = out.get(w);
    if (!list) out.set(w, (list = []));
    list.push(pod);
  }
  return out;
}
