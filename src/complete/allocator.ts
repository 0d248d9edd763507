/**
 * Deterministic allocation. The API server picks a random free value, preferring the upper
 * band of the range; kp-gen picks the value a hash of the claimant's identity points at (its
 * first choice, in the upper band), so that a value depends on who asks for it, not on what
 * else is in the input. Only a collision moves a value, and collisions are settled in the
 * order of the claims:
 *
 *   1. every value the input already holds (and reserved ones) is taken;
 *   2. each claim, in order, takes its first choice if it is still free;
 *   3. each claim that lost, in order, takes the next free value after its first choice,
 *      wrapping around in the upper band, then in the lower band (from a point the same hash
 *      picks), as the API server falls back to the lower band when the upper one is full.
 *
 * A claim whose first choice is free after step 1 and wanted by no earlier claim gets it,
 * whatever else is allocated: step 3 only ever hands out values nobody chose first.
 */
import { hash } from 'node:crypto';
import type { AllocationSpace } from './ranges.js';

/** Something that needs one value of a space, in the order claims are settled. */
export interface Claim {
  /** The identity its first choice is hashed from, e.g. `shop/web` or `shop/web:80`. */
  key: string;
}

export type Allocation =
  | { ok: true; indices: bigint[] }
  /** The space ran out while serving `claims[claim]`. */
  | { ok: false; claim: number };

/** The first 128 bits of SHA-256(key), as a number. */
export function keyHash(key: string): bigint {
  return BigInt(`0x${hash('sha256', key, 'hex').slice(0, 32)}`);
}

/**
 * Every index of the space in the order a claim with hash `h` tries them: from its first
 * choice up through the upper band (wrapping), then the lower band likewise.
 */
function* candidates(space: AllocationSpace, h: bigint): Generator<bigint> {
  const upper = space.size - space.lowerBand;
  if (upper > 0n) {
    const start = h % upper;
    for (let i = 0n; i < upper; i++) yield space.lowerBand + ((start + i) % upper);
  }
  if (space.lowerBand > 0n) {
    const start = h % space.lowerBand;
    for (let i = 0n; i < space.lowerBand; i++) yield (start + i) % space.lowerBand;
  }
}

/** The index a claim for `key` tries first. */
export function firstChoice(space: AllocationSpace, key: string): bigint {
  const first = candidates(space, keyHash(key)).next();
  if (first.done) throw new RangeError(`the range ${space.text} is empty`);
  return first.value;
}

/**
 * One index per claim, none of them in `taken` (indices already held; not modified), each
 * used once. Claims are settled in the order given.
 */
export function allocate(space: AllocationSpace, taken: ReadonlySet<bigint>, claims: readonly Claim[]): Allocation {
  const used = new Set<bigint>();
  for (const i of taken) if (i >= 0n && i < space.size) used.add(i);
  const indices: (bigint | undefined)[] = new Array<bigint | undefined>(claims.length);
  const hashes = claims.map((c) => keyHash(c.key));
  // Step 2: first choices.
  claims.forEach((_, n) => {
    const first = candidates(space, hashes[n]!).next();
    if (!first.done && !used.has(first.value)) {
      used.add(first.value);
      indices[n] = first.value;
    }
  });
  // Step 3: the others, to the next free value. Each visits at most |used| + 1 indices.
  for (let n = 0; n < claims.length; n++) {
    if (indices[n] !== undefined) continue;
    if (BigInt(used.size) >= space.size) return { ok: false, claim: n };
    for (const i of candidates(space, hashes[n]!)) {
      if (!used.has(i)) {
        used.add(i);
        indices[n] = i;
        break;
      }
    }
  }
  return { ok: true, indices: indices as bigint[] };
}
