/**
 * The packet walk. Hooks in the kernel's order for the first packet of a connection (only
 * the nat and filter tables; kube-proxy uses no other):
 *   from another host or a pod:  nat PREROUTING → routing → filter INPUT, nat INPUT      (to a node address)
 *                                                         → filter FORWARD, nat POSTROUTING (elsewhere)
 *   from the node itself:        nat OUTPUT → filter OUTPUT → nat POSTROUTING (→ filter INPUT if to a node address)
 * Within a hook, rules run in order; jumps push a frame, RETURN and the end of a user chain
 * pop one, the end of a built-in chain applies its policy. A rule that matches only with some
 * probability (`statistic`) splits the walk in two, so the result lists every outcome with
 * its probability. Pure: a Dump in, a TraceResult out.
 */
import { formatIP } from '../model/ip.js';
import type { ChainDump, Dump, DumpRule, TableDump } from '../iptables/dump-types.js';
import { applyMark, MARK_OPERATIONS, markAction, parseNatRange, type MarkOperation } from '../iptables/values.js';
import { commentOfShape } from '../iptables/shape.js';
import { evaluateRule, isLocal, type MatchResult, type PacketState } from './match.js';
import type { Affinity, NodeContext, Outcome, Packet, TraceResult, TraceStep, Verdict, Evaluation } from './types.js';

export interface SimulateOptions {
  /** Record every rule evaluated, matched or not, and the ends of chains (Outcome.evaluated). */
  explain?: boolean;
}

export class TraceError extends Error {
  override readonly name = 'TraceError';
}

/** Guards against loops and explosions in hand-made dumps; kube-proxy's rules are far below. */
const MAX_DEPTH = 64;
const MAX_STEPS = 20_000;
const MAX_LEAVES = 20_000;

/** The kernel's name for "no device", which `-i`/`-o` patterns are compared with. */
const NO_DEVICE = '';
const LOOPBACK = 'lo';

const NON_TERMINATING_QUIET = new Set(['LOG', 'NFLOG', 'TRACE', 'ULOG', 'NFACCT']);

interface Hook {
  table: string;
  chain: string;
}

interface Frame {
  chain: ChainDump;
  index: number;
}

interface Machine {
  s: PacketState;
  dnat: string | null;
  masquerade: boolean;
  probability: number;
  hooks: Hook[];
  hookIndex: number;
  /** The frames of the hook being walked; empty before a hook starts. */
  stack: Frame[];
  table: TableDump | null;
  path: string[];
  steps: TraceStep[];
  /** Every evaluation, with `explain`; null without. */
  evaluated: Evaluation[] | null;
  checkedAffinity: Map<string, number | null>;
  affinity?: Affinity;
  count: number;
  verdict?: { verdict: Verdict; reason: string };
}

function hostPort(ip: PacketState['dst'], port: number): string {
  const h = formatIP(ip);
  return ip.family === 6 ? `[${h}]:${port}` : `${h}:${port}`;
}

/** A short reason for a DROP/REJECT, from kube-proxy's comment on the rule. */
function reasonOf(rule: DumpRule): string {
  const c = commentOf(rule);
  if (c === undefined) return `${rule.table} ${rule.chain}`;
  if (/ has no endpoints$/.test(c)) return 'no endpoints';
  if (/ has no local endpoints$/.test(c)) return 'no local endpoints';
  if (/ traffic not accepted by /.test(c)) return 'source range';
  if (/^block incoming localnet connections$/.test(c)) return 'localnet';
  return c;
}

function commentOf(rule: DumpRule): string | undefined {
  return rule.rule.comment ?? commentOfShape(rule.shape);
}

function clone(m: Machine, probability: number): Machine {
  return {
    ...m,
    s: { ...m.s, ctStates: new Set(m.s.ctStates), recent: new Set(m.s.recent) },
    hooks: [...m.hooks],
    stack: m.stack.map((f) => ({ ...f })),
    path: [...m.path],
    steps: [...m.steps],
    evaluated: m.evaluated === null ? null : [...m.evaluated],
    checkedAffinity: new Map(m.checkedAffinity),
    probability,
  };
}

export function simulate(dump: Dump, packet: Packet, node: NodeContext, opts: SimulateOptions = {}): TraceResult {
  const warnings: string[] = [];
  const warn = (w: string): void => {
    if (!warnings.includes(w)) warnings.push(w);
  };
  const start: Machine = {
    s: {
      protocol: packet.protocol,
      src: packet.src,
      dst: packet.dst,
      sport: packet.sport,
      dport: packet.dport,
      mark: 0,
      ctStates: new Set(['NEW']),
      recent: new Set(),
      // A packet the node sends has no input device in OUTPUT and POSTROUTING: `-i X` cannot
      // match it and `! -i X` always does (kube-proxy's `! -i <pod prefix>+` masquerades it).
      inInterface: packet.from === 'node' ? NO_DEVICE : packet.inInterface,
      outInterface: packet.outInterface,
    },
    dnat: null,
    masquerade: false,
    probability: 1,
    hooks: packet.from === 'node'
      ? [{ table: 'nat', chain: 'OUTPUT' }, { table: 'filter', chain: 'OUTPUT' }, { table: 'nat', chain: 'POSTROUTING' }]
      : [{ table: 'nat', chain: 'PREROUTING' }],
    hookIndex: 0,
    stack: [],
    table: null,
    path: [],
    steps: [],
    evaluated: opts.explain ? [] : null,
    checkedAffinity: new Map(),
    count: 0,
  };

  const outcomes: Outcome[] = [];
  const work: Machine[] = [start];
  let leaves = 0;
  while (work.length > 0) {
    const m = work.pop()!;
    const fork = run(m, dump, packet, node, warn);
    if (fork) {
      // Depth first, the matching branch first: outcomes come out in the rules' order.
      work.push(fork[1], fork[0]);
      continue;
    }
    if (++leaves > MAX_LEAVES) throw new TraceError(`more than ${MAX_LEAVES} outcomes; the dump branches too much to trace`);
    const outcome = outcomeOf(m);
    const same = outcomes.find((o) => sameOutcome(o, outcome));
    if (same) same.probability += outcome.probability;
    else outcomes.push(outcome);
  }
  return { outcomes, notes: [], warnings };
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.verdict === b.verdict && a.destination === b.destination && a.masquerade === b.masquerade &&
    a.reason === b.reason && a.path.join(' ') === b.path.join(' ') && JSON.stringify(a.affinity) === JSON.stringify(b.affinity);
}

function outcomeOf(m: Machine): Outcome {
  const o: Outcome = {
    verdict: m.verdict?.verdict ?? (m.dnat !== null ? 'DNAT' : 'ACCEPT'),
    destination: m.verdict ? null : (m.dnat ?? hostPort(m.s.dst, m.s.dport)),
    probability: m.probability,
    masquerade: m.verdict ? false : m.masquerade,
    path: m.path,
    steps: m.steps,
  };
  if (m.evaluated !== null) o.evaluated = m.evaluated;
  if (m.verdict) o.reason = m.verdict.reason;
  if (m.affinity && !m.verdict) o.affinity = m.affinity;
  return o;
}

function step(m: Machine, s: TraceStep): void {
  m.steps.push(s);
}

/** Walk `m` until it ends (returns undefined) or splits (returns the two continuations). */
function run(m: Machine, dump: Dump, packet: Packet, node: NodeContext, warn: (w: string) => void): [Machine, Machine] | undefined {
  for (;;) {
    if (m.verdict) return undefined;
    if (m.stack.length === 0) {
      // Start the next hook, if any.
      if (m.hookIndex >= m.hooks.length) return undefined;
      const hook = m.hooks[m.hookIndex]!;
      const table = dump.tables.get(hook.table);
      const chain = table?.chains.get(hook.chain);
      if (!table || !chain) {
        endHook(m, node, packet);
        continue;
      }
      m.table = table;
      m.stack.push({ chain, index: 0 });
      m.path.push(chain.name);
      continue;
    }
    if (++m.count > MAX_STEPS) throw new TraceError(`more than ${MAX_STEPS} rules on one path; is there a loop?`);
    const frame = m.stack[m.stack.length - 1]!;
    const table = m.table!;
    if (frame.index >= frame.chain.rules.length) {
      m.stack.pop();
      const policy = frame.chain.policy ?? 'ACCEPT';
      m.evaluated?.push(m.stack.length === 0
        ? { table: table.name, chain: frame.chain.name, rule: null, line: 0, result: 'policy', why: `policy ${policy}` }
        : { table: table.name, chain: frame.chain.name, rule: null, line: 0, result: 'return', why: 'end of the chain, back to the caller' });
      if (m.stack.length === 0) {
        // Fell off a built-in chain: its policy decides.
        if (policy === 'DROP') {
          step(m, { table: table.name, chain: frame.chain.name, rule: null, line: 0, note: 'policy DROP' });
          m.verdict = { verdict: 'DROP', reason: `policy of ${table.name} ${frame.chain.name}` };
          return undefined;
        }
        endHook(m, node, packet);
      }
      continue;
    }
    const rule = frame.chain.rules[frame.index]!;
    const r = evaluateRule(rule.shape, m.s, { node, warn, ruleText: `${table.name}: ${rule.text}` });
    for (const c of r.recentChecked) m.checkedAffinity.set(c.name, c.seconds);
    if (r.p <= 0) {
      m.evaluated?.push({ table: table.name, chain: frame.chain.name, rule: rule.text, line: rule.line, result: 'no', ...(r.why !== undefined ? { why: r.why } : {}) });
      frame.index++;
      continue;
    }
    if (r.p < 1) {
      const a = clone(m, m.probability * r.p);
      const b = clone(m, m.probability * (1 - r.p));
      b.stack[b.stack.length - 1]!.index++;
      const chance = `random choice with p=${r.p.toFixed(3)}`;
      a.evaluated?.push({ table: table.name, chain: frame.chain.name, rule: rule.text, line: rule.line, result: 'taken', why: chance });
      b.evaluated?.push({ table: table.name, chain: frame.chain.name, rule: rule.text, line: rule.line, result: 'not taken', why: chance });
      step(a, ruleStep(table, frame.chain, rule));
      applyTarget(a, rule, table, node, packet, warn, r.recentSet);
      return [a, b];
    }
    const added = addedNote(rule);
    m.evaluated?.push({ table: table.name, chain: frame.chain.name, rule: rule.text, line: rule.line, result: 'match', ...(added !== undefined ? { why: added } : {}) });
    step(m, ruleStep(table, frame.chain, rule));
    applyTarget(m, rule, table, node, packet, warn, r.recentSet);
  }
}

/** Where a rule not in the dump (line 0) comes from: kubelet's chains or kube-proxy's jumps (jumps.ts). */
function addedNote(rule: DumpRule): string | undefined {
  if (rule.addedBy === 'kubelet') return 'added: kubelet makes this chain and rule';
  return rule.line === 0 ? 'added: kube-proxy installs this jump' : undefined;
}

function ruleStep(table: TableDump, chain: ChainDump, rule: DumpRule): TraceStep {
  const s: TraceStep = { table: table.name, chain: chain.name, rule: rule.text, line: rule.line };
  const added = addedNote(rule);
  if (added !== undefined) s.note = added;
  const target = rule.shape.target?.name;
  if (target !== undefined && table.chains.has(target)) s.jumpTo = target;
  return s;
}

/** The hook is done: plan the hooks after the routing decision, then move on. */
function endHook(m: Machine, node: NodeContext, packet: Packet): void {
  const hook = m.hooks[m.hookIndex]!;
  m.stack = [];
  m.table = null;
  m.hookIndex++;
  const local = isLocal(m.s.dst, node);
  if (packet.from !== 'node' && hook.chain === 'PREROUTING') {
    m.hooks.push(...(local
      ? [{ table: 'filter', chain: 'INPUT' }, { table: 'nat', chain: 'INPUT' }]
      : [{ table: 'filter', chain: 'FORWARD' }, { table: 'nat', chain: 'POSTROUTING' }]));
  } else if (packet.from === 'node' && hook.table === 'nat' && hook.chain === 'POSTROUTING' && local) {
    // Delivered over loopback: conntrack has already done NAT, but filter INPUT still runs,
    // and there the packet comes in on lo.
    m.hooks.push({ table: 'filter', chain: 'INPUT' });
    m.s.inInterface = LOOPBACK;
  }
}

function applyTarget(m: Machine, rule: DumpRule, table: TableDump, node: NodeContext, packet: Packet, warn: (w: string) => void, recentSet: MatchResult['recentSet']): void {
  for (const { name, key } of recentSet) {
    m.s.recent.add(key);
    m.affinity = { name, seconds: m.checkedAffinity.get(name) ?? null };
  }
  const frame = m.stack[m.stack.length - 1]!;
  const t = rule.shape.target;
  if (!t) {
    frame.index++;
    return;
  }
  const option = (name: string): string | undefined => t.options.find((o) => o.name === name)?.values[0];
  switch (t.name) {
    case 'ACCEPT':
      endHook(m, node, packet);
      return;
    case 'DROP':
    case 'REJECT':
      m.verdict = { verdict: t.name, reason: reasonOf(rule) };
      return;
    case 'RETURN':
      m.stack.pop();
      if (m.stack.length === 0) {
        // RETURN from a built-in chain: its policy.
        if ((frame.chain.policy ?? 'ACCEPT') === 'DROP') m.verdict = { verdict: 'DROP', reason: `policy of ${table.name} ${frame.chain.name}` };
        else endHook(m, node, packet);
      }
      return;
    case 'DNAT': {
      const to = option('--to-destination') ?? option('--to');
      if (to === undefined) throw new TraceError(`DNAT without --to-destination at line ${rule.line}: ${rule.text}`);
      const n = parseNatRange(to);
      m.s.dst = n.ip;
      if (n.ports) m.s.dport = n.ports.first;
      m.s.ctStates.add('DNAT');
      m.dnat = hostPort(m.s.dst, m.s.dport);
      if (n.ports && n.ports.first !== n.ports.last) warn(`DNAT to a port range; the first port is assumed: ${rule.text}`);
      endHook(m, node, packet);
      return;
    }
    case 'MASQUERADE':
    case 'SNAT':
      m.masquerade = true;
      m.s.ctStates.add('SNAT');
      endHook(m, node, packet);
      return;
    case 'MARK': {
      const o = t.options[0];
      if (o && (MARK_OPERATIONS as readonly string[]).includes(o.name)) {
        m.s.mark = applyMark(m.s.mark, markAction(o.name as MarkOperation, o.values[0] ?? ''));
      } else if (o) {
        warn(`MARK ${o.name} is not simulated; the mark is left as it was: ${rule.text}`);
      }
      frame.index++;
      return;
    }
    default: {
      const target = table.chains.get(t.name);
      if (!target) {
        if (/^[A-Z0-9_]+$/.test(t.name) && !t.name.startsWith('KUBE-')) {
          if (!NON_TERMINATING_QUIET.has(t.name)) warn(`target ${t.name} is not simulated; treated as doing nothing: ${rule.text}`);
          frame.index++;
          return;
        }
        throw new TraceError(`line ${rule.line}: ${t.name} is not a chain of table ${table.name}: ${rule.text}`);
      }
      if (m.stack.length >= MAX_DEPTH) throw new TraceError(`chains nested deeper than ${MAX_DEPTH}; is there a loop? at ${rule.text}`);
      if (t.goto) m.stack.pop();
      else frame.index++;
      m.stack.push({ chain: target, index: 0 });
      m.path.push(target.name);
    }
  }
}
