import { describe, expect, it } from 'vitest';
import { parseCIDR, parseIP } from '../model/ip.js';
import { addressAt, addressIndex, nodePortSpace, portIndex, serviceIPRange } from './ranges.js';

const range = (text: string) => serviceIPRange(parseCIDR(text)!);

describe('service IP ranges, laid out as kube-apiserver lays them out', () => {
  it.each([
    // CIDR, allocatable addresses, lower band (min 16, max 256, step 16 of all the CIDR's addresses)
    ['10.96.0.0/12', 2n ** 20n - 2n, 256n],
    ['10.0.0.0/24', 254n, 16n],
    ['10.0.0.0/27', 30n, 16n],
    ['10.0.0.0/28', 14n, 0n],
    ['10.0.0.0/30', 2n, 0n],
    ['fd00:10:96::/108', 2n ** 20n - 1n, 256n],
    ['fd00:10:96::/120', 255n, 16n],
    ['fd00::/64', 2n ** 64n - 1n, 256n],
  ])('%s: %s addresses, lower band %s', (cidr, size, lowerBand) => {
    const r = range(cidr);
    expect([r.size, r.lowerBand]).toEqual([size, lowerBand]);
  });

  it('numbers the addresses from the one after the network address', () => {
    const r = range('10.96.0.0/12');
    expect(addressAt(r, 0n)).toBe('10.96.0.1');
    expect(addressAt(r, r.size - 1n)).toBe('10.111.255.254');
    expect(addressAt(range('fd00:10:96::/108'), 0x50a0n - 1n)).toBe('fd00:10:96::50a0');
    for (const text of ['10.96.0.1', '10.100.7.9', '10.111.255.254']) {
      const ip = parseIP(text)!;
      expect(addressAt(r, addressIndex(r, ip)!)).toBe(text);
    }
  });

  it('leaves out the network and (IPv4) broadcast addresses, and other ranges and families', () => {
    const r = range('10.96.0.0/12');
    for (const text of ['10.96.0.0', '10.111.255.255', '10.112.0.1', '10.95.255.255', 'fd00::1']) {
      expect(addressIndex(r, parseIP(text)!)).toBeUndefined();
    }
    const v6 = range('fd00:10:96::/120');
    expect(addressIndex(v6, parseIP('fd00:10:96::')!)).toBeUndefined();
    expect(addressIndex(v6, parseIP('fd00:10:96::ff')!)).toBe(254n); // no broadcast in IPv6
  });
});

describe('node port ranges', () => {
  it.each([
    // range, ports, lower band (min 16, max 128, step 32)
    [{ first: 30000, last: 32767 }, 2768n, 86n],
    [{ first: 30000, last: 30099 }, 100n, 16n],
    [{ first: 30000, last: 30015 }, 16n, 0n],
    [{ first: 1, last: 65535 }, 65535n, 128n],
  ])('%j: %s ports, lower band %s', (r, size, lowerBand) => {
    const s = nodePortSpace(r);
    expect([s.size, s.lowerBand, s.text]).toEqual([size, lowerBand, `${r.first}-${r.last}`]);
  });

  it('numbers the ports from the first', () => {
    const s = nodePortSpace({ first: 30000, last: 32767 });
    expect([portIndex(s, 30000), portIndex(s, 32767), portIndex(s, 29999), portIndex(s, 32768)]).toEqual([0n, 2767n, undefined, undefined]);
  });
});
