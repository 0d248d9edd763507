/**
 * TraceResult → text: the packet, the walk (matched rules, table by table; a random choice
 * opens one indented block per branch), then every outcome with its probability.
 */
import { formatIP } from '../model/ip.js';
import type { Outcome, Packet, TraceResult, TraceTree } from './types.js';

function formatProbability(p: number): string {
  return p.toFixed(3);
}

function endpoint(ip: Packet['src'], port: number): string {
  return ip.family === 6 ? `[${formatIP(ip)}]:${port}` : `${formatIP(ip)}:${port}`;
}

function describePacket(p: Packet): string {
  const from = p.from === 'node' ? 'the node itself' : p.from === 'pod' ? 'a pod' : 'another host';
  return `${p.protocol} ${endpoint(p.src, p.sport)} -> ${endpoint(p.dst, p.dport)}, from ${from}`;
}

function formatOutcome(o: Outcome): string {
  const what = o.verdict === 'DNAT' || o.verdict === 'ACCEPT' ? `${o.verdict} ${o.destination}` : `${o.verdict} (${o.reason})`;
  let s = `${what}  p=${formatProbability(o.probability)}`;
  if (o.verdict === 'DNAT' || o.verdict === 'ACCEPT') s += `  masquerade: ${o.masquerade ? 'yes' : 'no'}`;
  if (o.affinity) {
    s += `  affinity: later packets from this client stick to it${o.affinity.seconds !== null ? ` for ${o.affinity.seconds}s` : ''}`;
  }
  return s;
}

/**
 * Whether the packet came back from the chain `steps[i]` jumped to without any rule there
 * matching: the next step (or, at the end of a walk without further choices, the outcome) is
 * not in that chain. Unknown when a random choice follows.
 */
function returnedEmpty(t: TraceTree, i: number): boolean {
  const s = t.steps[i]!;
  if (s.jumpTo === undefined) return false;
  const next = t.steps[i + 1];
  if (next) return next.table !== s.table || next.chain !== s.jumpTo;
  return t.branches.length === 0;
}

function renderTree(t: TraceTree, indent: string, out: string[]): void {
  t.steps.forEach((s, i) => {
    const notes = [s.note, returnedEmpty(t, i) ? `no rule in ${s.jumpTo} matched` : undefined].filter((n) => n !== undefined);
    if (s.rule === null) {
      out.push(`${indent}${s.table.padEnd(6)} ${s.chain}: ${s.note ?? ''}`);
      return;
    }
    out.push(`${indent}${s.table.padEnd(6)} ${s.rule}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`);
  });
  for (const b of t.branches) {
    out.push(`${indent}[p=${formatProbability(b.probability)}] random choice ${b.label === 'matched' ? 'taken' : 'not taken'}:`);
    renderTree(b.tree, `${indent}    `, out);
  }
  if (t.outcome) out.push(`${indent}=> ${formatOutcome(t.outcome)}`);
}

export function renderTrace(packet: Packet, r: TraceResult): string {
  const out: string[] = [`Packet: ${describePacket(packet)}`, '', 'Path:'];
  renderTree(r.tree, '  ', out);
  out.push('', 'Outcomes:');
  for (const o of r.outcomes) out.push(`  ${formatOutcome(o)}`);
  return `${out.join('\n')}\n`;
}

/** The JSON form: one object per outcome. */
export function outcomesJSON(r: TraceResult): string {
  const list = r.outcomes.map((o) => ({
    verdict: o.verdict,
    destination: o.destination,
    probability: o.probability,
    masquerade: o.masquerade,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.affinity ? { affinity: o.affinity } : {}),
    path: o.path,
    rules: o.steps.map((s) => ({ table: s.table, chain: s.chain, rule: s.rule, line: s.line, ...(s.note ? { note: s.note } : {}) })),
  }));
  return `${JSON.stringify(list, null, 2)}\n`;
}
