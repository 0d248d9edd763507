import { describe, expect, it } from 'vitest';
import { collapse } from './collapse.js';
import type { Outcome, TraceResult, TraceStep } from './types.js';

const step = (chain: string, rule: string, jumpTo?: string): TraceStep => ({ table: 'nat', chain, rule: `-A ${chain} ${rule}`, line: 1, ...(jumpTo ? { jumpTo } : {}) });
const outcome = (p: number, steps: TraceStep[]): Outcome => ({ verdict: 'DNAT', destination: `10.0.0.${steps.length}:80`, probability: p, masquerade: false, path: [], steps });
const result = (outcomes: Outcome[]): TraceResult => ({ outcomes, notes: [], warnings: [] });

describe('collapse', () => {
  const head = [step('PREROUTING', '-j KUBE-SERVICES', 'KUBE-SERVICES'), step('KUBE-SERVICES', '-d 10.96.0.1 -j KUBE-SVC-A', 'KUBE-SVC-A')];
  const tail = [step('POSTROUTING', '-j KUBE-POSTROUTING', 'KUBE-POSTROUTING')];
  const own = (n: number): TraceStep[] => [step('KUBE-SVC-A', `-m statistic -j KUBE-SEP-${n}`, `KUBE-SEP-${n}`), step(`KUBE-SEP-${n}`, `-j DNAT --to-destination 10.0.0.${n}:80`)];

  it('shows what all outcomes share once, and names the random choice among endpoints', () => {
    const v = collapse(result([outcome(0.5, [...head, ...own(1), ...tail]), outcome(0.5, [...head, ...own(2), ...tail])]));
    expect(v.head.map((s) => s.step)).toEqual(head);
    expect(v.tail.map((s) => s.step)).toEqual(tail);
    expect(v.outcomes.map((o) => o.own.map((s) => s.step))).toEqual([own(1), own(2)]);
    expect(v.choice).toEqual({ table: 'nat', chain: 'KUBE-SVC-A', kind: 'endpoints', among: 2, each: 0.5 });
    // The jump into KUBE-SVC-A did not come back empty: its next step is in that chain.
    expect(v.head[1]!.returnedEmpty).toBe(false);
  });

  it('says "paths" and gives no single probability when the outcomes part elsewhere and unequally', () => {
    const v = collapse(result([outcome(0.25, [...head, step('KUBE-SVC-A', '-j X')]), outcome(0.75, [...head.slice(0, 1), step('KUBE-OTHER', '-j Y')])]));
    expect(v.choice).toMatchObject({ kind: 'paths', among: 2, each: null });
    expect(v.head).toHaveLength(1);
  });

  it('leaves a single outcome whole', () => {
    const v = collapse(result([outcome(1, [...head, ...tail])]));
    expect(v).toMatchObject({ choice: null, tail: [] });
    expect(v.head).toHaveLength(3);
  });
});
