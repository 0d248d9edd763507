// Expected values are what iptables 1.8.9's iptables-save printed for the same input
// (test/save-vocabulary.test.ts repeats the check against the kernel).
import { describe, expect, it } from 'vitest';
import { probability } from '../plan/probability.js';
import { tokenize } from './tokenize.js';
import {
  fixedOfPow2Fraction,
  formatMarkMatch,
  formatProbabilityUnits,
  hex,
  markAction,
  parseCtStates,
  parseMarkMask,
  parseUint32,
  probabilityUnits,
  saveString,
  ValueError,
} from './values.js';

const savedProbability = (text: string): string => formatProbabilityUnits(probabilityUnits(text));
const unquote = (token: string): string => tokenize(token)[0]?.text ?? '';

describe('saveString (xtables_save_string)', () => {
  it.each([
    ['plain_Comment-1', 'plain_Comment-1'],
    ['x', 'x'],
    ['ns1/svc1:p80', '"ns1/svc1:p80"'],
    ['kubernetes forwarding rules', '"kubernetes forwarding rules"'],
    ['x.y', '"x.y"'],
    ['', '""'],
    [`quote"back\\slash'single`, `"quote\\"back\\\\slash\\'single"`],
  ])('%j → %s', (value, saved) => {
    expect(saveString(value)).toBe(saved);
  });
});

describe('unquote (how iptables-restore reads a token)', () => {
  it.each([
    ['"ns1/svc1:p80 cluster IP"', 'ns1/svc1:p80 cluster IP'],
    ['ns1/svc1:p80', 'ns1/svc1:p80'],
    ['""', ''],
    ['"a\\"b\\\\c"', 'a"b\\c'],
  ])('%s → %j', (token, text) => {
    expect(unquote(token)).toBe(text);
  });
});

describe('savedProbability (stored as round(p × 2^31), printed with %.11f)', () => {
  // kube-proxy writes 1/n with %0.10f; the kernel's rendering, observed for n = 1 … 20000.
  it.each([
    [1, '1.00000000000'],
    [2, '0.50000000000'],
    [3, '0.33333333349'],
    [4, '0.25000000000'],
    [5, '0.20000000019'],
    [1000, '0.00100000016'],
    [1001, '0.00099900085'],
    [1002, '0.00099800387'],
    [19999, '0.00005000271'],
    [20000, '0.00004999992'],
  ])('1/%i → %s', (n, saved) => {
    expect(savedProbability(probability(n))).toBe(saved);
  });

  it('rounds p × 2^31 half away from zero, as C lround does', () => {
    // 2^-32 × 2^31 = 0.5 exactly → 1, i.e. 1/2^31 = 0.00000000047 (0.000000000465…)
    expect(savedProbability('0.00000000023283064365386962890625')).toBe('0.00000000047');
    expect(savedProbability('0')).toBe('0.00000000000');
  });

  it('rejects what iptables would not load', () => {
    expect(() => savedProbability('1.5')).toThrow(ValueError);
    expect(() => savedProbability('abc')).toThrow(ValueError);
  });

  it('prints k / 2^shift exactly, ties to even', () => {
    expect(fixedOfPow2Fraction(1n, 3, 2)).toBe('0.12'); // 0.125 → even
    expect(fixedOfPow2Fraction(3n, 3, 2)).toBe('0.38'); // 0.375 → even
    expect(fixedOfPow2Fraction(2147483648n, 31, 11)).toBe('1.00000000000');
  });
});

describe('marks', () => {
  it.each([
    ['0x4000', 0x4000],
    ['0x00004000', 0x4000],
    ['16384', 16384],
    ['010', 8],
    ['0', 0],
    ['0xffffffff', 0xffffffff],
  ])('reads %s as strtoul(…, 0) does', (text, value) => {
    expect(parseUint32(text)).toBe(value);
  });

  it.each(['0x', '08', 'foo', '0x100000000', '-1', '', '1/2'])('refuses %j', (text) => {
    expect(() => parseUint32(text)).toThrow(ValueError);
  });

  it.each([
    ['0x00004000/0x00004000', '0x4000/0x4000'],
    ['0x4000', '0x4000'],
    ['16384/0xffffffff', '0x4000'],
    ['0x0/0x0', '0x0/0x0'],
  ])('-m mark --mark %s → %s', (text, saved) => {
    expect(formatMarkMatch(parseMarkMask(text))).toBe(saved);
  });

  it.each([
    ['--or-mark', 0x4000, '0x4000/0x4000'],
    ['--or-mark', 0, '0x0/0x0'],
    ['--or-mark', 0x80000000, '0x80000000/0x80000000'],
    ['--xor-mark', 0x4000, '0x4000/0x0'],
    ['--xor-mark', 1, '0x1/0x0'],
  ] as const)('-j MARK %s %i → --set-xmark %s', (op, value, saved) => {
    const m = markAction(op, String(value));
    expect(`${hex(m.value)}/${hex(m.mask)}`).toBe(saved);
  });
  it.each([
    ['--set-mark', '0x5', '0x5/0xffffffff'],
    ['--set-mark', '0x5/0x1', '0x5/0x5'],
    ['--and-mark', '0x4', '0x0/0xfffffffb'],
    ['--set-xmark', '0x4000/0x4000', '0x4000/0x4000'],
    ['--or-mark', '010', '0x8/0x8'],
  ] as const)('-j MARK %s %s → --set-xmark %s', (op, text, saved) => {
    const m = markAction(op, text);
    expect(`${hex(m.value)}/${hex(m.mask)}`).toBe(saved);
  });
});

describe('parseCtStates (printed in the kernel\'s order)', () => {
  it.each([
    ['RELATED,ESTABLISHED', 'RELATED,ESTABLISHED'],
    ['RELATED,ESTABLISHED,DNAT', 'RELATED,ESTABLISHED,DNAT'],
    ['ESTABLISHED,RELATED,NEW,INVALID', 'INVALID,NEW,RELATED,ESTABLISHED'],
    ['DNAT,SNAT,UNTRACKED,ESTABLISHED,RELATED,NEW,INVALID', 'INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT'],
  ])('%s → %s', (given, saved) => {
    expect(parseCtStates(given).join(',')).toBe(saved);
  });
  it('refuses unknown states', () => {
    expect(() => parseCtStates('NEW,BOGUS')).toThrow(ValueError);
  });
});
