import { describe, expect, it } from 'vitest';
import { formatFixed10, probability, probabilityWithDigits } from './probability.js';

describe('probability', () => {
  it.each([
    [1, '1.0000000000'],
    [2, '0.5000000000'],
    [3, '0.3333333333'],
    [4, '0.2500000000'],
    [6, '0.1666666667'],
    [7, '0.1428571429'],
    [12, '0.0833333333'],
    [1000, '0.0010000000'],
    // 1/2048 = 0.00048828125 exactly: Go's %0.10f rounds the tie to even (toFixed would give ...813).
    [2048, '0.0004882812'],
    [4096, '0.0002441406'],
    [3000, '0.0003333333'],
  ])('1/%i is written as %s', (n, text) => {
    expect(probability(n)).toBe(text);
  });

  it('rounds the exact binary value half to even', () => {
    expect(formatFixed10(0.5)).toBe('0.5000000000');
    expect(formatFixed10(0)).toBe('0.0000000000');
    // 0.00000000005 in binary is slightly above the decimal tie, so it rounds up.
    expect(formatFixed10(0.00000000005)).toBe('0.0000000001');
    expect(formatFixed10(1 / 8192)).toBe('0.0001220703'); // 0.0001220703125: below half
  });

  it('agrees with toFixed wherever there is no exact tie', () => {
    for (let n = 1; n <= 5000; n++) {
      if (n === 2048) continue;
      expect(probability(n)).toBe((1 / n).toFixed(10));
    }
  });
});

describe("probability before 1.17 (Go's %0.5f)", () => {
  it.each([
    [1, '1.00000'],
    [2, '0.50000'],
    [3, '0.33333'],
    [5, '0.20000'],
    [6, '0.16667'],
    // 1/32 = 0.03125 exactly: the tie rounds to even, as Go does (toFixed gives 0.03125 → 0.03125).
    [32, '0.03125'],
    // 1/64 = 0.015625 exactly: a tie at the fifth digit, rounded to even (toFixed(5) gives 0.01563).
    [64, '0.01562'],
    [100000, '0.00001'],
    [300000, '0.00000'],
  ])('1/%i is written as %s', (n, text) => {
    expect(probabilityWithDigits(n, 5)).toBe(text);
  });

  it('does not share its cache with the 10-digit form', () => {
    expect(probabilityWithDigits(3, 5)).toBe('0.33333');
    expect(probability(3)).toBe('0.3333333333');
  });
});
