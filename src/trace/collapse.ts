/**
 * The walk as a reader wants it: what every outcome shares is shown once. A Service with 50
 * endpoints gives 50 outcomes whose paths agree up to the KUBE-SVC chain (the `head`), differ
 * in the statistic rule that picked the endpoint and the endpoint's KUBE-SEP chain (each
 * outcome's `own` steps), and agree again from the filter hook on (the `tail`). The random
 * choice between them is one `choice`: where it is made and with which probabilities.
 * The text printer and the JSON printer (render.ts) both show this structure.
 */
import type { Evaluation, Outcome, TraceResult, TraceStep } from './types.js';

/** A step as shown: the step and whether the chain it jumped to gave it back unmatched. */
export interface ShownStep {
  step: TraceStep;
  /** The chain the step jumped to returned without any rule in it matching. */
  returnedEmpty: boolean;
}

export interface Choice {
  table: string;
  /** The chain where the outcomes part (KUBE-SVC-…, KUBE-SVL-…), from their first own step. */
  chain: string;
  /** `endpoints` when every outcome leaves that KUBE-SVC/SVL chain by its own rule; else `paths`. */
  kind: 'endpoints' | 'paths';
  among: number;
  /** The probability of each, when they are all equal (kube-proxy's split); else null. */
  each: number | null;
}

export interface CollapsedTrace {
  head: ShownStep[];
  choice: Choice | null;
  tail: ShownStep[];
  outcomes: { outcome: Outcome; own: ShownStep[] }[];
}

function sameStep(a: TraceStep, b: TraceStep): boolean {
  return a === b || (a.table === b.table && a.chain === b.chain && a.line === b.line && a.rule === b.rule && a.note === b.note);
}

/** Every step of one path, with the "returned empty" mark worked out from the step after it. */
function shown(steps: readonly TraceStep[]): ShownStep[] {
  return steps.map((s, i) => {
    if (s.jumpTo === undefined) return { step: s, returnedEmpty: false };
    const next = steps[i + 1];
    return { step: s, returnedEmpty: next === undefined || next.table !== s.table || next.chain !== s.jumpTo };
  });
}

const EQUAL = 1e-9;

/** Longest shared head and (after it) tail of several lists, and what is left of each. */
function fold<T>(lists: readonly (readonly T[])[], same: (a: T, b: T) => boolean): { head: number; tail: number } {
  const first = lists[0]!;
  const shortest = Math.min(...lists.map((p) => p.length));
  let head = 0;
  while (head < shortest && lists.every((p) => same(p[head]!, first[head]!))) head++;
  let tail = 0;
  while (head + tail < shortest && lists.every((p) => same(p[p.length - 1 - tail]!, first[first.length - 1 - tail]!))) tail++;
  return { head, tail };
}

function choiceOf(r: TraceResult, first: { table: string; chain: string } | undefined, owns: readonly (readonly { table: string; chain: string }[])[]): Choice | null {
  if (!first) return null;
  const probs = r.outcomes.map((o) => o.probability);
  const each = probs.every((p) => Math.abs(p - probs[0]!) < EQUAL) ? probs[0]! : null;
  const sameChain = owns.every((own) => own[0] !== undefined && own[0].chain === first.chain && own[0].table === first.table);
  return {
    table: first.table,
    chain: first.chain,
    kind: sameChain && /^KUBE-(SVC|SVL)-/.test(first.chain) ? 'endpoints' : 'paths',
    among: r.outcomes.length,
    each,
  };
}

export function collapse(r: TraceResult): CollapsedTrace {
  const paths = r.outcomes.map((o) => shown(o.steps));
  if (paths.length <= 1) {
    return { head: paths[0] ?? [], choice: null, tail: [], outcomes: r.outcomes.map((outcome) => ({ outcome, own: [] })) };
  }
  const { head, tail } = fold(paths, (a, b) => sameStep(a.step, b.step));
  const owns = paths.map((p) => p.slice(head, p.length - tail));
  const first = owns[0]![0]?.step ?? paths[0]![head - 1]?.step;
  return {
    head: paths[0]!.slice(0, head),
    choice: choiceOf(r, first, owns.map((o) => o.map((s) => s.step))),
    tail: paths[0]!.slice(paths[0]!.length - tail),
    outcomes: r.outcomes.map((outcome, i) => ({ outcome, own: owns[i]! })),
  };
}

/** The same folding for --explain: every rule evaluated, shared head and tail shown once. */
export interface CollapsedExplanation {
  head: Evaluation[];
  choice: Choice | null;
  tail: Evaluation[];
  outcomes: { outcome: Outcome; own: Evaluation[] }[];
}

function sameEvaluation(a: Evaluation, b: Evaluation): boolean {
  return a === b || (a.table === b.table && a.chain === b.chain && a.line === b.line && a.rule === b.rule && a.result === b.result && a.why === b.why);
}

export function collapseExplanation(r: TraceResult): CollapsedExplanation {
  const lists = r.outcomes.map((o) => o.evaluated ?? []);
  if (lists.length <= 1) {
    return { head: lists[0] ?? [], choice: null, tail: [], outcomes: r.outcomes.map((outcome) => ({ outcome, own: [] })) };
  }
  const { head, tail } = fold(lists, sameEvaluation);
  const owns = lists.map((p) => p.slice(head, p.length - tail));
  return {
    head: lists[0]!.slice(0, head),
    choice: choiceOf(r, owns[0]![0] ?? lists[0]![head - 1], owns),
    tail: lists[0]!.slice(lists[0]!.length - tail),
    outcomes: r.outcomes.map((outcome, i) => ({ outcome, own: owns[i]! })),
  };
}
