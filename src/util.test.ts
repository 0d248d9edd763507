import { describe, expect, it } from 'vitest';
import { byteCompare, isRecord } from './util.js';

describe('isRecord', () => {
  it('accepts objects and nothing else', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord(Object.create(null))).toBe(true);
    for (const v of [null, undefined, [], [1], 'x', 1, true]) expect(isRecord(v), String(v)).toBe(false);
  });
});

describe('byteCompare', () => {
  it("sorts as Go compares bytes: capitals first, no locale, prefixes first", () => {
    expect(['b', 'B', 'a', 'A', 'ab', '', 'a-b', 'a.b', '10', '9'].sort(byteCompare)).toEqual([
      '', '10', '9', 'A', 'B', 'a', 'a-b', 'a.b', 'ab', 'b',
    ]);
  });

  it('is 0 for equal strings only, and antisymmetric', () => {
    expect(byteCompare('default/app', 'default/app')).toBe(0);
    expect(byteCompare('a', 'b')).toBe(-1);
    expect(byteCompare('b', 'a')).toBe(1);
  });

  it('agrees with the UTF-8 byte order on non-ASCII BMP text', () => {
    const words = ['caf\u00e9', 'cafe', 'caf\u00ff', 'caf\u0100', 'z', '\u4e2d'];
    const byBytes = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...words].sort(byteCompare)).toEqual(byBytes);
  });
});
