/**
 * Makes a LabPlan's namespaces, links, addresses and routes real with `ip`, and removes them.
 * See plan.ts for the shape. Sysctls are written through /proc/sys inside each namespace
 * (`ip netns exec NS sh -c …`), so procps is not needed.
 */
import { UserError } from '../errors.js';
import { LINK_PREFIX, POD_GATEWAY, type LabPlan } from './plan.js';
import { listNamespaces, run, runIn, tryRun } from './shell.js';

/**
 * Kernel settings of the node namespace, as a node running kube-proxy has them:
 * forwarding on; route_localnet so NodePorts answer on 127.0.0.1 (kube-proxy sets it itself);
 * no reverse-path filter (masqueraded hairpin traffic leaves by the interface it came in on);
 * no ICMP rate limit, so every rejected probe gets its "connection refused" at once; no
 * redirects for hairpin traffic.
 */
const NODE_SYSCTLS: Record<string, string> = {
  'net/ipv4/conf/all/rp_filter': '0',
  'net/ipv4/conf/default/rp_filter': '0',
  'net/ipv4/ip_forward': '1',
  'net/ipv4/conf/all/route_localnet': '1',
  'net/ipv4/icmp_ratelimit': '0',
  'net/ipv4/conf/all/send_redirects': '0',
  'net/ipv4/conf/default/send_redirects': '0',
};

/** Pods and the client answer closed UDP ports with ICMP; unlimited, for the same reason. */
const LEAF_SYSCTLS: Record<string, string> = {
  'net/ipv4/icmp_ratelimit': '0',
};

function setSysctls(ns: string, values: Record<string, string>): void {
  const script = Object.keys(values)
    .map((_k, i) => `echo "\${${2 * i + 2}}" > "/proc/sys/\${${2 * i + 1}}"`)
    .join(' && ');
  runIn(ns, 'sh', ['-c', script, 'sh', ...Object.entries(values).flat()]);
}

/** The node's stand-in for its way to the rest of the network. */
const UPLINK = 'uplink';

/** `ip -n NS args…` */
function ipn(ns: string, ...args: string[]): void {
  run('ip', ['-n', ns, ...args]);
}

/** Every namespace of the plan, node first. */
export function planNamespaces(plan: LabPlan): string[] {
  return [plan.nodeNs, plan.clientNs, ...plan.pods.map((p) => p.ns)];
}

/** Throw if any namespace of the plan exists already (checked before anything is made). */
export function checkNamespacesFree(plan: LabPlan): void {
  const taken = new Set(listNamespaces());
  const clash = planNamespaces(plan).filter((n) => taken.has(n));
  if (clash.length > 0) {
    throw new UserError(`network namespace ${clash[0]} already exists`, `is lab ${JSON.stringify(plan.name)} up already? kp-gen lab down --name ${plan.name}`);
  }
}

/**
 * Create the node, the client and every pod namespace with their links, calling `created` as
 * each namespace appears (the caller records it). Throws on the first failure; the caller
 * removes what it recorded, so nothing is left half-built.
 */
export function buildTopology(plan: LabPlan, created: (ns: string) => void): void {
  const add = (ns: string): void => {
    run('ip', ['netns', 'add', ns]);
    created(ns);
  };
  add(plan.nodeNs);
  setSysctls(plan.nodeNs, NODE_SYSCTLS);
  ipn(plan.nodeNs, 'link', 'set', 'lo', 'up');
  // A real node has a default route. Without one, a packet to a cluster or load-balancer IP
  // that no rule DNATs fails the routing lookup (ICMP net unreachable) before the filter table
  // can REJECT or DROP it as kube-proxy intends. The lab's default route leads nowhere: a veth
  // whose peer stays down (and without ARP), so whatever is forwarded there is discarded.
  // (Not a dummy device: some kernels are built without it.)
  ipn(plan.nodeNs, 'link', 'add', UPLINK, 'type', 'veth', 'peer', 'name', `${UPLINK}-end`);
  ipn(plan.nodeNs, 'link', 'set', UPLINK, 'arp', 'off', 'up');
  ipn(plan.nodeNs, 'route', 'add', 'default', 'dev', UPLINK);

  add(plan.clientNs);
  setSysctls(plan.clientNs, LEAF_SYSCTLS);
  ipn(plan.clientNs, 'link', 'set', 'lo', 'up');
  ipn(plan.nodeNs, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', plan.clientNs);
  ipn(plan.nodeNs, 'addr', 'add', `${plan.nodeIP}/${LINK_PREFIX}`, 'dev', 'eth0');
  ipn(plan.nodeNs, 'link', 'set', 'eth0', 'up');
  for (const ip of plan.clientIPs) ipn(plan.clientNs, 'addr', 'add', `${ip}/${LINK_PREFIX}`, 'dev', 'eth0');
  ipn(plan.clientNs, 'link', 'set', 'eth0', 'up');
  ipn(plan.clientNs, 'route', 'add', 'default', 'via', plan.nodeIP, 'dev', 'eth0');

  for (const pod of plan.pods) {
    add(pod.ns);
    setSysctls(pod.ns, LEAF_SYSCTLS);
    ipn(pod.ns, 'link', 'set', 'lo', 'up');
    ipn(plan.nodeNs, 'link', 'add', pod.hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.ns);
    ipn(pod.ns, 'addr', 'add', `${pod.ip}/32`, 'dev', 'eth0');
    ipn(pod.ns, 'link', 'set', 'eth0', 'up');
    ipn(pod.ns, 'route', 'add', POD_GATEWAY, 'dev', 'eth0', 'scope', 'link');
    ipn(pod.ns, 'route', 'add', 'default', 'via', POD_GATEWAY, 'dev', 'eth0');
    // Link scope: masquerading to a pod then picks the node IP, not the gateway address.
    ipn(plan.nodeNs, 'addr', 'add', `${POD_GATEWAY}/32`, 'dev', pod.hostIf, 'scope', 'link');
    ipn(plan.nodeNs, 'link', 'set', pod.hostIf, 'up');
    ipn(plan.nodeNs, 'route', 'add', `${pod.ip}/32`, 'dev', pod.hostIf, 'src', plan.nodeIP);
  }
}

/**
 * Delete these namespaces (those that exist). Deleting a namespace removes its veth ends, and
 * with them the peers in the other namespaces. Returns the names it could not delete.
 */
export function removeNamespaces(names: readonly string[]): string[] {
  const present = new Set(listNamespaces());
  const failed: string[] = [];
  for (const ns of names) {
    if (!present.has(ns)) continue;
    if (tryRun('ip', ['netns', 'del', ns]).status !== 0) failed.push(ns);
  }
  return failed;
}
