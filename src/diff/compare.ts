/**
 * Compare the kube-proxy parts of two dumps (owned.ts) rule by rule, per chain, by meaning
 * (iptables/canonical.ts): counters, `#` comments, chain declaration order, table order and the
 * restore-vs-save spelling of a rule do not count; the order of rules within a chain does.
 * Pure: dumps in, DiffResult out.
 */
import { compareChainNames } from '../emit/canonical-order.js';
import type { Dump } from '../iptables/dump-types.js';
import { ruleWords } from '../iptables/dump.js';
import type { DumpRule } from '../iptables/dump-types.js';
import { keyOf, ownedView, servicePortOf, type OwnedChain } from './owned.js';
import { Spelling } from './respell.js';
import { diffSequences, type Edit } from './sequence.js';
import { ServicePortIndex } from './service-ports.js';
import type { ChainDiff, DiffLine, DiffResult, ServicePortDiff } from './types.js';

const TABLE_ORDER = ['filter', 'nat', 'mangle', 'raw', 'security'];

function tableRank(t: string): number {
  const i = TABLE_ORDER.indexOf(t);
  return i < 0 ? TABLE_ORDER.length : i;
}

/**
 * The chains that dispatch to every service port. kube-proxy writes their rules in Go map
 * order of services, which changes between syncs and nodes, and each service port's rules
 * there match packets no other service port's rules match (their own VIP and port, or node
 * port). So only the order within a service port counts: between rules that belong to no
 * service port (the jump to KUBE-NODEPORTS that must stay last), runs of service-port rules
 * are compared grouped by service port, much as kube-proxy's own tests sort these chains
 * before comparing dumps.
 */
const DISPATCH_CHAINS = new Set(['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES', 'KUBE-PROXY-FIREWALL']);

function dispatchOrder(c: OwnedChain): OwnedChain {
  if (!DISPATCH_CHAINS.has(c.chain)) return c;
  const rules: OwnedChain['rules'] = [];
  let run: { r: OwnedChain['rules'][number]; i: number; sp: string }[] = [];
  const flush = (): void => {
    run.sort((x, y) => (x.sp !== y.sp ? (x.sp < y.sp ? -1 : 1) : x.i - y.i));
    rules.push(...run.map((k) => k.r));
    run = [];
  };
  c.rules.forEach((r, i) => {
    const sp = servicePortOf(r);
    if (sp === undefined) {
      flush();
      rules.push(r);
    } else {
      run.push({ r, i, sp });
    }
  });
  flush();
  return { ...c, rules };
}

/**
 * The edits that turn chain A into chain B, by meaning. Rules are first matched by how they
 * are written (cheap: no rule is read). The runs written differently are matched again in the
 * save form (respell.ts): a rule can be spelled two ways, kp-gen's restore text and what
 * iptables-save prints, and written in the other side's form it is the same text again, read
 * on one side only. What still differs is read and matched by compare key. Keys are given for
 * the rules of edits other than '='.
 */
function chainEdits(
  a: Dump,
  ra: readonly DumpRule[],
  b: Dump,
  rb: readonly DumpRule[],
  spelling: Spelling,
): { edits: Edit[]; keysA: Map<number, string>; keysB: Map<number, string> } {
  const keysA = new Map<number, string>();
  const keysB = new Map<number, string>();
  const edits: Edit[] = [];
  const wa = ra.map(ruleWords);
  const wb = rb.map(ruleWords);
  const replaced = (n: number, m: number): Edit[] => {
    const out: Edit[] = [];
    for (let index = 0; index < n; index++) out.push({ op: '-', index });
    for (let index = 0; index < m; index++) out.push({ op: '+', index });
    return out;
  };
  /** Match the rules `removed` of A against `added` of B at `level`: 0 as written, 1 in the save form, 2 by key. */
  const match = (removed: number[], added: number[], level: number): void => {
    if (level === 1 && (removed.length === 0 || added.length === 0)) level = 2;
    let sa: string[];
    let sb: string[];
    if (level === 0) {
      sa = removed.map((x) => wa[x]!);
      sb = added.map((x) => wb[x]!);
    } else if (level === 1) {
      const r = spelling.respell(
        a,
        removed.map((x) => ra[x]!),
        removed.map((x) => wa[x]!),
        b,
        added.map((x) => rb[x]!),
        added.map((x) => wb[x]!),
      );
      if (!r) return match(removed, added, 2);
      [sa, sb] = r;
    } else {
      sa = removed.map((x) => keyOf(a, ra[x]!));
      sb = added.map((x) => keyOf(b, rb[x]!));
    }
    // Dumps in two spellings share (almost) no written rule: then the whole chain is one run,
    // not first a text diff that finds next to nothing. (In KUBE-SERVICES, only the rule
    // that jumps to KUBE-NODEPORTS is written alike in both forms; a text diff of its 20k
    // rules against each other costs Myers' limit of 4000 edits, O(D²) memory and time,
    // before it gives up.)
    let common = level > 0;
    if (!common) {
      const inB = new Set(sb);
      let alike = 0;
      for (const w of sa) if (inB.has(w)) alike++;
      common = alike > 0 && alike * 2 >= Math.min(sa.length, sb.length);
    }
    const steps = common ? diffSequences(sa, sb) : replaced(sa.length, sb.length);
    let i = 0;
    while (i < steps.length) {
      const e = steps[i]!;
      if (e.op === '=') {
        edits.push({ op: '=', index: removed[e.index]! });
        i++;
        continue;
      }
      if (level === 2) {
        if (e.op === '-') {
          keysA.set(removed[e.index]!, sa[e.index]!);
          edits.push({ op: '-', index: removed[e.index]! });
        } else {
          keysB.set(added[e.index]!, sb[e.index]!);
          edits.push({ op: '+', index: added[e.index]! });
        }
        i++;
        continue;
      }
      // A run of edits: its removed rules of A and added rules of B, matched again a level up.
      const runA: number[] = [];
      const runB: number[] = [];
      for (; i < steps.length && steps[i]!.op !== '='; i++) (steps[i]!.op === '-' ? runA : runB).push((steps[i]!.op === '-' ? removed : added)[steps[i]!.index]!);
      match(runA, runB, level + 1);
    }
  };
  match(
    wa.map((_, x) => x),
    wb.map((_, x) => x),
    0,
  );
  return { edits, keysA, keysB };
}

export function compareDumps(a: Dump, b: Dump): DiffResult {
  let viewA = ownedView(a);
  let viewB = ownedView(b);
  const notes: string[] = [];
  for (const [view, dump] of [[viewA, a], [viewB, b]] as const) {
    let live = false;
    for (const c of view.values()) {
      if (c.inert) continue;
      live = true;
      break;
    }
    if (!live) notes.push(`${dump.source} has no KUBE-* rules`);
  }
  const jumpsA = viewA.hasJumps();
  const jumpsB = viewB.hasJumps();
  if (jumpsA !== jumpsB) {
    const without = jumpsA ? b.source : a.source;
    notes.push(
      `${without} has no jumps from built-in chains into KUBE-* chains (kp-gen output without --include-jumps?); jumps not compared`,
    );
    viewA = viewA.withoutJumpsView();
    viewB = viewB.withoutJumpsView();
  }

  const index = new ServicePortIndex([viewA, viewB]);
  const spelling = new Spelling();
  const groups = new Map<string | null, Map<string, ChainDiff>>();
  let added = 0;
  let removed = 0;
  let moved = 0;
  const add = (c: OwnedChain, only: ChainDiff['only'], line: DiffLine | null, servicePort: string | undefined): void => {
    const key = servicePort ?? null;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new Map()));
    const id = `${c.table} ${c.chain}`;
    let cd = g.get(id);
    if (!cd) g.set(id, (cd = { table: c.table, chain: c.chain, only, lines: [] }));
    if (line) {
      cd.lines.push(line);
      if (line.op === '+') added++;
      else if (line.op === '-') removed++;
      else moved++;
    }
  };

  // Every chain of A (with B's of the same name), then B's that A lacks.
  const pairs = function* (): Generator<[OwnedChain | undefined, OwnedChain | undefined]> {
    for (const ca of viewA.values()) yield [ca, viewB.get(ca.table, ca.chain)];
    for (const cb of viewB.values()) if (!viewA.has(cb.table, cb.chain)) yield [undefined, cb];
  };
  for (const [ca, cb] of pairs()) {
    const liveA = ca !== undefined && !ca.inert;
    const liveB = cb !== undefined && !cb.inert;
    if (!liveA && !liveB) continue;
    if (!ca || !cb) {
      // Declared on one side only.
      const c = (ca ?? cb)!;
      const op = ca ? '-' : '+';
      const only = ca ? 'a' : 'b';
      if (c.rules.length === 0) add(c, only, null, index.ofChain(c.chain));
      const dump = ca ? a : b;
      for (const r of c.rules) add(c, only, { op, rule: r.text, key: keyOf(dump, r) }, index.ofRule(r));
      continue;
    }
    // Written alike, rule for rule (most chains): equal, and nothing to read or allocate.
    // (The same objects, with diff --manifests, where the planned rules are B's: emit/dump.ts.)
    if (ca.rules === cb.rules) continue;
    if (ca.rules.length === cb.rules.length && ca.rules.every((r, i) => r === cb.rules[i] || ruleWords(r) === ruleWords(cb.rules[i]!))) continue;
    const sa = dispatchOrder(ca);
    const sb = dispatchOrder(cb);
    const { edits, keysA, keysB } = chainEdits(a, sa.rules, b, sb.rules, spelling);
    // A rule removed at one place and added at another of the same chain has moved.
    const addedAt = new Map<string, number[]>();
    for (const e of edits) {
      if (e.op !== '+') continue;
      const k = keysB.get(e.index)!;
      const list = addedAt.get(k);
      if (list) list.push(e.index);
      else addedAt.set(k, [e.index]);
    }
    const movedTo = new Map<number, number>();
    for (const e of edits) {
      if (e.op !== '-') continue;
      const to = addedAt.get(keysA.get(e.index)!)?.shift();
      if (to !== undefined) movedTo.set(e.index, to);
    }
    const movedFrom = new Set(movedTo.values());
    for (const e of edits) {
      if (e.op === '=') continue;
      if (e.op === '+' && movedFrom.has(e.index)) continue;
      const own = (e.op === '-' ? sa : sb).rules[e.index]!;
      const key = (e.op === '-' ? keysA : keysB).get(e.index)!;
      const to = e.op === '-' ? movedTo.get(e.index) : undefined;
      if (to !== undefined) {
        const moved = sb.rules[to]!;
        add(ca, null, { op: '>', rule: moved.text, from: e.index + 1, to: to + 1, key }, index.ofRule(moved));
      } else {
        add(ca, null, { op: e.op, rule: own.text, key }, index.ofRule(own));
      }
    }
  }

  const out: ServicePortDiff[] = [...groups.entries()]
    .sort(([x], [y]) => (x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1))
    .map(([servicePort, chains]) => ({
      servicePort,
      chains: [...chains.values()].sort((x, y) => tableRank(x.table) - tableRank(y.table) || x.table.localeCompare(y.table) || compareChainNames(x.chain, y.chain)),
    }));
  return { equal: out.length === 0, a: a.source, b: b.source, notes, groups: out, added, removed, moved };
}
