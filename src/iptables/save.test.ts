// Each case is a rule kube-proxy writes and the line iptables 1.8.9's iptables-save printed for
// it after loading (both backends print the same rule text; test/save-*.test.ts re-check it
// against the kernel).
import { describe, expect, it } from 'vitest';
import { readRule, RuleReadError } from './read.js';
import { commentText } from './restore.js';
import { saveText } from './save.js';
import { ShapeError } from './shape.js';
import { ValueError } from './values.js';
import { VocabularyError } from './vocabulary.js';

const comment = commentText;

const CHAINS = new Set(['KUBE-MARK-MASQ', 'KUBE-SVC-X', 'KUBE-SEP-X', 'KUBE-EXT-X', 'KUBE-NODEPORTS', 'KUBE-lower_case']);
const TCP = ['-m', 'tcp', '-p', 'tcp'];

function save(family: 4 | 6, ...tokens: (string | string[])[]): string {
  return saveText(readRule(tokens.flat().join(' ')).rule, family, CHAINS);
}

describe('saveText: IP header fields first, in the order -s -d -i -o -p', () => {
  it('moves -p and -d before the matches, adds /32, keeps --dport with -m tcp', () => {
    expect(save(4, comment('ns/svc:p cluster IP'), TCP, '-d', '10.96.0.50', '--dport', '80', '-j', 'KUBE-SVC-X')).toBe(
      '-d 10.96.0.50/32 -p tcp -m comment --comment "ns/svc:p cluster IP" -m tcp --dport 80 -j KUBE-SVC-X',
    );
  });
  it('puts -s before -d, negations included', () => {
    expect(save(4, comment('block incoming localnet connections'), '-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8',
      '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP')).toBe(
      '! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    );
  });
  it('puts -i after -d and before -p (interface detectors, with + wildcards)', () => {
    expect(save(4, comment('a/b:c cluster IP'), TCP, '-d', '10.0.0.1', '--dport', '80', '!', '-i', 'veth+', '-j', 'KUBE-MARK-MASQ')).toBe(
      '-d 10.0.0.1/32 ! -i veth+ -p tcp -m comment --comment "a/b:c cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
    );
  });
  it('masks source ranges and drops a /0 range', () => {
    expect(save(4, comment('ns/s:p loadbalancer IP'), '-s', '10.1.2.3/16', '-j', 'KUBE-EXT-X')).toBe(
      '-s 10.1.0.0/16 -m comment --comment "ns/s:p loadbalancer IP" -j KUBE-EXT-X',
    );
    expect(save(4, comment('ns/s:p loadbalancer IP'), '-s', '0.0.0.0/0', '-j', 'KUBE-EXT-X')).toBe(
      '-m comment --comment "ns/s:p loadbalancer IP" -j KUBE-EXT-X',
    );
    expect(save(6, '-s', '::/0', '-j', 'RETURN')).toBe('-j RETURN');
  });
  it('prints IPv6 addresses with /128 and glibc text', () => {
    expect(save(6, comment('ns1/svc1:p80'), '-s', '::102:304', '-j', 'KUBE-MARK-MASQ')).toBe(
      '-s ::1.2.3.4/128 -m comment --comment "ns1/svc1:p80" -j KUBE-MARK-MASQ',
    );
    expect(save(6, '-m', 'addrtype', '--dst-type', 'LOCAL', '!', '-d', '::1/128', '-j', 'KUBE-NODEPORTS')).toBe(
      '! -d ::1/128 -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    );
  });
});

describe('saveText: matches keep their order, options go to their match', () => {
  it('keeps a bare -m tcp in place (DNAT rules)', () => {
    expect(save(4, comment('ns/s:p'), TCP, '-j', 'DNAT', '--to-destination', '10.244.1.9:8080')).toBe(
      '-p tcp -m comment --comment "ns/s:p" -m tcp -j DNAT --to-destination 10.244.1.9:8080',
    );
  });
  it('keeps -m addrtype before -m tcp when written first; udp and sctp like tcp', () => {
    expect(save(4, comment('x has no endpoints'), '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'sctp', '-p', 'sctp', '--dport', '31868', '-j', 'REJECT')).toBe(
      '-p sctp -m comment --comment "x has no endpoints" -m addrtype --dst-type LOCAL -m sctp --dport 31868 -j REJECT --reject-with icmp-port-unreachable',
    );
    expect(save(4, '-m', 'udp', '-p', 'udp', '-d', '10.96.0.10', '--dport', '53', '-j', 'KUBE-SVC-X')).toBe(
      '-d 10.96.0.10/32 -p udp -m udp --dport 53 -j KUBE-SVC-X',
    );
  });
  it('prints --nfacct-name with two spaces', () => {
    expect(save(4, TCP, '-d', '127.0.0.0/8', '--dport', '30080', '-m', 'nfacct', '--nfacct-name', 'localhost_nps_accepted_pkts', '-j', 'KUBE-EXT-X')).toBe(
      '-d 127.0.0.0/8 -p tcp -m tcp --dport 30080 -m nfacct --nfacct-name  localhost_nps_accepted_pkts -j KUBE-EXT-X',
    );
  });
  it('quotes every comment that is not a plain word', () => {
    expect(save(4, comment('ns/svc:p'), '-j', 'RETURN')).toBe('-m comment --comment "ns/svc:p" -j RETURN');
    expect(save(4, '-m', 'comment', '--comment', 'word_1', '-j', 'RETURN')).toBe('-m comment --comment word_1 -j RETURN');
  });
  it('re-renders statistic probabilities', () => {
    expect(save(4, comment('ns/s:p -> 10.0.0.1:80'), '-m', 'statistic', '--mode', 'random', '--probability', '0.3333333333', '-j', 'KUBE-SEP-X')).toBe(
      '-m comment --comment "ns/s:p -> 10.0.0.1:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-X',
    );
  });
  it('adds the recent module defaults, after the command and timing options', () => {
    expect(save(4, comment('ns/s:p -> 1.2.3.4:80'), '-m', 'recent', '--name', 'KUBE-SEP-X', '--rcheck', '--seconds', '10800', '--reap', '-j', 'KUBE-SEP-X')).toBe(
      '-m comment --comment "ns/s:p -> 1.2.3.4:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-X --mask 255.255.255.255 --rsource -j KUBE-SEP-X',
    );
    expect(save(6, '-m', 'recent', '--name', 'KUBE-SEP-X', '--set', TCP, '-j', 'DNAT', '--to-destination', '[2001:db8::1]:80')).toBe(
      '-p tcp -m recent --set --name KUBE-SEP-X --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -m tcp -j DNAT --to-destination [2001:db8::1]:80',
    );
  });
  it('re-renders marks and orders conntrack states', () => {
    expect(save(4, '-m', 'mark', '!', '--mark', '0x00004000/0x00004000', '-j', 'RETURN')).toBe('-m mark ! --mark 0x4000/0x4000 -j RETURN');
    expect(save(4, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT')).toBe('-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  });
});

describe('saveText: targets as the kernel stores them', () => {
  it.each([
    [['-j', 'MARK', '--or-mark', '0x00004000'], '-j MARK --set-xmark 0x4000/0x4000'],
    [['-j', 'MARK', '--xor-mark', '0x00004000'], '-j MARK --set-xmark 0x4000/0x0'],
    [['-j', 'MASQUERADE', '--random-fully'], '-j MASQUERADE --random-fully'],
    [['-j', 'MASQUERADE'], '-j MASQUERADE'],
    [['-j', 'REJECT'], '-j REJECT --reject-with icmp-port-unreachable'],
    [['-j', 'KUBE-lower_case'], '-j KUBE-lower_case'],
    [[], ''],
  ])('%j → %s', (tokens, saved) => {
    expect(save(4, tokens)).toBe(saved);
  });
  it('uses the IPv6 reject type and bracketed DNAT addresses', () => {
    expect(save(6, '-j', 'REJECT')).toBe('-j REJECT --reject-with icmp6-port-unreachable');
    expect(save(6, TCP, '-j', 'DNAT', '--to-destination', '[::102:304]:80')).toBe('-p tcp -m tcp -j DNAT --to-destination [::1.2.3.4]:80');
  });
  it('prints a rule without a target (the KUBE-FW chain tail)', () => {
    expect(save(4, comment('other traffic to ns/s:p will be dropped by KUBE-PROXY-FIREWALL'))).toBe(
      '-m comment --comment "other traffic to ns/s:p will be dropped by KUBE-PROXY-FIREWALL"',
    );
  });
});

describe('saveText: refuses what it cannot render faithfully', () => {
  it.each([
    [['-m', 'limit', '--limit', '1/s']],
    [['-j', 'LOG']],
    [['-j', 'KUBE-UNDECLARED']],
    [['--dport', '80']],
    [['-m', 'tcp', '-p', 'tcp', '--dport', 'http']],
    [['-m', 'comment', '!', '--comment', 'x']],
    [['-p', 'icmp']],
    [['-d', '10.0.0.1/40']],
    [['-m', 'conntrack', '--ctstate', 'BOGUS']],
    [['!']],
    [['stray']],
  ])('%j', (tokens) => {
    let error: unknown;
    try {
      save(4, tokens);
    } catch (e) {
      error = e;
    }
    expect([VocabularyError, ValueError, RuleReadError, ShapeError].some((c) => error instanceof c), String(error)).toBe(true);
  });
  it('reports a mark iptables cannot read', () => {
    expect(() => save(4, '-j', 'MARK', '--or-mark', 'lots')).toThrow(ValueError);
    expect(() => save(4, '-m', 'mark', '--mark', 'lots/lots', '-j', 'RETURN')).toThrow(/not a 32-bit number/);
  });
});
