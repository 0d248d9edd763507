import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Ascii } from './sha256.js';

const hex = (b: Uint8Array | null): string | null => (b ? Buffer.from(b).toString('hex') : null);

describe('sha256Ascii', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(hex(sha256Ascii('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256Ascii(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256Ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto at every length around the block boundaries', () => {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789/:.-[]ABC';
    for (let len = 0; len <= 200; len++) {
      let s = '';
      for (let i = 0; i < len; i++) s += chars[(i * 7 + len) % chars.length];
      expect(hex(sha256Ascii(s)), `length ${len}`).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
  });

  it('hashes its parts as one string', () => {
    const whole = 'default/data-product:data-producttcp10.180.0.1:8080';
    for (const [a, b, c] of [['default/data-product:data-product', 'tcp', '10.180.0.1:8080'], [whole, '', ''], ['', whole, ''], ['d', '', whole.slice(1)]]) {
      expect(hex(sha256Ascii(a!, b, c))).toBe(hex(sha256Ascii(whole)));
    }
    expect(sha256Ascii('a', 'b', '\u00e9')).toBeNull();
  });

  it('refuses non-ASCII text (the caller hashes its UTF-8 with node:crypto)', () => {
    expect(sha256Ascii('ns/caf\u00e9:http')).toBeNull();
  });
});
