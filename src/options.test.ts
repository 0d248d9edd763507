import { describe, expect, it } from 'vitest';
import {
  OptionValueError,
  readChoice,
  readDuration,
  readFeatureGates,
  readInterfaceName,
  readInterfacePrefix,
  readIptablesVersion,
  readMasqueradeMark,
  readNfacctCounters,
  readNodePortAddresses,
  readPort,
} from './options.js';

describe('option value readers', () => {
  it('read a mark as iptables does (strtoul, base 0) and keep its text', () => {
    for (const t of ['16384', '0x4000', '0X4000', '040000', '0', '0xffffffff', '4294967295']) expect(readMasqueradeMark(t)).toBe(t);
    for (const t of ['', 'foo', '-1', '+1', ' 0x4000', '0x', '08', '0x100000000', '4294967296', '0x4000/0x4000', '1e3']) {
      expect(() => readMasqueradeMark(t)).toThrow(new OptionValueError(`${JSON.stringify(t)} is not a 32-bit number (decimal, 0x hex or 0-prefixed octal)`));
    }
  });

  it('read durations as kubectl writes them', () => {
    expect(['0', '30', '30s', '500ms', '1m', '1.5h'].map(readDuration)).toEqual([0, 30_000, 30_000, 500, 60_000, 5_400_000]);
    expect(() => readDuration('1d')).toThrow(OptionValueError);
    expect(readDuration('596h')).toBe(2_145_600_000);
    for (const t of ['597h', '2147483648ms', '99999999999999999999999h']) expect(() => readDuration(t), t).toThrow(/at most 24 days/);
  });

  it('read iptables versions', () => {
    expect(readIptablesVersion('1.8.9')).toEqual([1, 8, 9]);
    expect(readIptablesVersion('v1.6')).toEqual([1, 6, 0]);
    expect(() => readIptablesVersion('1')).toThrow('"1" is not a version like 1.8.9');
  });

  it('take interface names the kernel takes, and prefixes that leave room for the +', () => {
    for (const t of ['eth0', 'cbr0', 'br-0123456789ab', 'eth0.100', 'vlan@x']) expect(readInterfaceName(t)).toBe(t);
    for (const t of ['', '.', '..', 'a b', 'a\tb', 'a/b', 'a:b', 'a"b', "a'b", 'a\\b', 'sixteen-chars-xy', 'a\x1bb', 'a\x7f', 'a\x00']) expect(() => readInterfaceName(t)).toThrow(OptionValueError);
    expect(readInterfacePrefix('fourteen-chars')).toBe('fourteen-chars');
    expect(() => readInterfacePrefix('fifteen-chars-x')).toThrow(OptionValueError);
  });

  it('list the alternatives in their messages', () => {
    expect(() => readChoice(['a', 'b', 'c'])('d')).toThrow('"d" is not a, b or c');
    expect(() => readChoice(['a', 'b'])('d')).toThrow('"d" is not a or b');
  });

  it('read lists: primary alone, none alone, gates in order', () => {
    expect(readNodePortAddresses(['primary'])).toEqual(['primary']);
    expect(() => readNodePortAddresses(['primary', 'primary'])).toThrow('"primary" cannot be combined with CIDRs');
    expect(readNfacctCounters(['none'])).toEqual([]);
    expect(readFeatureGates(['A=true', 'B=False', 'A=FALSE'])).toEqual({ A: false, B: false });
  });

  it('read ports', () => {
    expect(['0', '80', '65535'].map(readPort)).toEqual([0, 80, 65535]);
    for (const t of ['65536', '-1', '80/tcp', '']) expect(() => readPort(t)).toThrow('is not a port (0-65535)');
  });
});
