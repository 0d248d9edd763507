// Expected texts are what ip6tables 1.8.9's ip6tables-save printed (see test/save-vocabulary.test.ts).
import { describe, expect, it } from 'vitest';
import { inetNtop } from './inet-ntop.js';
import { formatHostOrNetwork, parseFamilyIP, parseHostOrNetwork, ValueError } from './values.js';

function ntop(text: string, family: 4 | 6 = 6): string {
  const ip = parseFamilyIP(text, family);
  if (!ip) throw new Error(`unparsable ${text}`);
  return inetNtop(ip);
}

describe('inetNtop (glibc inet_ntop)', () => {
  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0DB8:0:0::1', '2001:db8::1'],
    ['fd00::1', 'fd00::1'],
    ['::1', '::1'],
    ['::', '::'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'], // the longest zero run
    ['1:0:0:1:0:0:1:1', '1::1:0:0:1:1'], // a tie: the first run
    ['1:0:1:1:1:1:1:1', '1:0:1:1:1:1:1:1'], // a single zero group stays
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['1::', '1::'],
    // Where glibc and Go differ: dotted decimal for the last 32 bits.
    ['::102:304', '::1.2.3.4'],
    ['::1:0', '::0.1.0.0'],
    ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::ffff:102:304', '::ffff:1.2.3.4'],
    // …but not for SIIT addresses (::ffff:0:a.b.c.d).
    ['::ffff:0:102:304', '::ffff:0:102:304'],
  ])('%s → %s', (text, printed) => {
    expect(ntop(text)).toBe(printed);
  });

  it('prints IPv4 dotted decimal', () => {
    expect(ntop('10.96.0.1', 4)).toBe('10.96.0.1');
  });

  it('keeps IPv4-mapped text IPv6 in an IPv6 ruleset, and refuses the wrong family', () => {
    expect(parseFamilyIP('::ffff:1.2.3.4', 6)?.family).toBe(6);
    expect(parseFamilyIP('1.2.3.4', 6)).toBeNull();
    expect(parseFamilyIP('fd00::1', 4)).toBeNull();
  });
});

describe('parseHostOrNetwork (-s / -d)', () => {
  it.each([
    ['10.96.0.50', 4, '10.96.0.50', 32],
    ['10.244.0.0/16', 4, '10.244.0.0', 16],
    ['10.1.2.3/16', 4, '10.1.0.0', 16], // the kernel stores the masked network
    ['203.0.113.77/24', 4, '203.0.113.0', 24],
    ['0.0.0.0/0', 4, '0.0.0.0', 0],
    ['fd00::1', 6, 'fd00::1', 128],
    ['fd00:1:2:3::5/48', 6, 'fd00:1:2::', 48],
    ['::1/128', 6, '::1', 128],
  ] as const)('%s (IPv%i) → %s/%i', (text, family, address, prefix) => {
    expect(formatHostOrNetwork(parseHostOrNetwork(text, family))).toBe(`${address}/${prefix}`);
  });

  it.each([
    ['10.0.0.0/33', 4],
    ['10.0.0.0/x', 4],
    ['fd00::/129', 6],
    ['fd00::1', 4],
    ['nonsense', 6],
  ] as const)('refuses %s for IPv%i', (text, family) => {
    expect(() => parseHostOrNetwork(text, family)).toThrow(ValueError);
  });
});
