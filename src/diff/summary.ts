/**
 * DiffResult → one line in words per service port (`--stat`): what a reviewer wants to know
 * before reading rules. Each service port's differences are recognised as kube-proxy makes
 * them: the Service port added or removed, an endpoint (its KUBE-SEP chain) added or removed,
 * the statistic probabilities rebalanced, the masquerade CIDR (`! -s CIDR … -j KUBE-MARK-MASQ`)
 * changed, its chains renamed (the same rules under other hashes: a release that hashes
 * differently), rules moved; what is left is counted per chain. Service ports whose
 * description is the same (one cluster-CIDR change touches every service port alike) are
 * folded into one line with their count.
 */
import type { ChainDiff, DiffLine, DiffResult, ServicePortDiff } from './types.js';
import { terminalSafe } from '../util.js';

export interface SummaryLine {
  /** What changed, in words. */
  text: string;
  /** The service ports it applies to (null: the node-wide rules), in the diff's order. */
  servicePorts: (string | null)[];
}

const HASHED = /KUBE-(SVC|SVL|EXT|FW|XLB|SEP)-[A-Z2-7]{16}/g;
const SEP = /^KUBE-SEP-/;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The endpoint a KUBE-SEP chain DNATs to, from its rules. */
function endpointOf(ch: ChainDiff): string {
  for (const l of ch.lines) {
    const m = /--to-destination (\S+)/.exec(l.rule);
    if (m) return m[1]!;
  }
  return ch.chain;
}

function jumpTarget(l: DiffLine): string | undefined {
  return / -[jg] (KUBE-\S+)/.exec(l.rule)?.[1];
}

/** The `--probability` of a statistic rule, as a number (0.5 and 0.5000000000 alike); undefined without. */
function probabilityOf(l: DiffLine): number | undefined {
  const m = / --probability (\S+)/.exec(l.rule);
  return m ? Number(m[1]) : undefined;
}

/** The `-s CIDR` (negated or not) of a rule, from its compare key, which spells it one way. */
function sourceOf(l: DiffLine): string | undefined {
  return /(?:^| )-s (\S+)/.exec(l.key)?.[1];
}

function withoutSource(l: DiffLine): string {
  return l.key.replace(/(^| )-s \S+/, '$1-s *');
}

/** The same rules under other chain names: every removed key has an added twin once hashes are blanked. */
function renamed(g: ServicePortDiff): string | undefined {
  const removed: string[] = [];
  const added: string[] = [];
  for (const ch of g.chains) {
    for (const l of ch.lines) {
      if (l.op === '>') return undefined;
      (l.op === '-' ? removed : added).push(`${ch.table} ${ch.chain.replace(HASHED, 'KUBE-$1-*')} ${l.key.replace(HASHED, 'KUBE-$1-*')}`);
    }
  }
  if (removed.length === 0 || removed.length !== added.length) return undefined;
  removed.sort();
  added.sort();
  if (!removed.every((k, i) => k === added[i])) return undefined;
  const from = g.chains.filter((c) => c.only === 'a' && !SEP.test(c.chain)).map((c) => c.chain);
  const to = g.chains.filter((c) => c.only === 'b' && !SEP.test(c.chain)).map((c) => c.chain);
  const names = from.length > 0 && from.length === to.length ? `: ${from.map((f, i) => `${f} → ${to[i]}`).join(', ')}` : '';
  return `chains renamed, rules unchanged (another chain-name hash, as between kube-proxy releases)${names}`;
}

function describe(g: ServicePortDiff): string {
  const rename = renamed(g);
  if (rename !== undefined) return rename;
  const all = g.chains.flatMap((c) => c.lines);
  const sepsAdded = g.chains.filter((c) => c.only === 'b' && SEP.test(c.chain));
  const sepsRemoved = g.chains.filter((c) => c.only === 'a' && SEP.test(c.chain));
  const svcOnly = (side: 'a' | 'b'): boolean => g.chains.some((c) => c.only === side && /^KUBE-(SVC|SVL)-/.test(c.chain));
  if (g.servicePort !== null && all.every((l) => l.op === '+') && svcOnly('b')) {
    return `service port added (${plural(sepsAdded.length, 'endpoint')}, ${plural(all.length, 'rule')})`;
  }
  if (g.servicePort !== null && all.every((l) => l.op === '-') && svcOnly('a')) {
    return `service port removed (${plural(sepsRemoved.length, 'endpoint')}, ${plural(all.length, 'rule')})`;
  }
  const words: string[] = [];
  const used = new Set<DiffLine>();
  const sepNames = new Set<string>();
  for (const [list, verb] of [[sepsRemoved, 'removed'], [sepsAdded, 'added']] as const) {
    for (const ch of list) {
      words.push(`endpoint ${endpointOf(ch)} ${verb}`);
      sepNames.add(ch.chain);
      for (const l of ch.lines) used.add(l);
    }
  }
  // The jumps to those endpoints, and the probabilities of the others. A jump to a kept
  // endpoint removed and added with the same probability (written otherwise: a comment added,
  // more digits, as between old releases) is no rebalancing; it is counted with the rest.
  let rebalanced = false;
  for (const ch of g.chains) {
    if (!/^KUBE-(SVC|SVL)-/.test(ch.chain)) continue;
    const jumps = ch.lines.filter((l) => l.op !== '>' && !sepNames.has(jumpTarget(l) ?? '') && SEP.test(jumpTarget(l) ?? ''));
    const sameChance = (l: DiffLine): boolean =>
      jumps.some((o) => o.op !== l.op && jumpTarget(o) === jumpTarget(l) && probabilityOf(o) === probabilityOf(l));
    for (const l of ch.lines) {
      const t = jumpTarget(l);
      if (t !== undefined && sepNames.has(t)) used.add(l);
      else if (jumps.includes(l) && !sameChance(l)) {
        used.add(l);
        rebalanced = true;
      }
    }
  }
  if (rebalanced) words.push('probabilities rebalanced');
  // Source CIDRs changed (the cluster CIDR, in the masquerade rules and KUBE-EXT's pod-traffic
  // rules): a removed and an added rule of one chain that differ only in their `-s CIDR`.
  const cidrChanges = new Map<string, { from: Set<string>; to: Set<string> }>();
  for (const ch of g.chains) {
    if (ch.only !== null) continue;
    const pending = new Map<string, DiffLine[]>();
    for (const l of ch.lines) {
      if (used.has(l) || l.op !== '-' || sourceOf(l) === undefined) continue;
      const k = withoutSource(l);
      pending.set(k, [...(pending.get(k) ?? []), l]);
    }
    for (const l of ch.lines) {
      if (used.has(l) || l.op !== '+' || sourceOf(l) === undefined) continue;
      const twin = pending.get(withoutSource(l))?.shift();
      if (!twin) continue;
      const what = / -j KUBE-MARK-MASQ\b/.test(l.rule) ? 'masquerade CIDR' : `source CIDR in ${ch.chain.replace(HASHED, 'KUBE-$1')}`;
      let c = cidrChanges.get(what);
      if (!c) cidrChanges.set(what, (c = { from: new Set(), to: new Set() }));
      c.from.add(sourceOf(twin)!);
      c.to.add(sourceOf(l)!);
      used.add(l);
      used.add(twin);
    }
  }
  for (const [what, c] of cidrChanges) words.push(`${what} ${[...c.from].sort().join(', ')} → ${[...c.to].sort().join(', ')}`);
  // A Service port that had no endpoints (a REJECT in KUBE-SERVICES) and now has, or the reverse.
  for (const l of all) {
    if (used.has(l) || l.op === '>' || !/has no endpoints"? .*-j REJECT/.test(l.rule)) continue;
    words.push(l.op === '-' ? 'no longer rejected for having no endpoints' : 'now rejected: no endpoints');
    used.add(l);
  }
  // Whatever is left, per kind of chain (hashes blanked, so that service ports can share the
  // words; the chains of one kind, such as a service port's KUBE-SEP chains, counted together).
  const left = new Map<string, Record<DiffLine['op'], number>>();
  for (const ch of g.chains) {
    if (ch.lines.length === 0 && ch.only !== null) {
      words.push(`${ch.table} ${ch.chain}: empty chain ${ch.only === 'a' ? 'removed' : 'added'}`);
      continue;
    }
    const rest = ch.lines.filter((l) => !used.has(l));
    if (rest.length === 0) continue;
    const where = g.servicePort === null ? ch.chain : ch.chain.replace(HASHED, 'KUBE-$1');
    const only = ch.only === null ? '' : ch.only === 'a' ? ' (chain removed)' : ' (chain added)';
    const key = `${ch.table} ${where}${only}`;
    let n = left.get(key);
    if (!n) left.set(key, (n = { '-': 0, '+': 0, '>': 0 }));
    for (const l of rest) n[l.op]++;
  }
  for (const [key, n] of left) {
    const parts = [n['-'] > 0 ? `${n['-']} removed` : '', n['+'] > 0 ? `${n['+']} added` : '', n['>'] > 0 ? `${n['>']} moved` : ''].filter((p) => p !== '');
    words.push(`${key} rules: ${parts.join(', ')}`);
  }
  return words.join('; ');
}

/** One line per service port, identical lines folded, in the diff's order of first appearance. */
export function summarize(r: DiffResult): SummaryLine[] {
  const byText = new Map<string, SummaryLine>();
  for (const g of r.groups) {
    const text = describe(g);
    const line = byText.get(text);
    if (line) line.servicePorts.push(g.servicePort);
    else byText.set(text, { text, servicePorts: [g.servicePort] });
  }
  return [...byText.values()];
}

const LISTED = 3;

export function renderSummary(lines: readonly SummaryLine[]): string[] {
  return lines.map((l) => {
    const names = l.servicePorts.map((p) => p ?? 'node-wide rules');
    // Addresses and CIDRs come from the dumps' text: none reaches the terminal raw.
    if (names.length === 1) return terminalSafe(`${names[0]}: ${l.text}`);
    const shown = names.slice(0, LISTED).join(', ');
    const more = names.length > LISTED ? ` and ${names.length - LISTED} more` : '';
    return terminalSafe(`${names.length} service ports: ${l.text} (${shown}${more})`);
  });
}
