import { describe, expect, it } from 'vitest';
import { cidrContains, formatCIDR, formatIP, isCanonicalIPv4, joinHostPort, parseCIDR, parseIP } from './ip.js';

/** parseIP then formatIP: the text kube-proxy prints for an address. */
const canonicalIP = (text: string): string | null => {
  const ip = parseIP(text);
  return ip ? formatIP(ip) : null;
};

describe('IP parsing and printing (Go net + ParseIPSloppy)', () => {
  it.each([
    ['10.180.0.1', '10.180.0.1'],
    ['172.30.0.041', '172.30.0.41'], // leading zeros are decimal, not octal
    ['010.180.000.001', '10.180.0.1'],
    ['00000010.1.1.1', '10.1.1.1'], // up to 8 digits per octet
    ['fd00::1', 'fd00::1'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:1.2.3.4', '1.2.3.4'], // IPv4-mapped prints as IPv4
    ['fd00:10:244::20', 'fd00:10:244::20'],
  ])('%s → %s', (input, out) => {
    expect(canonicalIP(input)).toBe(out);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-1', 'a.b.c.d', 'fd00:::1', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', ' 1.2.3.4', '1..3.4', '1.2.3.4.', '.1.2.3', '000000001.1.1.1', '1.2.3.4 '])(
    'rejects %j',
    (input) => {
      expect(parseIP(input)).toBeNull();
    },
  );

  it('knows canonical IPv4 text (what formatIP prints) without parsing it', () => {
    for (const text of ['10.180.0.1', '0.0.0.0', '255.255.255.255', '172.30.0.41', '1.2.3.4']) {
      expect(isCanonicalIPv4(text), text).toBe(true);
      expect(canonicalIP(text)).toBe(text);
    }
    for (const text of ['172.30.0.041', '010.1.1.1', '1.2.3.256', '1.2.3', '1.2.3.4.5', '1..2.3', '', '1.2.3.4 ', '::ffff:1.2.3.4', '1.2.3.0000']) {
      expect(isCanonicalIPv4(text), text).toBe(false);
    }
  });

  it('masks CIDRs and accepts leading zeros in prefix and address', () => {
    expect(formatCIDR(parseCIDR('10.1.2.3/8')!)).toBe('10.0.0.0/8');
    expect(formatCIDR(parseCIDR('203.0.113.000/025')!)).toBe('203.0.113.0/25');
    expect(formatCIDR(parseCIDR('fd00:10::1/64')!)).toBe('fd00:10::/64');
    expect(parseCIDR('10.0.0.0/33')).toBeNull();
    expect(parseCIDR('10.0.0.0')).toBeNull();
  });

  it('tests containment within one family only', () => {
    const c = parseCIDR('192.168.0.0/16')!;
    expect(cidrContains(c, parseIP('192.168.0.2')!)).toBe(true);
    expect(cidrContains(c, parseIP('192.169.0.2')!)).toBe(false);
    expect(cidrContains(parseCIDR('::/0')!, parseIP('1.2.3.4')!)).toBe(false);
  });

  it('brackets IPv6 in host:port', () => {
    expect(joinHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
    expect(joinHostPort('fd00::1', 80)).toBe('[fd00::1]:80');
  });
});
