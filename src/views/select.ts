/**
 * `--service NS/NAME[:PORT]` and `-n/--namespace NS`: which lines of a ruleset belong to the
 * selected Services. The one selection every command uses — generation (over the planned
 * ruleset), `diff` and `trace` (over a dump), `ls` and `graph` — so that "one Service's rules"
 * means the same everywhere.
 *
 * What belongs to a service port:
 *  - a rule of a fixed chain (KUBE-SERVICES, KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES,
 *    KUBE-PROXY-FIREWALL, …) whose comment names the port: kube-proxy writes every such rule
 *    with `ns/name[:port]` first in its comment;
 *  - every chain reached from those rules (KUBE-SVC/SVL/EXT/FW and their KUBE-SEP chains), whole,
 *    with their declarations, comment or not: the comment-less KUBE-EXT → KUBE-SVC jump and the
 *    comment-less KUBE-SEP rules of large-cluster mode come with their chain;
 *  - a per-service chain no rule reaches (a stale chain on a node) whose commented rules all name
 *    the port.
 * Kept besides: kube-proxy's fixed chains (declared) with their rules that belong to no Service
 * (KUBE-MARK-MASQ, KUBE-POSTROUTING, the KUBE-NODEPORTS jump at the end of KUBE-SERVICES, …),
 * and, in a node's dump, the built-in chains and other programs' chains (Docker, the CNI) as
 * they are: they decide what happens to the packets too (a FORWARD policy DROP that flannel's
 * rules open), so `trace` needs them, and `diff` compares kube-proxy's rules only anyway.
 * The result is itself a valid restore file: every jump target is declared.
 */
import type { ChainDump, Dump, TableDump } from '../iptables/dump-types.js';
import { dns1035Label, dns1123Label } from '../load/names.js';
import type { Rule } from '../iptables/rule.js';
import { chainRules, type Chain, type Ruleset, type Table } from '../plan/ruleset.js';
import {
  isServiceChainName,
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from '../plan/chain-names.js';

/** One `--service` value: `ns/name`, optionally `:port` (a port name, or a port number). */
export interface ServiceSelector {
  namespace: string;
  name: string;
  /** Port name or number as written; undefined: every port of the Service. */
  port?: string;
}

/** The selection of a command line: empty lists select everything. */
export interface Selection {
  services: ServiceSelector[];
  namespaces: string[];
}

/** Thrown for a selector that names nothing in the rules (a user error: exit 1). */
export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

/**
 * `ns/name[:port]` → a selector; a malformed one throws with what is wrong. The parts are checked
 * as the API server checks them (load/names.ts): a namespace is a DNS-1123 label, a Service name
 * a DNS-1035 label, a port a number 1…65535 or a Service port name (DNS-1123 label), so a
 * selector can only name what a manifest or a dump can hold.
 */
export function parseServiceSelector(text: string): ServiceSelector {
  const m = /^([^/:\s]+)\/([^/:\s]+)(?::([^/:\s]+))?$/.exec(text);
  if (!m) throw new SelectionError(`${JSON.stringify(text)} is not NAMESPACE/NAME[:PORT]`);
  const [, namespace, name, port] = m;
  const nsProblem = dns1123Label(namespace!);
  if (nsProblem !== undefined) throw new SelectionError(`${JSON.stringify(text)}: namespace ${JSON.stringify(namespace)} is not a valid name: ${nsProblem}`);
  const nameProblem = dns1035Label(name!);
  if (nameProblem !== undefined) throw new SelectionError(`${JSON.stringify(text)}: Service name ${JSON.stringify(name)} is not a valid name: ${nameProblem}`);
  if (port !== undefined && !isPortNumber(port) && dns1123Label(port) !== undefined) {
    throw new SelectionError(`${JSON.stringify(text)}: port ${JSON.stringify(port)} is not a port name or number`);
  }
  return port === undefined ? { namespace: namespace!, name: name! } : { namespace: namespace!, name: name!, port };
}

/** 1 … 65535, in decimal without a leading zero. */
function isPortNumber(s: string): boolean {
  return /^[1-9][0-9]{0,4}$/.test(s) && Number(s) <= 65535;
}

export function selectsAll(s: Selection | undefined): boolean {
  return s === undefined || (s.services.length === 0 && s.namespaces.length === 0);
}

/** The service port kube-proxy's ServicePortName string names: `ns/name` or `ns/name:port` (`ns/name:` for an unnamed port before 1.19). */
export interface PortName {
  /** The string itself, as in comments and chain hashes. */
  nameString: string;
  namespace: string;
  service: string;
  /** Empty for an unnamed port. */
  portName: string;
}

export function parsePortName(nameString: string): PortName | undefined {
  const m = /^([^/\s]+)\/([^/:\s]+)(?::(\S*))?$/.exec(nameString);
  if (!m) return undefined;
  return { nameString, namespace: m[1]!, service: m[2]!, portName: m[3] ?? '' };
}

/**
 * The service port a kube-proxy comment names: its first word with a slash
 * (`ns/name:port cluster IP`, `masquerade traffic for ns/name:port external destinations`,
 * `ns/name:port -> 10.1.0.1:80`). Undefined for a comment that names none.
 */
export function commentPort(comment: string | undefined): PortName | undefined {
  if (comment === undefined || !comment.includes('/')) return undefined;
  for (const word of comment.split(' ')) {
    if (word.includes('/')) return parsePortName(word);
  }
  return undefined;
}

/** kube-proxy's chains that belong to no one Service (chain-names.ts). */
export const FIXED_CHAINS: ReadonlySet<string> = new Set([
  KUBE_SERVICES,
  KUBE_EXTERNAL_SERVICES,
  KUBE_FORWARD,
  KUBE_NODEPORTS,
  KUBE_PROXY_FIREWALL,
  KUBE_POSTROUTING,
  KUBE_MARK_MASQ,
  KUBE_FIREWALL,
]);

const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

export type ChainKind = 'builtin' | 'fixed' | 'service' | 'foreign';

export function chainKind(name: string): ChainKind {
  if (BUILTIN.has(name)) return 'builtin';
  if (FIXED_CHAINS.has(name)) return 'fixed';
  if (isServiceChainName(name)) return 'service'; // every release's, KUBE-XLB- too
  return 'foreign';
}

/**
 * The rules as the selection reads them, whatever holds them (the planned ruleset or a parsed
 * dump): tables of chains, each chain's rules on demand (a planned chain writes most of its rules
 * only when asked).
 */
export interface RuleGraph {
  tables: readonly { name: string; chains: readonly GraphChain[] }[];
  /**
   * The rules may hold per-service chains no rule reaches (a node's dump, with stale chains);
   * false for kp-gen's own plan, which writes none, so their rules need not be read.
   */
  mayHaveStaleChains: boolean;
}

export interface GraphChain {
  name: string;
  rules: () => readonly Rule[];
}

/** What a service port is known by in the rules: its name, and its port number(s) (the --dport of its KUBE-SERVICES rules). */
export interface KnownPort extends PortName {
  ports: Set<string>;
}

const knownCache = new WeakMap<RuleGraph, Map<string, KnownPort>>();

/** Every service port a rule comment names in a fixed chain, by name string, sorted (read once per graph). */
export function knownPorts(graph: RuleGraph): Map<string, KnownPort> {
  let known = knownCache.get(graph);
  if (!known) knownCache.set(graph, (known = readKnownPorts(graph)));
  return known;
}

function readKnownPorts(graph: RuleGraph): Map<string, KnownPort> {
  const known = new Map<string, KnownPort>();
  for (const t of graph.tables) {
    for (const c of t.chains) {
      if (chainKind(c.name) !== 'fixed') continue;
      for (const r of c.rules()) {
        const p = commentPort(r.comment);
        if (!p) continue;
        let k = known.get(p.nameString);
        if (!k) known.set(p.nameString, (k = { ...p, ports: new Set() }));
        if (c.name === KUBE_SERVICES) {
          for (const a of r.args) if (a.kind === 'option' && a.name === '--dport') k.ports.add(a.values[0] ?? '');
        }
      }
    }
  }
  return new Map([...known].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `flag: message`, e.g. `-n kube-sytem: no Service in this namespace`. */
export interface SelectionWarning {
  flag: string;
  message: string;
}

export interface Resolved {
  /** The selected service ports' name strings. */
  names: Set<string>;
  /** Problems that do not stop the command (a namespace without Services). */
  warnings: SelectionWarning[];
}

/**
 * The selection → the name strings of the service ports it selects among `known`. A --service
 * that matches nothing is an error naming what there is; a namespace without Services is a
 * warning (as `kubectl get svc -n NS` says "No resources found").
 */
export function resolveSelection(s: Selection, known: Map<string, KnownPort>, where: string): Resolved {
  const names = new Set<string>();
  const warnings: SelectionWarning[] = [];
  for (const ns of s.namespaces) {
    const hits = [...known.values()].filter((k) => k.namespace === ns);
    if (hits.length === 0) warnings.push({ flag: `-n ${ns}`, message: `no Service in namespace ${ns}` });
    for (const k of hits) names.add(k.nameString);
  }
  for (const sel of s.services) {
    const text = `${sel.namespace}/${sel.name}${sel.port === undefined ? '' : `:${sel.port}`}`;
    const ofService = [...known.values()].filter((k) => k.namespace === sel.namespace && k.service === sel.name);
    if (ofService.length === 0) {
      const inNs = [...new Set([...known.values()].filter((k) => k.namespace === sel.namespace).map((k) => k.service))];
      const hint = inNs.length > 0 ? `; Services in ${sel.namespace}: ${inNs.slice(0, 10).join(', ')}${inNs.length > 10 ? ', …' : ''}` : '';
      throw new SelectionError(`--service ${text}: no rules for Service ${sel.namespace}/${sel.name} in ${where}${hint}`);
    }
    const hits = sel.port === undefined ? ofService : ofService.filter((k) => k.portName === sel.port || k.ports.has(sel.port!));
    if (hits.length === 0) {
      const ports = ofService.map((k) => (k.portName === '' ? [...k.ports].join('/') : `${k.portName} (${[...k.ports].join('/')})`));
      throw new SelectionError(`--service ${text}: Service ${sel.namespace}/${sel.name} has no port ${sel.port}; its ports: ${ports.join(', ')}`);
    }
    for (const k of hits) names.add(k.nameString);
  }
  return { names, warnings };
}

/** The lines that belong to the selected service ports, per table. */
export interface Picked {
  /** Kept chains (declared in the output), per table. */
  chains: Map<string, Set<string>>;
  /** Whether a rule of a kept chain that is not a per-service chain stays. */
  keepRule: (table: string, chain: string, rule: Rule) => boolean;
}

/** The chains and rules that belong to the service ports `names` (see the module comment). */
export function pick(graph: RuleGraph, names: ReadonlySet<string>): Picked {
  const chains = new Map<string, Set<string>>();
  const existing = new Map<string, Set<string>>();
  const isSelected = (r: Rule): boolean | undefined => {
    const p = commentPort(r.comment);
    return p === undefined ? undefined : names.has(p.nameString);
  };
  for (const t of graph.tables) {
    const byName = new Map(t.chains.map((c) => [c.name, c] as const));
    existing.set(t.name, new Set(byName.keys()));
    const kept = new Set<string>();
    const queue: string[] = [];
    const reach = (name: string | undefined): void => {
      if (name === undefined || kept.has(name) || chainKind(name) !== 'service' || !byName.has(name)) return;
      kept.add(name);
      queue.push(name);
    };
    for (const c of t.chains) {
      const kind = chainKind(c.name);
      if (kind !== 'service') {
        kept.add(c.name);
        if (kind === 'fixed') for (const r of c.rules()) if (isSelected(r) === true) reach(r.target?.name);
      } else if (graph.mayHaveStaleChains) {
        // A chain its own comments tie to a selected port, reached or not.
        let any = false;
        let all = true;
        for (const r of c.rules()) {
          const s = isSelected(r);
          if (s === undefined) continue;
          any = true;
          if (!s) all = false;
        }
        if (any && all) reach(c.name);
      }
    }
    for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
      for (const r of byName.get(name)!.rules()) reach(r.target?.name);
    }
    chains.set(t.name, kept);
  }
  const keepRule = (table: string, chain: string, r: Rule): boolean => {
    const kept = chains.get(table)!;
    // A jump to a chain of the table (not a target such as DNAT or MARK).
    const target = r.target !== undefined && existing.get(table)!.has(r.target.name) ? r.target.name : undefined;
    // Only kube-proxy's comments name Services: another program's rule stays whatever its comment says.
    const kind = chainKind(chain);
    const s = kind === 'fixed' || kind === 'service' ? isSelected(r) : undefined;
    if (s !== undefined) return s;
    return target === undefined || kept.has(target);
  };
  return { chains, keepRule };
}

/** A planned ruleset as a RuleGraph. */
export function rulesetGraph(rs: Ruleset): RuleGraph {
  return {
    mayHaveStaleChains: false,
    tables: [rs.filter, rs.nat].map((t) => ({
      name: t.name,
      chains: [...t.chains.values()].map((c) => ({ name: c.name, rules: () => chainRules(c) })),
    })),
  };
}

/** A parsed dump as a RuleGraph. */
export function dumpGraph(dump: Dump): RuleGraph {
  return {
    mayHaveStaleChains: true,
    tables: [...dump.tables.values()].map((t) => ({
      name: t.name,
      chains: [...t.chains.values()].map((c) => {
        let rules: Rule[] | undefined;
        return { name: c.name, rules: () => (rules ??= c.rules.map((r) => r.rule)) };
      }),
    })),
  };
}

/** The ruleset narrowed to the selection (its chains and rules, in their order), and any warnings. */
export function selectRuleset(rs: Ruleset, s: Selection, where: string): { ruleset: Ruleset; warnings: SelectionWarning[] } {
  const graph = rulesetGraph(rs);
  const { names, warnings } = resolveSelection(s, knownPorts(graph), where);
  const picked = pick(graph, names);
  const narrow = (t: Table): Table => {
    const kept = picked.chains.get(t.name)!;
    const chains = new Map<string, Chain>();
    for (const c of t.chains.values()) {
      if (!kept.has(c.name)) continue;
      if (chainKind(c.name) === 'service') chains.set(c.name, c);
      else chains.set(c.name, { ...c, rules: c.rules.filter((r) => typeof r === 'function' || picked.keepRule(t.name, c.name, r)) });
    }
    return { name: t.name, chains };
  };
  return { ruleset: { filter: narrow(rs.filter), nat: narrow(rs.nat) }, warnings };
}

/**
 * Dumps narrowed to the selection, resolved against the service ports of them all: for `diff`,
 * a Service in only one of the two dumps (added or removed) is still a Service to compare.
 */
export function selectDumps(dumps: readonly Dump[], s: Selection): { dumps: Dump[]; warnings: SelectionWarning[] } {
  const graphs = dumps.map(dumpGraph);
  const known = new Map<string, KnownPort>();
  for (const g of graphs) {
    for (const [name, k] of knownPorts(g)) {
      const had = known.get(name);
      if (had) for (const p of k.ports) had.ports.add(p);
      else known.set(name, { ...k, ports: new Set(k.ports) });
    }
  }
  const { names, warnings } = resolveSelection(s, known, dumps.map((d) => d.source).join(' or '));
  return { dumps: dumps.map((d, i) => narrowDump(d, pick(graphs[i]!, names))), warnings };
}

function narrowDump(dump: Dump, picked: Picked): Dump {
  const tables = new Map<string, TableDump>();
  for (const t of dump.tables.values()) {
    const kept = picked.chains.get(t.name)!;
    const chains = new Map<string, ChainDump>();
    for (const c of t.chains.values()) {
      if (!kept.has(c.name)) continue;
      if (chainKind(c.name) === 'service') chains.set(c.name, c);
      else chains.set(c.name, { ...c, rules: c.rules.filter((r) => picked.keepRule(t.name, c.name, r.rule)) });
    }
    tables.set(t.name, { name: t.name, chains });
  }
  return { source: dump.source, tables };
}
