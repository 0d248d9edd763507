/**
 * `kp-gen graph`: the path of a Service's packets through the nat table, as a learner would draw
 * it — PREROUTING / OUTPUT → KUBE-SERVICES → KUBE-SVC (with its masquerade branch) → the random
 * split with its probabilities → KUBE-SEP (DNAT) → POSTROUTING → KUBE-POSTROUTING (MASQUERADE),
 * with the NodePort, external-IP and load-balancer entries (KUBE-NODEPORTS, KUBE-EXT, KUBE-FW),
 * the local-policy chain KUBE-SVL, and the REJECT/DROP leaves of the filter table.
 *
 * Built from the rules (a RuleGraph of select.ts, narrowed to the ports asked for) and the
 * service map (service-map.ts): every edge is a rule, labelled with what it matches. Printed as
 * Mermaid or DOT here; graph-svg.ts lays the DOT out as SVG.
 */
import type { Arg, Rule } from '../iptables/rule.js';
import { KUBE_MARK_MASQ, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_SERVICES } from '../plan/chain-names.js';
import { chainKind, commentPort, type GraphChain, type RuleGraph } from './select.js';
import type { ServicePortView } from './service-map.js';

export type NodeKind = 'builtin' | 'fixed' | 'service' | 'endpoint' | 'verdict';

export interface GraphNode {
  id: string;
  /** Lines of the node's label; the first is the chain (or verdict) name. */
  label: string[];
  kind: NodeKind;
}

export interface GraphEdge {
  from: string;
  to: string;
  label: string;
  /** The masquerade branch: a mark, not a jump along the packet's path. */
  dashed: boolean;
}

export interface PacketGraph {
  title: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** What a rule matches, in a few words (`not from 10.244.0.0/16`, `from this node`, `p=0.333`). */
export function describeMatches(args: readonly Arg[]): string {
  const words: string[] = [];
  for (const a of args) {
    if (a.kind === 'header') {
      const not = a.negated ? 'not ' : '';
      if (a.flag === '-s') words.push(`${not}from ${a.value.replace(/\/(32|128)$/, '')}`);
      else if (a.flag === '-d') words.push(`${not}to ${a.value.replace(/\/(32|128)$/, '')}`);
      else if (a.flag === '-i') words.push(`${not}in ${a.value}`);
      else if (a.flag === '-o') words.push(`${not}out ${a.value}`);
    } else if (a.kind === 'option') {
      const not = a.negated ? 'not ' : '';
      const v = a.values[0] ?? '';
      if (a.name === '--dport') words.push(`${not}port ${v}`);
      else if (a.name === '--src-type' && v === 'LOCAL') words.push(`${not}from this node`);
      else if (a.name === '--dst-type' && v === 'LOCAL') words.push(`${not}to a node address`);
      else if (a.name === '--rcheck') words.push('client seen recently (affinity)');
    }
  }
  return words.join(', ');
}

class Builder {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges: GraphEdge[] = [];
  private readonly edgeKeys = new Set<string>();

  node(id: string, kind: NodeKind, label: string[] = [id]): string {
    if (!this.nodes.has(id)) this.nodes.set(id, { id, label, kind });
    return id;
  }

  edge(from: string, to: string, label = '', dashed = false): void {
    const key = `${from}\u0000${to}\u0000${label}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push({ from, to, label, dashed });
  }
}

const POSTROUTING = 'POSTROUTING';
const MASQUERADE = 'MASQUERADE';

/** The packet graph of the service ports `views` (already narrowed), over the rules of `graph`. */
export function packetGraph(graph: RuleGraph, views: readonly ServicePortView[], title: string): PacketGraph {
  const b = new Builder();
  const natChains = new Map<string, GraphChain>((graph.tables.find((t) => t.name === 'nat')?.chains ?? []).map((c) => [c.name, c]));
  const names = new Set(views.map((v) => v.name));
  const probability = new Map<string, number | null>();
  for (const v of views) {
    for (const e of v.endpoints) {
      if (e.chain === null) continue;
      if (v.chains.svc) probability.set(`${v.chains.svc} ${e.chain}`, e.probability);
      if (v.chains.svl) probability.set(`${v.chains.svl} ${e.chain}`, e.localProbability);
    }
  }
  const ownerOf = new Map<string, ServicePortView>();
  for (const v of views) for (const c of Object.values(v.chains)) if (c) ownerOf.set(c, v);

  let anyNat = false;
  let anyMasq = false;
  const todo: string[] = [];
  const seen = new Set<string>();
  // The entries: kube-proxy's fixed nat chains' rules that name a selected port.
  for (const chain of [KUBE_SERVICES, KUBE_NODEPORTS]) {
    for (const r of natChains.get(chain)?.rules() ?? []) {
      const p = commentPort(r.comment);
      const target = r.target?.name;
      if (!p || !names.has(p.nameString) || target === undefined) continue;
      anyNat = true;
      if (chain === KUBE_NODEPORTS) b.edge(b.node(KUBE_SERVICES, 'fixed'), b.node(KUBE_NODEPORTS, 'fixed'), 'to a node address');
      b.edge(b.node(chain, 'fixed'), serviceNode(target), entryLabel(r));
      todo.push(target);
    }
  }
  for (let name = todo.shift(); name !== undefined; name = todo.shift()) {
    if (seen.has(name)) continue;
    seen.add(name);
    const chain = natChains.get(name);
    if (!chain) continue;
    for (const r of chain.rules()) {
      const target = r.target?.name;
      if (target === undefined) {
        // KUBE-FW's last rule: a comment only; what falls through is dropped in the filter table.
        if (name.startsWith('KUBE-FW-')) b.edge(name, b.node('DROP (KUBE-PROXY-FIREWALL)', 'verdict'), 'any other source');
        continue;
      }
      if (target === KUBE_MARK_MASQ) {
        anyMasq = true;
        const why = describeMatches(r.args) || 'always';
        // A KUBE-SEP chain's own masquerade rule: the endpoint connecting to itself through the Service.
        b.edge(name, b.node(KUBE_MARK_MASQ, 'fixed', [KUBE_MARK_MASQ, 'mark for SNAT']), name.startsWith('KUBE-SEP-') ? `${why} (hairpin)` : why, true);
      } else if (target === 'DNAT') {
        b.edge(name, b.node(POSTROUTING, 'builtin'), 'after DNAT');
      } else if (chainKind(target) === 'service') {
        const p = probability.get(`${name} ${target}`);
        const affinity = describeMatches(r.args).includes('affinity');
        const label = target.startsWith('KUBE-SEP-') && !affinity ? (p === null || p === undefined ? '' : `p=${p.toFixed(3)}`) : describeMatches(r.args);
        b.edge(name, serviceNode(target), label);
        todo.push(target);
      } else {
        b.edge(name, b.node(`${target}`, 'verdict'), describeMatches(r.args));
      }
    }
  }
  if (anyNat) {
    b.edge(b.node('PREROUTING', 'builtin', ['PREROUTING', 'from pods and other hosts']), KUBE_SERVICES);
    b.edge(b.node('OUTPUT', 'builtin', ['OUTPUT', 'from this node']), KUBE_SERVICES);
  }
  if (b.nodes.has(POSTROUTING)) {
    b.edge(POSTROUTING, b.node(KUBE_POSTROUTING, 'fixed'));
    b.edge(KUBE_POSTROUTING, b.node(MASQUERADE, 'verdict', [MASQUERADE, 'source becomes the node']), 'if marked');
    if (anyMasq) b.edge(KUBE_MARK_MASQ, KUBE_POSTROUTING, 'marked packets', true);
  }
  // The filter table's verdicts for ports without usable endpoints.
  for (const v of views) {
    for (const bl of v.blocked) {
      const from = b.node(`filter ${bl.chain}`, 'fixed');
      b.edge(b.node('FORWARD / OUTPUT / INPUT', 'builtin', ['FORWARD / OUTPUT / INPUT', 'filter table']), from);
      b.edge(from, b.node(bl.target, 'verdict'), bl.reason);
    }
  }
  // The entries first: Graphviz and Mermaid lay nodes out in the order they come.
  const first = (id: string): number => (id === 'PREROUTING' || id === 'OUTPUT' ? 0 : 1);
  const nodes = [...b.nodes.values()].sort((x, y) => first(x.id) - first(y.id));
  const edges = [...b.edges].sort((x, y) => first(x.from) - first(y.from));
  return { title, nodes, edges };

  function serviceNode(chain: string): string {
    if (chain.startsWith('KUBE-SEP-')) {
      const owner = views.find((v) => v.endpoints.some((e) => e.chain === chain));
      const address = owner?.endpoints.find((e) => e.chain === chain)?.address ?? '?';
      return b.node(chain, 'endpoint', [chain, `DNAT to ${address}`]);
    }
    const owner = ownerOf.get(chain);
    return b.node(chain, 'service', owner ? [chain, owner.name] : [chain]);
  }
}

/** The frontend a KUBE-SERVICES / KUBE-NODEPORTS rule stands for. */
function entryLabel(r: Rule): string {
  const comment = r.comment ?? '';
  const what = comment.endsWith(' cluster IP') ? 'cluster IP' : comment.endsWith(' external IP') ? 'external IP' : comment.endsWith(' loadbalancer IP') ? 'load-balancer IP' : 'NodePort';
  const m = describeMatches(r.args);
  return m ? `${what}: ${m}` : what;
}

// Printers.

function mermaidId(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, '_');
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;');
}

const MERMAID_SHAPE: Record<NodeKind, [string, string]> = {
  builtin: ['([', '])'],
  fixed: ['[', ']'],
  service: ['[', ']'],
  endpoint: ['[', ']'],
  verdict: ['{{', '}}'],
};

/** Mermaid flowchart (renders on GitHub in a ```mermaid block). */
export function renderMermaid(g: PacketGraph): string {
  const out = [`---`, `title: ${g.title}`, `---`, 'flowchart TD'];
  for (const n of g.nodes) {
    const [open, close] = MERMAID_SHAPE[n.kind];
    out.push(`  ${mermaidId(n.id)}${open}"${n.label.map(mermaidText).join('<br/>')}"${close}:::${n.kind}`);
  }
  for (const e of g.edges) {
    const arrow = e.dashed ? '-.->' : '-->';
    out.push(`  ${mermaidId(e.from)} ${arrow}${e.label ? `|"${mermaidText(e.label)}"|` : ''} ${mermaidId(e.to)}`);
  }
  out.push(
    '  classDef builtin fill:#eeeeee,stroke:#666666',
    '  classDef fixed fill:#dde8f6,stroke:#3b6ea8',
    '  classDef service fill:#fff2cc,stroke:#b08800',
    '  classDef endpoint fill:#e2f0d9,stroke:#3d7a2a',
    '  classDef verdict fill:#f8d7da,stroke:#a12a2a',
  );
  return `${out.join('\n')}\n`;
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const DOT_STYLE: Record<NodeKind, string> = {
  builtin: 'shape=box, style="rounded,filled", fillcolor="#eeeeee", color="#666666"',
  fixed: 'shape=box, style=filled, fillcolor="#dde8f6", color="#3b6ea8"',
  service: 'shape=box, style=filled, fillcolor="#fff2cc", color="#b08800"',
  endpoint: 'shape=box, style=filled, fillcolor="#e2f0d9", color="#3d7a2a"',
  verdict: 'shape=hexagon, style=filled, fillcolor="#f8d7da", color="#a12a2a"',
};

/** Graphviz DOT. */
export function renderDot(g: PacketGraph): string {
  const out = [
    'digraph kube_proxy {',
    `  label=${dotString(g.title)};`,
    '  labelloc=t;',
    '  rankdir=TB;',
    '  fontname="Helvetica";',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  // Lines joined by DOT's own `\n` escape.
  for (const n of g.nodes) out.push(`  ${dotString(n.id)} [label="${n.label.map((l) => dotString(l).slice(1, -1)).join('\\n')}", ${DOT_STYLE[n.kind]}];`);
  for (const e of g.edges) {
    const attrs = [e.label ? `label=${dotString(e.label)}` : '', e.dashed ? 'style=dashed' : ''].filter((x) => x !== '');
    out.push(`  ${dotString(e.from)} -> ${dotString(e.to)}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''};`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
