/**
 * How iptables-save prints the values kube-proxy writes, once the kernel holds them in binary
 * form. Each function reproduces one piece of libxtables / an extension's save function, as
 * observed with iptables 1.8.9 (nft and legacy print the same; the kernel tests
 * test/save-roundtrip.test.ts and test/save-vocabulary.test.ts check every one of them).
 */
import { InternalError, UserError } from '../errors.js';

/** Characters xtables_save_string prints without quotes. */
const NO_QUOTE = /^[_\-0-9a-zA-Z]+$/;

/**
 * libxtables' xtables_save_string: a value made only of letters, digits, `_` and `-` is
 * printed as is; anything else (a space, `/`, `:`, `.`, the empty string) is printed in double
 * quotes with `"`, `\` and `'` backslash-escaped. So kube-proxy's `--comment ns/svc:port`
 * comes back as `--comment "ns/svc:port"`.
 */
export function saveString(value: string): string {
  if (NO_QUOTE.test(value)) return value;
  return `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

/**
 * The text of a restore-form token as iptables-restore reads it: a token wrapped in double
 * quotes loses them, and inside them `\"` and `\\` stand for `"` and `\`.
 */
export function unquote(token: string): string {
  if (token.length >= 2 && token.startsWith('"') && token.endsWith('"')) {
    return token.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  return token;
}

const TWO_POW_31 = 2147483648;

/**
 * `-m statistic --probability P`: the extension stores lround(P × 2³¹) as a 32-bit integer and
 * prints that integer ÷ 2³¹ with `%.11f`. kube-proxy's `0.3333333333` therefore comes back as
 * `0.33333333349`, and `0.5000000000` as `0.50000000000`.
 */
export function savedProbability(text: string): string {
  const p = /^[0-9]*\.?[0-9]+$|^[0-9]+\.$/.test(text) ? Number(text) : Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new InternalError(`--format save: probability ${JSON.stringify(text)} is not a number between 0 and 1`);
  const scaled = p * TWO_POW_31; // exact: a power-of-two scaling
  const floor = Math.floor(scaled);
  const k = scaled - floor >= 0.5 ? floor + 1 : floor; // C's lround: ties away from zero
  return fixedOfPow2Fraction(BigInt(k), 31, 11);
}

/**
 * k / 2^shift printed with `%.<digits>f`: glibc prints the exact binary value, rounding a
 * tie to even.
 */
export function fixedOfPow2Fraction(k: bigint, shift: number, digits: number): string {
  const den = 1n << BigInt(shift);
  const num = k * 10n ** BigInt(digits);
  let q = num / den;
  const twiceRem = (num % den) * 2n;
  if (twiceRem > den || (twiceRem === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(digits + 1, '0');
  return `${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

const UINT32_MAX = 0xffffffffn;
/** What strtoul(…, 0) reads completely: decimal, 0x hex, or 0-prefixed octal. */
const C_UNSIGNED = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

function parseUint32(text: string, what: string): number {
  if (C_UNSIGNED.test(text)) {
    const v = /^0[0-7]+$/.test(text) ? BigInt(`0o${text.slice(1)}`) : BigInt(text);
    if (v <= UINT32_MAX) return Number(v);
  }
  throw new UserError(
    `--format save: ${what} ${JSON.stringify(text)} is not a 32-bit number as iptables reads it`,
    'use decimal, 0x hex or 0-prefixed octal, e.g. --iptables-masquerade-mark 0x4000',
  );
}

export interface MarkAndMask {
  mark: number;
  mask: number;
}

/** `VALUE[/MASK]` as xtables_parse_mark_mask reads it; no mask means 0xffffffff. */
export function parseMarkMask(text: string): MarkAndMask {
  const slash = text.indexOf('/');
  if (slash < 0) return { mark: parseUint32(text, 'mark'), mask: 0xffffffff };
  return { mark: parseUint32(text.slice(0, slash), 'mark'), mask: parseUint32(text.slice(slash + 1), 'mark mask') };
}

/** One 32-bit value of a mark, parsed as iptables parses `--or-mark`/`--xor-mark`. */
export function parseMark(text: string): number {
  return parseUint32(text, 'mark');
}

/** printf("0x%x"). */
export function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** `-m mark --mark`: `0x%x`, plus `/0x%x` unless the mask is all ones. */
export function savedMarkMatch({ mark, mask }: MarkAndMask): string {
  return mask === 0xffffffff ? hex(mark) : `${hex(mark)}/${hex(mask)}`;
}

/**
 * `-j MARK --or-mark V` is stored as "set-xmark V/V" (keep the other bits, set V) and
 * `--xor-mark V` as "set-xmark V/0x0" (flip V); the target prints only that form.
 */
export function savedMarkTarget(op: '--or-mark' | '--xor-mark', value: number): string {
  return op === '--or-mark' ? `${hex(value)}/${hex(value)}` : `${hex(value)}/0x0`;
}

/** The order libxt_conntrack prints `--ctstate` flags in, whatever order they were given. */
const CTSTATE_ORDER = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'];

/** `--ctstate` list re-ordered as the conntrack extension prints it; unknown states are an error. */
export function savedCtstate(text: string): string | null {
  const given = text.split(',');
  if (given.some((s) => !CTSTATE_ORDER.includes(s))) return null;
  return CTSTATE_ORDER.filter((s) => given.includes(s)).join(',');
}
