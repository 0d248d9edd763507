/**
 * The lab's topology, worked out before anything is created: which network namespaces, which
 * addresses, which servers, and how each Service can be reached. Pure: `planLab` only reads the
 * service ports kp-gen derived from the manifests; lab/netns.ts makes the plan real.
 *
 * The shape is a routed node, as many CNI plugins build it (Calico, Cilium's routed mode):
 *
 *   client ns ── eth0 ═══ eth0 ── node ns ── kpg-p1 ═══ eth0 ── pod ns (one per endpoint IP)
 *   CLIENT/24          NODE/24    (kp-gen's  kpg-p2 ═══ eth0 ── pod ns
 *                                  rules)    …
 *
 * Each pod has its IP as a /32 and a default route through 169.254.1.1, a link-local address
 * every node-side veth carries; the node has one /32 route per pod. No bridge, so no
 * br_netfilter: every packet between two namespaces crosses the node's netfilter hooks. Every
 * endpoint hangs off this one node, so endpoints that the manifests place on other nodes are
 * reachable too, as if those nodes were one hop away; "local" still means `nodeName` equals
 * `--hostname-override`, which is what the rules look at.
 */
import { UserError } from '../errors.js';
import { formatIP, parseIP, type IP } from '../model/ip.js';
import type { Protocol, ServicePortWithEndpoints } from '../model/types.js';

/** Lab names become part of namespace names (`kpg-<name>-node`). */
export const LAB_NAME_PATTERN = /^[a-z0-9]{1,12}$/;
export const NS_PREFIX = 'kpg-';
/** The gateway every pod routes through; carried by each node-side veth (scope link). */
export const POD_GATEWAY = '169.254.1.1';
export const DEFAULT_NODE_IP = '192.0.2.1';
/** The node–client link is this long a prefix. */
export const LINK_PREFIX = 24;

export interface Listener {
  protocol: Protocol;
  port: number;
}

/** One pod namespace: one endpoint IP with a server on every port any service sends it to. */
export interface LabPod {
  ns: string;
  ip: string;
  /** The veth end inside the node namespace (the pod's end is `eth0`). */
  hostIf: string;
  /** TCP and UDP ports, sorted; SCTP ports are listed in `unservedSCTP` instead. */
  listeners: Listener[];
  /** SCTP ports: the rules are loaded, but no server answers (no SCTP sockets here). */
  unservedSCTP: number[];
  /** `namespace/name:port` of the service ports this pod backs, sorted. */
  backs: string[];
}

/** One way to reach a service port: what to connect to, and from where. */
export interface Access {
  /** kube-proxy's name of the service port, `ns/svc:port`. */
  servicePort: string;
  protocol: Protocol;
  kind: 'cluster IP' | 'node port' | 'node port (localhost)' | 'external IP' | 'load-balancer IP';
  ip: string;
  port: number;
  /** `client` or `node`: the namespace role to connect from. */
  from: 'client' | 'node';
  /** Usable endpoints exist (else the rules reject or drop). */
  hasEndpoints: boolean;
}

export interface LabPlan {
  name: string;
  nodeNs: string;
  clientNs: string;
  nodeIP: string;
  /** The client's addresses on the node link; the first is its default source. */
  clientIPs: string[];
  pods: LabPod[];
  access: Access[];
}

export interface LabPlanOptions {
  name: string;
  nodeIP: string;
  /** Default: the first address of the node's /24 that is not the node's. */
  clientIPs?: string[];
  /** Accept NodePorts on 127.0.0.1 (the rules do unless --no-localhost-nodeports). */
  localhostNodePorts: boolean;
}

export function namespaceNames(name: string): { node: string; client: string; pod: (i: number) => string } {
  return {
    node: `${NS_PREFIX}${name}-node`,
    client: `${NS_PREFIX}${name}-client`,
    pod: (i) => `${NS_PREFIX}${name}-p${i}`,
  };
}

function ipv4(text: string, what: string): IP {
  const ip = parseIP(text);
  if (!ip || ip.family !== 4) throw new UserError(`${what}: ${JSON.stringify(text)} is not an IPv4 address`, 'the lab is IPv4 only');
  return ip;
}

function sameLink(a: IP, b: IP): boolean {
  return a.bytes[0] === b.bytes[0] && a.bytes[1] === b.bytes[1] && a.bytes[2] === b.bytes[2];
}

function ipNumber(ip: string): number {
  const b = parseIP(ip)!.bytes;
  return ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
}

function defaultClientIP(node: IP): string {
  const host = node.bytes[3] === 2 ? 3 : 2;
  return formatIP({ family: 4, bytes: Uint8Array.of(node.bytes[0]!, node.bytes[1]!, node.bytes[2]!, host) });
}

/** A usable host address: not 0/8, loopback, link-local, multicast or broadcast. */
function isHostAddress(ip: IP): boolean {
  const [a, b] = [ip.bytes[0]!, ip.bytes[1]!];
  const last = ip.bytes[3]!;
  return a !== 0 && a !== 127 && !(a === 169 && b === 254) && a < 224 && last !== 0 && last !== 255;
}

function compareListeners(a: Listener, b: Listener): number {
  return a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : a.port - b.port;
}

export function planLab(ports: readonly ServicePortWithEndpoints[], opts: LabPlanOptions): LabPlan {
  if (!LAB_NAME_PATTERN.test(opts.name)) {
    throw new UserError(`lab name ${JSON.stringify(opts.name)}: use 1 to 12 lower-case letters or digits`);
  }
  const node = ipv4(opts.nodeIP, '--node-ip');
  if (!isHostAddress(node)) throw new UserError(`--node-ip: ${opts.nodeIP} cannot be the lab node's address`);
  const nodeIP = formatIP(node);
  const clientIPs = (opts.clientIPs && opts.clientIPs.length > 0 ? opts.clientIPs : [defaultClientIP(node)]).map((t) => {
    const ip = ipv4(t, '--client-ip');
    if (!isHostAddress(ip) || !sameLink(ip, node) || formatIP(ip) === nodeIP) {
      throw new UserError(`--client-ip: ${t} must be another address in the node's ${LINK_PREFIX}-bit subnet (${nodeIP}/${LINK_PREFIX})`);
    }
    return formatIP(ip);
  });

  const byIP = new Map<string, { listeners: Map<string, Listener>; sctp: Set<number>; backs: Set<string> }>();
  const access: Access[] = [];
  for (const { svcPort: sp, endpoints } of ports) {
    for (const ep of endpoints) {
      let pod = byIP.get(ep.ip);
      if (!pod) {
        const ip = ipv4(ep.ip, `endpoint of ${sp.nameString}`);
        if (ep.ip === nodeIP || clientIPs.includes(ep.ip)) {
          throw new UserError(
            `endpoint ${ep.ip} of ${sp.nameString} is the lab's node or client address`,
            'pick another address for the lab node with --node-ip (and --client-ip)',
          );
        }
        if (!isHostAddress(ip)) throw new UserError(`endpoint ${ep.ip} of ${sp.nameString} cannot be a pod address in the lab`);
        pod = { listeners: new Map(), sctp: new Set(), backs: new Set() };
        byIP.set(ep.ip, pod);
      }
      pod.backs.add(sp.nameString);
      if (sp.protocol === 'SCTP') pod.sctp.add(ep.port);
      else pod.listeners.set(`${sp.protocol}/${ep.port}`, { protocol: sp.protocol, port: ep.port });
    }
    const hasEndpoints = endpoints.some((e) => e.ready || e.serving);
    const add = (kind: Access['kind'], ip: string, port: number, from: Access['from'] = 'client'): void => {
      access.push({ servicePort: sp.nameString, protocol: sp.protocol, kind, ip, port, from, hasEndpoints });
    };
    add('cluster IP', sp.clusterIP, sp.port);
    if (sp.nodePort > 0) {
      add('node port', nodeIP, sp.nodePort);
      if (opts.localhostNodePorts) add('node port (localhost)', '127.0.0.1', sp.nodePort, 'node');
    }
    for (const ip of sp.externalIPs) add('external IP', ip, sp.port);
    for (const ip of sp.loadBalancerVIPs) add('load-balancer IP', ip, sp.port);
  }

  const names = namespaceNames(opts.name);
  const pods = [...byIP.entries()]
    .sort(([a], [b]) => ipNumber(a) - ipNumber(b))
    .map(([ip, p], i): LabPod => ({
      ns: names.pod(i + 1),
      ip,
      hostIf: `kpg-p${i + 1}`,
      listeners: [...p.listeners.values()].sort(compareListeners),
      unservedSCTP: [...p.sctp].sort((a, b) => a - b),
      backs: [...p.backs].sort(),
    }));
  return { name: opts.name, nodeNs: names.node, clientNs: names.client, nodeIP, clientIPs, pods, access };
}
