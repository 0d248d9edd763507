/**
 * The walk as a reader wants it: what every outcome shares is shown once. A Service with 50
 * endpoints gives 50 outcomes whose paths agree up to the KUBE-SVC chain (the `head`), differ
 * in the statistic rule that picked the endpoint and the endpoint's KUBE-SEP chain (each
 * outcome's `own` steps), and agree again from the filter hook on (the `tail`). The random
 * choice between them is one `choice`: where it is made and with which probabilities.
 * The text printer and the JSON printer (render.ts) both show this structure.
 */
import type { Outcome, TraceResult, TraceStep } from './types.js';

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

export function collapse(r: TraceResult): CollapsedTrace {
  const paths = r.outcomes.map((o) => shown(o.steps));
  if (paths.length <= 1) {
    return { head: paths[0] ?? [], choice: null, tail: [], outcomes: r.outcomes.map((outcome) => ({ outcome, own: [] })) };
  }
  const shortest = Math.min(...paths.map((p) => p.length));
  let head = 0;
  while (head < shortest && paths.every((p) => sameStep(p[head]!.step, paths[0]![head]!.step))) head++;
  let tail = 0;
  while (
    head + tail < shortest &&
    paths.every((p) => sameStep(p[p.length - 1 - tail]!.step, paths[0]![paths[0]!.length - 1 - tail]!.step))
  ) {
    tail++;
  }
  const owns = paths.map((p) => p.slice(head, p.length - tail));
  const first = owns[0]![0]?.step ?? paths[0]![head - 1]?.step;
  const probs = r.outcomes.map((o) => o.probability);
  const each = probs.every((p) => Math.abs(p - probs[0]!) < EQUAL) ? probs[0]! : null;
  let choice: Choice | null = null;
  if (first) {
    const chain = first.chain;
    const sameChain = owns.every((own) => own[0] !== undefined && own[0].step.chain === chain && own[0].step.table === first.table);
    choice = {
      table: first.table,
      chain,
      kind: sameChain && /^KUBE-(SVC|SVL)-/.test(chain) ? 'endpoints' : 'paths',
      among: r.outcomes.length,
      each,
    };
  }
  return {
    head: paths[0]!.slice(0, head),
    choice,
    tail: paths[0]!.slice(paths[0]!.length - tail),
    outcomes: r.outcomes.map((outcome, i) => ({ outcome, own: owns[i]! })),
  };
}
