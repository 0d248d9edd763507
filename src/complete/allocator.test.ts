import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { allocate, firstChoice, keyHash, type Allocation } from './allocator.js';
import type { AllocationSpace } from './ranges.js';

const space = (size: bigint, lowerBand = 0n): AllocationSpace => ({ size, lowerBand, text: `${size}` });
const claims = (...keys: string[]) => keys.map((key) => ({ key }));
const indices = (a: Allocation): bigint[] => {
  if (!a.ok) throw new Error(`exhausted at claim ${a.claim}`);
  return a.indices;
};

/** The first `n` keys `svc-0`, `svc-1`, … whose first choice in `s` satisfies `ok`. */
function keysWhere(s: AllocationSpace, n: number, ok: (first: bigint, key: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) if (ok(firstChoice(s, `svc-${i}`), `svc-${i}`)) out.push(`svc-${i}`);
  return out;
}

describe('allocation: a value from the claimant\'s identity', () => {
  it('hashes a key with SHA-256, first 128 bits', () => {
    const hex = createHash('sha256').update('shop/web').digest('hex').slice(0, 32);
    expect(keyHash('shop/web')).toBe(BigInt(`0x${hex}`));
  });

  it('chooses first in the upper band: lower band + hash mod its size', () => {
    const s = space(2n ** 20n - 2n, 256n);
    expect(firstChoice(s, 'shop/web')).toBe(256n + (keyHash('shop/web') % (s.size - 256n)));
    for (let i = 0; i < 200; i++) expect(firstChoice(s, `svc-${i}`)).toBeGreaterThanOrEqual(256n);
    // A range too small to split has only one band.
    expect(firstChoice(space(14n), 'shop/web')).toBe(keyHash('shop/web') % 14n);
  });

  it('is deterministic, and a claim keeps its first choice whatever other claims there are', () => {
    const s = space(2768n, 86n);
    const all = claims('a/x:80', 'a/x:443', 'b/y:53', 'c/z:8080');
    expect(indices(allocate(s, new Set(), all))).toEqual(indices(allocate(s, new Set(), all)));
    const alone = all.map((c) => indices(allocate(s, new Set(), [c]))[0]);
    expect(indices(allocate(s, new Set(), all))).toEqual(alone);
    expect(alone).toEqual(all.map((c) => firstChoice(s, c.key)));
  });

  it('settles a collision in claim order: the first claim keeps the value, the next takes the next free one', () => {
    const s = space(64n, 16n);
    const [a, b] = keysWhere(s, 2, (f) => f === 40n);
    expect(indices(allocate(s, new Set(), claims(a!, b!)))).toEqual([40n, 41n]);
    expect(indices(allocate(s, new Set(), claims(b!, a!)))).toEqual([40n, 41n]);
  });

  it('never gives a value that is already taken, and wraps around in the upper band', () => {
    const s = space(64n, 16n);
    const [a] = keysWhere(s, 1, (f) => f === 63n);
    expect(indices(allocate(s, new Set([63n]), claims(a!)))).toEqual([16n]);
    expect(indices(allocate(s, new Set([63n, 16n, 17n]), claims(a!)))).toEqual([18n]);
  });

  it('hands out a moved claim only values no claim chose first', () => {
    const s = space(64n, 16n);
    const [a] = keysWhere(s, 1, (f) => f === 30n);
    const [b] = keysWhere(s, 1, (f) => f === 31n);
    // a's first choice is taken; the next value is b's first choice, which b keeps even though a comes first.
    expect(indices(allocate(s, new Set([30n]), claims(a!, b!)))).toEqual([32n, 31n]);
  });

  it('uses the lower band only once the upper band is full', () => {
    const s = space(20n, 16n);
    const upper = new Set([16n, 17n, 18n, 19n]);
    const got = indices(allocate(s, upper, claims('a/x')))[0]!;
    expect(got).toBe(keyHash('a/x') % 16n);
    expect(indices(allocate(s, new Set([...upper, got]), claims('a/x')))).toEqual([(got + 1n) % 16n]);
  });

  it('skips reserved and held values outside the claims, and ignores held values outside the space', () => {
    const s = space(3n);
    expect(indices(allocate(s, new Set([0n, 7n, -1n]), claims('a', 'b'))).sort()).toEqual([1n, 2n]);
  });

  it('reports the claim that found the space full', () => {
    const s = space(3n);
    const [a, b] = keysWhere(s, 2, (f) => f === 1n);
    const [c] = keysWhere(s, 1, (f) => f === 2n);
    // a and c get their first choices; b, moved, finds nothing left.
    expect(allocate(s, new Set([0n]), claims(a!, b!, c!))).toEqual({ ok: false, claim: 1 });
    expect(allocate(space(0n), new Set(), claims('a'))).toEqual({ ok: false, claim: 0 });
  });
});
