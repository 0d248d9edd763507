/**
 * TraceResult → text: the packet, the walk (matched rules, table by table; a random choice
 * opens one indented block per branch), then every outcome with its probability.
 */
import { formatIP } from '../model/ip.js';
import { collapse, collapseExplanation, type Choice, type ShownStep } from './collapse.js';
import type { Evaluation, Outcome, Packet, TraceResult, TraceStep } from './types.js';

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

function renderStep(s: ShownStep, indent: string, out: string[]): void {
  const st = s.step;
  if (st.rule === null) {
    out.push(`${indent}${st.table.padEnd(6)} ${st.chain}: ${st.note ?? ''}`);
    return;
  }
  const notes = [st.note, s.returnedEmpty ? `no rule in ${st.jumpTo} matched` : undefined].filter((n) => n !== undefined);
  out.push(`${indent}${st.table.padEnd(6)} ${st.rule}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`);
}

function describeChoice(c: Choice): string {
  const what = `${c.among} ${c.kind}`;
  const p = c.each !== null ? `${formatProbability(c.each)} each` : 'each with its probability';
  return `random choice among ${what}, ${p}; see Outcomes`;
}

export interface RenderOptions {
  /** Only the packet and its outcomes, not the path. */
  brief?: boolean;
  /** Every rule evaluated, matched or not (the result must come from a trace with `explain`). */
  explain?: boolean;
}

function renderEvaluation(e: Evaluation, indent: string, out: string[]): void {
  const what = e.rule ?? `${e.chain}:`;
  const why = e.why === undefined ? '' : e.rule === null ? ` ${e.why}` : `  (${e.why})`;
  out.push(`${indent}${e.table.padEnd(6)} ${e.result.padEnd(9)} ${what}${why}`);
}

function renderExplained(r: TraceResult, out: string[]): void {
  const view = collapseExplanation(r);
  out.push('Path, every rule evaluated (match; no: the part that did not match; taken/not taken: a random choice; return, policy: the end of a chain):');
  for (const e of view.head) renderEvaluation(e, '  ', out);
  if (view.choice) out.push(`  ${view.choice.table.padEnd(6)} ${view.choice.chain}: ${describeChoice(view.choice)}`);
  if (view.tail.length > 0) {
    out.push('  then, whichever is chosen:');
    for (const e of view.tail) renderEvaluation(e, '  ', out);
  }
  if (view.outcomes.length === 1) out.push(`  => ${formatOutcome(view.outcomes[0]!.outcome)}`);
  out.push('', 'Outcomes:');
  for (const o of view.outcomes) {
    out.push(`  ${formatOutcome(o.outcome)}`);
    for (const e of o.own) renderEvaluation(e, '      ', out);
  }
}

export function renderTrace(packet: Packet, r: TraceResult, opts: RenderOptions = {}): string {
  const view = collapse(r);
  const out: string[] = [`Packet: ${describePacket(packet)}`, ''];
  if (opts.explain && !opts.brief) {
    renderExplained(r, out);
    return `${out.join('\n')}\n`;
  }
  if (!opts.brief) {
    out.push('Path:');
    for (const s of view.head) renderStep(s, '  ', out);
    if (view.choice) out.push(`  ${view.choice.table.padEnd(6)} ${view.choice.chain}: ${describeChoice(view.choice)}`);
    if (view.tail.length > 0) {
      out.push('  then, whichever is chosen:');
      for (const s of view.tail) renderStep(s, '  ', out);
    }
    if (view.outcomes.length === 1) out.push(`  => ${formatOutcome(view.outcomes[0]!.outcome)}`);
    out.push('');
  }
  out.push('Outcomes:');
  for (const o of view.outcomes) {
    out.push(`  ${formatOutcome(o.outcome)}`);
    if (!opts.brief) for (const s of o.own) renderStep(s, '      ', out);
  }
  return `${out.join('\n')}\n`;
}

function stepJSON(s: TraceStep): Record<string, unknown> {
  return { table: s.table, chain: s.chain, rule: s.rule, line: s.line, ...(s.note ? { note: s.note } : {}) };
}

function shownJSON(s: ShownStep): Record<string, unknown> {
  return { ...stepJSON(s.step), ...(s.returnedEmpty ? { returnedEmpty: true } : {}) };
}

/**
 * The JSON form, the collapsed structure of the text (README: "--json"): the packet, the notes,
 * `path` (the steps every outcome shares), `choice` (where the outcomes part, or null), `then`
 * (the steps every outcome shares after its own), and `outcomes`, each with its own `steps`
 * between the two, and, in full, the chains it passed (`path`) and the rules it matched (`rules`).
 */
export function traceJSON(packet: Packet, r: TraceResult): string {
  const view = collapse(r);
  const explained = r.outcomes.some((o) => o.evaluated !== undefined) ? collapseExplanation(r) : null;
  const doc = {
    packet: {
      protocol: packet.protocol,
      src: formatIP(packet.src),
      sport: packet.sport,
      dst: formatIP(packet.dst),
      dport: packet.dport,
      from: packet.from,
    },
    notes: r.notes,
    path: view.head.map(shownJSON),
    choice: view.choice,
    then: view.tail.map(shownJSON),
    ...(explained ? { evaluated: { path: explained.head, then: explained.tail } } : {}),
    outcomes: view.outcomes.map(({ outcome: o, own }, i) => ({
      verdict: o.verdict,
      destination: o.destination,
      probability: o.probability,
      masquerade: o.masquerade,
      ...(o.reason !== undefined ? { reason: o.reason } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      steps: own.map(shownJSON),
      path: o.path,
      rules: o.steps.map(stepJSON),
      ...(explained ? { evaluated: explained.outcomes[i]!.own } : {}),
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
