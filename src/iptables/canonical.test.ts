import { describe, expect, it } from 'vitest';
import { probability } from '../plan/probability.js';
import { canonicalKey } from './canonical.js';
import { readRule } from './read.js';
import { probabilityUnits } from './values.js';

const key = (args: string): string => canonicalKey(readRule(args).shape);

describe('canonicalKey: the same rule, spelled as kube-proxy and as iptables-save', () => {
  it.each([
    // restore form (kube-proxy) | save form (iptables-nft-save / iptables-legacy-save)
    ['-m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-X',
      '-d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-SVC-X'],
    ['-m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
      '-p tcp -m comment --comment "ns1/svc1:p80" -m tcp -j DNAT --to-destination 10.180.0.1:80'],
    ['-j MARK --or-mark 0x00004000', '-j MARK --set-xmark 0x4000/0x4000'],
    ['-j MARK --xor-mark 0x4000', '-j MARK --set-xmark 0x4000/0x0'],
    ['-j MARK --set-mark 0x5', '-j MARK --set-xmark 0x5/0xffffffff'],
    ['-j MARK --and-mark 0x4', '-j MARK --set-xmark 0x0/0xfffffffb'],
    ['-m mark ! --mark 0x00004000/0x00004000 -j RETURN', '-m mark ! --mark 0x4000/0x4000 -j RETURN'],
    ['-m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-A',
      '-m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-A'],
    ['-m recent --name KUBE-SEP-A --rcheck --seconds 10800 --reap -j KUBE-SEP-A',
      '-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j KUBE-SEP-A'],
    ['-m recent --name KUBE-SEP-A --set -m tcp -p tcp -j DNAT --to-destination [fd00::2]:80',
      '-p tcp -m recent --set --name KUBE-SEP-A --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -m tcp -j DNAT --to-destination [fd00::2]:80'],
    ['-m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT', '-d 172.30.0.46/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable'],
    ['-p udp -j REJECT', '-p udp -j REJECT --reject-with icmp6-port-unreachable'],
    ['-m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP', '-m nfacct --nfacct-name  ct_state_invalid_dropped_pkts -j DROP'],
    ['-d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
      '! -s 127.0.0.0/8 -d 127.0.0.0/8 -m conntrack ! --ctstate DNAT,ESTABLISHED,RELATED -j DROP'],
    ['-m addrtype --dst-type local -j KUBE-NODEPORTS', '-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS'],
    ['-s 10.1.2.3/8 -p 6 -j RETURN', '-s 10.0.0.0/255.0.0.0 -p tcp -j RETURN'],
    ['-d fd00::0001 -j RETURN', '-d fd00::1/128 -j RETURN'],
    ['-p tcp --destination-port 80 -j ACCEPT', '-p tcp -m tcp --dport 80 -j ACCEPT'],
    ['-p all -j ACCEPT', '-j ACCEPT'],
    // strtoul reads a leading 0 as octal: 010 is 8 (the reader took it as decimal 10 once).
    ['-m mark --mark 010 -j RETURN', '-m mark --mark 0x8 -j RETURN'],
    ['-j MARK --or-mark 010', '-j MARK --set-xmark 0x8/0x8'],
    ['-m conntrack --ctstate established,related -j ACCEPT', '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'],
    ['-p tcp -j REJECT --reject-with tcp-rst', '-p tcp -j REJECT --reject-with tcp-reset'],
  ])('%s ≡ %s', (restore, save) => {
    expect(key(restore)).toBe(key(save));
  });
});

describe('canonicalKey: different rules stay different', () => {
  it.each([
    ['-d 10.0.0.1 -j A', '-d 10.0.0.2 -j A'],
    ['-d 10.0.0.1 -j A', '! -d 10.0.0.1 -j A'],
    ['-p tcp --dport 80 -j A', '-p tcp --dport 81 -j A'],
    ['-p tcp -j A', '-p udp -j A'],
    ['-m statistic --mode random --probability 0.5000000000 -j A', '-m statistic --mode random --probability 0.3333333333 -j A'],
    ['-m comment --comment "ns/a:p" -j A', '-m comment --comment "ns/b:p" -j A'],
    ['-j MARK --or-mark 0x4000', '-j MARK --xor-mark 0x4000'],
    ['-m mark --mark 0x4000 -j A', '-m mark --mark 0x4000/0x4000 -j A'],
    ['-j A', '-g A'],
    ['-j A', '-j B'],
    ['-j DNAT --to-destination 10.0.0.1:80', '-j DNAT --to-destination 10.0.0.1:81'],
    ['-j MASQUERADE', '-j MASQUERADE --random-fully'],
    ['-p tcp -j REJECT', '-p tcp -j REJECT --reject-with tcp-reset'],
    ['-m recent --name A --set -j X', '-m recent --name A --rcheck -j X'],
    ['-m addrtype --src-type LOCAL -j A', '-m addrtype --dst-type LOCAL -j A'],
    ['-j A', '-m comment --comment x -j A'],
  ])('%s ≠ %s', (x, y) => {
    expect(key(x)).not.toBe(key(y));
  });
});

describe('probabilities read back from iptables-save', () => {
  it('kube-proxy\'s 1/n text and the kernel\'s 11-decimal rendering give the same units for n up to 1000', () => {
    for (let n = 2; n <= 1000; n++) {
      const units = probabilityUnits(probability(n));
      const saved = (units / 0x8000_0000).toFixed(11);
      expect(probabilityUnits(saved), `n=${n}: ${probability(n)} vs ${saved}`).toBe(units);
    }
  });
});
