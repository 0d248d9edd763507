/**
 * The `--probability` text kube-proxy writes for the i-th of n endpoints: 1/(n-i) printed
 * with Go's `%0.10f` (computeProbability in proxier.go; `%0.5f` before 1.17, see
 * probabilityWithDigits). Cached, as kube-proxy caches it.
 */
const cache: string[] = [];
const fiveDigitCache: string[] = [];

/** 1/n with `digits` decimals: 10 (1.17 and later) or 5 (before). */
export function probabilityWithDigits(n: number, digits: 5 | 10): string {
  if (digits === 10) return probability(n);
  return (fiveDigitCache[n] ??= formatFixed(1 / n, 5));
}

export function probability(n: number): string {
  let s = cache[n];
  if (s === undefined) {
    s = formatFixed10(1 / n);
    cache[n] = s;
  }
  return s;
}


/**
 * Go's `%0.10f` for a non-negative float64: the exact binary value rounded half-to-even.
 * (JavaScript's toFixed rounds ties up, which differs for 1/2048 = 0.00048828125.)
 */
export function formatFixed10(x: number): string {
  return formatFixed(x, 10);
}

/** Go's `%0.<digits>f` for a non-negative float64, rounded half-to-even on the exact value. */
export function formatFixed(x: number, digits: number): string {
  const SCALE = 10n ** BigInt(digits);
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`probability out of range: ${x}`);
  // x = mantissa * 2^exponent exactly.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent: number;
  if (biased === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  // scaled = x * 10^10 as a fraction num/den.
  let num = mantissa * SCALE;
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  let q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const intPart = q / SCALE;
  const frac = (q % SCALE).toString().padStart(digits, '0');
  return `${intPart}.${frac}`;
}
