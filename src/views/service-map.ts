/**
 * The service map behind `kp-gen ls` and `kp-gen graph`: per service port, its frontends, its
 * chains and its endpoints with their KUBE-SEP chains and probabilities — read from the rules
 * (a RuleGraph of select.ts: the planned ruleset or a node's dump), so that a KUBE-SEP-… hash
 * maps back to its Service whether or not a comment names it (large-cluster mode: by
 * reachability from the port's KUBE-SVC chain). Generated from manifests, the endpoints'
 * conditions (ready, serving, terminating) and locality come from the EndpointSlices too, and
 * endpoints kube-proxy leaves out are listed without a chain.
 *
 * The JSON/YAML form of `ls` is this data, under a versioned schema (LS_API_VERSION; README
 * "kp-gen ls").
 */
import type { Arg, Rule } from '../iptables/rule.js';
import type { ServicePortWithEndpoints } from '../model/types.js';
import { KUBE_EXTERNAL_SERVICES, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL, KUBE_SERVICES } from '../plan/chain-names.js';
import { chainKind, commentPort, knownPorts, type GraphChain, type RuleGraph } from './select.js';

/** The `apiVersion` of `ls --format json|yaml`; changes only when a field changes meaning or goes. */
export const LS_API_VERSION = 'kp-gen/v1';

export type FrontendType = 'ClusterIP' | 'ExternalIP' | 'LoadBalancer' | 'NodePort' | 'External';

export interface Frontend {
  /** `External`: an external or load-balancer IP of a port without endpoints (the dump does not say which). */
  type: FrontendType;
  /** The address; null for a NodePort (every node address kube-proxy accepts NodePorts on). */
  address: string | null;
  port: number;
}

/** The per-service-port chains; null where the port has none. */
export interface PortChains {
  svc: string | null;
  svl: string | null;
  ext: string | null;
  fw: string | null;
}

export interface EndpointView {
  /** KUBE-SEP-…; null for an endpoint kube-proxy writes no chain for (manifests only). */
  chain: string | null;
  /** `ip:port`, IPv6 bracketed. */
  address: string;
  /** The EndpointSlice conditions; null when read from a dump. */
  ready: boolean | null;
  serving: boolean | null;
  terminating: boolean | null;
  /** On this node; null when the dump cannot tell (no KUBE-SVL chain). */
  local: boolean | null;
  /** The chance a new connection through KUBE-SVC picks it (0–1); null when not in KUBE-SVC. */
  probability: number | null;
  /** The same through KUBE-SVL (traffic policy Local); null when not in KUBE-SVL. */
  localProbability: number | null;
}

export interface ServicePortView {
  /** kube-proxy's name for it: `ns/name:port` (`ns/name` for an unnamed port). */
  name: string;
  namespace: string;
  service: string;
  /** The port's name; empty for an unnamed port. */
  port: string;
  /** `TCP`, `UDP` or `SCTP`. */
  protocol: string;
  frontends: Frontend[];
  chains: PortChains;
  /**
   * The filter table's verdicts for traffic that has no usable endpoint: `REJECT` (no endpoints)
   * or `DROP` (no local endpoints), the chain holding the rule, and kube-proxy's comment.
   */
  blocked: { chain: string; target: string; reason: string }[];
  healthCheckNodePort: number | null;
  endpoints: EndpointView[];
}

export interface ServiceMap {
  apiVersion: typeof LS_API_VERSION;
  kind: 'ServicePortList';
  /** Where the rules came from: a dump's file name, or the manifests' paths. */
  source: string;
  items: ServicePortView[];
}

function optionValue(args: readonly Arg[], name: string): string | undefined {
  for (const a of args) if (a.kind === 'option' && a.name === name && !a.negated) return a.values[0];
  return undefined;
}

function headerValue(args: readonly Arg[], flag: '-d' | '-s' | '-p'): string | undefined {
  for (const a of args) if (a.kind === 'header' && a.flag === flag && !a.negated) return a.value;
  return undefined;
}

function hasOption(args: readonly Arg[], name: string): boolean {
  return args.some((a) => a.kind === 'option' && a.name === name);
}

/** `10.96.0.10/32` (iptables-save) → `10.96.0.10`. */
function bareAddress(text: string): string {
  return text.replace(/\/(32|128)$/, '');
}

const PREFIXES: [keyof PortChains, string][] = [
  ['svc', 'KUBE-SVC-'],
  ['svl', 'KUBE-SVL-'],
  ['ext', 'KUBE-EXT-'],
  ['fw', 'KUBE-FW-'],
];

interface Draft {
  view: ServicePortView;
  /** Per-service chains its fixed-chain rules jump to. */
  entries: string[];
}

/**
 * The service map of the rules; `ports` (from manifests) adds conditions and left-out endpoints;
 * `only` restricts it to those service ports (by name string), reading no other port's chains.
 */
export function serviceMap(graph: RuleGraph, source: string, ports?: readonly ServicePortWithEndpoints[], only?: ReadonlySet<string>): ServiceMap {
  const nat = graph.tables.find((t) => t.name === 'nat');
  const natChains = new Map<string, GraphChain>((nat?.chains ?? []).map((c) => [c.name, c]));
  const drafts = new Map<string, Draft>();
  for (const k of knownPorts(graph).values()) {
    if (only && !only.has(k.nameString)) continue;
    drafts.set(k.nameString, {
      view: {
        name: k.nameString,
        namespace: k.namespace,
        service: k.service,
        port: k.portName,
        protocol: '',
        frontends: [],
        chains: { svc: null, svl: null, ext: null, fw: null },
        blocked: [],
        healthCheckNodePort: null,
        endpoints: [],
      },
      entries: [],
    });
  }

  // Frontends, protocol and entry chains: the rules of the fixed chains that name the port.
  for (const t of graph.tables) {
    for (const c of t.chains) {
      if (chainKind(c.name) !== 'fixed') continue;
      for (const r of c.rules()) {
        const p = commentPort(r.comment);
        const d = p && drafts.get(p.nameString);
        if (!d) continue;
        readFixedRule(d, t.name, c.name, r);
      }
    }
  }

  for (const d of drafts.values()) {
    const v = d.view;
    // Every per-service chain reached from the port's entries.
    const seen = new Set<string>();
    const todo = [...d.entries];
    const seps: string[] = [];
    for (let name = todo.shift(); name !== undefined; name = todo.shift()) {
      if (seen.has(name) || !natChains.has(name)) continue;
      seen.add(name);
      if (name.startsWith('KUBE-SEP-')) seps.push(name);
      for (const [key, prefix] of PREFIXES) if (name.startsWith(prefix)) v.chains[key] = name;
      for (const r of natChains.get(name)!.rules()) {
        const target = r.target?.name;
        if (target !== undefined && chainKind(target) === 'service') todo.push(target);
      }
    }
    const endpoints = new Map<string, EndpointView>();
    const endpointOf = (sep: string): EndpointView => {
      let e = endpoints.get(sep);
      if (!e) {
        e = { chain: sep, address: sepAddress(natChains.get(sep)), ready: null, serving: null, terminating: null, local: null, probability: null, localProbability: null };
        endpoints.set(sep, e);
      }
      return e;
    };
    if (v.chains.svc) for (const [sep, p] of choices(natChains.get(v.chains.svc)!)) endpointOf(sep).probability = roundProbability(p);
    if (v.chains.svl) {
      const local = choices(natChains.get(v.chains.svl)!);
      for (const [sep, p] of local) endpointOf(sep).localProbability = roundProbability(p);
      for (const e of endpoints.values()) e.local = local.has(e.chain!);
    }
    for (const sep of seps) endpointOf(sep);
    v.endpoints = [...endpoints.values()];
  }

  const items = [...drafts.values()].map((d) => d.view);
  for (const v of items) v.frontends.sort(compareFrontends);
  if (ports) addManifestFacts(items, ports);
  return { apiVersion: LS_API_VERSION, kind: 'ServicePortList', source, items };

  function readFixedRule(d: Draft, table: string, chain: string, r: Rule): void {
    const v = d.view;
    const target = r.target?.name ?? '';
    const proto = headerValue(r.args, '-p');
    if (proto && v.protocol === '') v.protocol = proto.toUpperCase();
    const dport = Number(optionValue(r.args, '--dport') ?? NaN);
    const dst = headerValue(r.args, '-d');
    const comment = r.comment ?? '';
    if (chainKind(target) === 'service') d.entries.push(target);
    const add = (f: Frontend): void => {
      if (!v.frontends.some((x) => x.type === f.type && x.address === f.address && x.port === f.port)) v.frontends.push(f);
    };
    if (table === 'nat' && chain === KUBE_SERVICES && dst !== undefined) {
      const type: FrontendType = comment.endsWith(' external IP') ? 'ExternalIP' : comment.endsWith(' loadbalancer IP') ? 'LoadBalancer' : 'ClusterIP';
      add({ type, address: bareAddress(dst), port: dport });
    } else if (table === 'nat' && chain === KUBE_NODEPORTS) {
      add({ type: 'NodePort', address: null, port: dport });
    } else if (table === 'filter' && chain === KUBE_NODEPORTS && hasOption(r.args, '--dport')) {
      v.healthCheckNodePort = dport;
    } else if (table === 'filter' && (chain === KUBE_SERVICES || chain === KUBE_EXTERNAL_SERVICES)) {
      if (!v.blocked.some((b) => b.chain === chain && b.target === target && b.reason === comment)) v.blocked.push({ chain, target, reason: comment });
      if (hasOption(r.args, '--dst-type')) add({ type: 'NodePort', address: null, port: dport });
      else if (dst !== undefined) add({ type: chain === KUBE_SERVICES ? 'ClusterIP' : 'External', address: bareAddress(dst), port: dport });
    } else if (table === 'filter' && chain === KUBE_PROXY_FIREWALL && dst !== undefined) {
      add({ type: 'LoadBalancer', address: bareAddress(dst), port: dport });
    }
  }
}

const FRONTEND_ORDER: FrontendType[] = ['ClusterIP', 'ExternalIP', 'LoadBalancer', 'External', 'NodePort'];

/** ClusterIP first, NodePort last (the dump's chain order is no order); then as the rules list them. */
function compareFrontends(a: Frontend, b: Frontend): number {
  return FRONTEND_ORDER.indexOf(a.type) - FRONTEND_ORDER.indexOf(b.type);
}

/**
 * Six decimals: iptables keeps a probability in 2^-31 steps and prints it with 11 digits, kp-gen
 * writes kube-proxy's 10; rounded, a dump and the plan it came from give the same numbers.
 */
function roundProbability(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}

/** The endpoint a KUBE-SEP chain DNATs to. */
function sepAddress(chain: GraphChain | undefined): string {
  for (const r of chain?.rules() ?? []) {
    if (r.target?.name === 'DNAT') return optionValue(r.target.options, '--to-destination') ?? '?';
  }
  return '?';
}

/**
 * The KUBE-SEP chains a KUBE-SVC/SVL chain sends new connections to, with the chance of each:
 * the rules are tried in order, each taken with its `--probability` (1 without one).
 * Session-affinity rules (`-m recent --rcheck`) only send back clients already seen: left out.
 */
function choices(chain: GraphChain): Map<string, number> {
  const out = new Map<string, number>();
  let left = 1;
  for (const r of chain.rules()) {
    const target = r.target?.name;
    if (target === undefined || !target.startsWith('KUBE-SEP-') || hasOption(r.args, '--rcheck')) continue;
    const p = Number(optionValue(r.args, '--probability') ?? '1');
    out.set(target, (out.get(target) ?? 0) + left * p);
    left *= 1 - p;
  }
  return out;
}

/** Conditions and locality from the EndpointSlices; the endpoints without a chain added. */
function addManifestFacts(items: ServicePortView[], ports: readonly ServicePortWithEndpoints[]): void {
  const byName = new Map(items.map((v) => [v.name, v]));
  for (const { svcPort, endpoints } of ports) {
    const v = byName.get(svcPort.nameString);
    if (!v) continue;
    const byAddress = new Map(v.endpoints.map((e) => [e.address, e]));
    for (const ep of endpoints) {
      let e = byAddress.get(ep.endpoint);
      if (!e) {
        e = { chain: null, address: ep.endpoint, ready: null, serving: null, terminating: null, local: null, probability: null, localProbability: null };
        v.endpoints.push(e);
      }
      e.ready = ep.ready;
      e.serving = ep.serving;
      e.terminating = ep.terminating;
      e.local = ep.isLocal;
    }
  }
}

/** The service ports one chain belongs to (`ls --chain`): the port, and for a KUBE-SEP chain only that endpoint. */
export function lookUpChain(map: ServiceMap, chain: string): ServicePortView | undefined {
  for (const v of map.items) {
    if (Object.values(v.chains).includes(chain)) return v;
    const e = v.endpoints.find((x) => x.chain === chain);
    if (e) return { ...v, endpoints: [e] };
  }
  return undefined;
}
