import { describe, expect, it } from 'vitest';
import { diffSequences } from './sequence.js';

/** Length of the longest common subsequence, by dynamic programming (small inputs only). */
function lcs(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      t[i]![j] = a[i - 1] === b[j - 1] ? t[i - 1]![j - 1]! + 1 : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
    }
  }
  return t[a.length]![b.length]!;
}

/** A deterministic pseudo-random generator, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('diffSequences', () => {
  it('turns a into b with a minimal number of edits (random cases against an LCS)', () => {
    const r = rng(7);
    for (let round = 0; round < 300; round++) {
      const gen = (): string[] => Array.from({ length: Math.floor(r() * 12) }, () => 'abcd'[Math.floor(r() * 4)]!);
      const a = gen();
      const b = gen();
      const edits = diffSequences(a, b);
      const rebuilt: string[] = [];
      const kept: string[] = [];
      for (const e of edits) {
        if (e.op === '=') {
          rebuilt.push(a[e.index]!);
          kept.push(a[e.index]!);
        } else if (e.op === '+') rebuilt.push(b[e.index]!);
      }
      expect(rebuilt, `a=${a.join('')} b=${b.join('')}`).toEqual(b);
      expect(edits.filter((e) => e.op === '-').length).toBe(a.length - lcs(a, b));
      expect(edits.filter((e) => e.op === '+').length).toBe(b.length - lcs(a, b));
      expect(edits.filter((e) => e.op !== '+').map((e) => e.index)).toEqual(a.map((_, i) => i));
    }
  });

  it('handles a long chain with one change cheaply', () => {
    const a = Array.from({ length: 50_000 }, (_, i) => `r${i}`);
    const b = [...a];
    b[25_000] = 'changed';
    const edits = diffSequences(a, b).filter((e) => e.op !== '=');
    expect(edits).toEqual([{ op: '-', index: 25_000 }, { op: '+', index: 25_000 }]);
  });
});

describe('diffSequences on wholly different long chains', () => {
  it('reports a replacement without exhausting memory', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 20_000 }, (_, i) => `b${i}`);
    const edits = diffSequences(a, b);
    expect(edits.filter((e) => e.op === '-').length).toBe(20_000);
    expect(edits.filter((e) => e.op === '+').length).toBe(20_000);
  });
});
