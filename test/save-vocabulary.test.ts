/**
 * The `--format save` transformations checked against the kernel beyond what the golden
 * fixtures hold: hand-written rules using kube-proxy's whole vocabulary (session affinity,
 * interface detectors, source ranges with host bits or /0, every conntrack state, mark values
 * in each notation, glibc's IPv6 corner cases, …) and the `--probability` of 1/n for many n.
 * Each ruleset goes through emitRestore → iptables-restore → iptables-save and must equal
 * emitSave, for both backends.
 */
import { describe, expect, it } from 'vitest';
import { emitRestore } from '../src/emit/iptables-save.js';
import { emitSave } from '../src/emit/save-output.js';
import { probability } from '../src/plan/probability.js';
import { TableBuilder, type Ruleset } from '../src/plan/ruleset.js';
import { comment, r } from './helpers/rules.js';
import { requireKernel } from './helpers/kernel.js';
import { BACKENDS, saveAfterRestore } from './helpers/save-roundtrip.js';

const run = requireKernel('--format save vocabulary tests');

const TCP = ['-m', 'tcp', '-p', 'tcp'];

function ipv4Vocabulary(): Ruleset {
  const filter = new TableBuilder('filter');
  const nat = new TableBuilder('nat');
  for (const c of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD']) filter.declare(c);
  for (const c of ['KUBE-SVC-A', 'KUBE-SEP-A', 'KUBE-FW-A', 'KUBE-EXT-A', 'KUBE-MARK-MASQ', 'KUBE-POSTROUTING', 'KUBE-1', 'KUBE-_', 'KUBE-b']) {
    nat.declare(c);
  }
  filter.append('KUBE-SERVICES', r(comment('ns/a:p has no endpoints'), TCP, '-d', '10.96.0.1', '--dport', '80', '-j', 'REJECT'));
  filter.append('KUBE-SERVICES', r(comment('ns/a:p has no local endpoints'), TCP, '-d', '10.96.0.1', '--dport', '0', '-j', 'DROP'));
  filter.append('KUBE-EXTERNAL-SERVICES', r(comment('ns/a:p has no endpoints'), '-m', 'addrtype', '--dst-type', 'LOCAL', TCP, '--dport', '30001', '-j', 'REJECT'));
  filter.append('KUBE-FORWARD', r('-m', 'conntrack', '--ctstate', 'INVALID', '-m', 'nfacct', '--nfacct-name', 'ct_state_invalid_dropped_pkts', '-j', 'DROP'));
  filter.append('KUBE-FORWARD', r('-m', 'conntrack', '--ctstate', 'DNAT,SNAT,UNTRACKED,ESTABLISHED,RELATED,NEW,INVALID', '-j', 'ACCEPT'));
  filter.append('KUBE-FORWARD', r('-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP'));
  filter.append('KUBE-FORWARD', r('-m', 'mark', '--mark', '0x4000', '-j', 'ACCEPT'));
  filter.append('KUBE-FORWARD', r('-m', 'mark', '--mark', '16384/0xffffffff', '-j', 'ACCEPT'));
  filter.append('KUBE-FORWARD', r('-m', 'mark', '!', '--mark', '0x0/0x0', '-j', 'ACCEPT'));
  filter.append('KUBE-FORWARD', r('-m', 'mark', '--mark', '0x00000001/0x00000001', '-j', 'ACCEPT'));

  nat.append('KUBE-SVC-A', r(comment('ns/a:p cluster IP'), TCP, '-d', '10.96.0.1', '--dport', '80', '!', '-i', 'cbr0', '-j', 'KUBE-MARK-MASQ'));
  nat.append('KUBE-SVC-A', r(comment('ns/a:p cluster IP'), TCP, '-d', '10.96.0.1', '--dport', '80', '!', '-i', 'veth+', '-j', 'KUBE-MARK-MASQ'));
  nat.append('KUBE-SVC-A', r(comment('ns/a:p -> 10.244.0.5:8080'), '-m', 'recent', '--name', 'KUBE-SEP-A', '--rcheck', '--seconds', '10800', '--reap', '-j', 'KUBE-SEP-A'));
  nat.append('KUBE-SVC-A', r(comment('ns/a:p -> 10.244.0.5:8080'), '-m', 'statistic', '--mode', 'random', '--probability', probability(7), '-j', 'KUBE-SEP-A'));
  nat.append('KUBE-SEP-A', r(comment('ns/a:p'), '-s', '10.244.0.5', '-j', 'KUBE-MARK-MASQ'));
  nat.append('KUBE-SEP-A', r(comment('ns/a:p'), '-m', 'recent', '--name', 'KUBE-SEP-A', '--set', TCP, '-j', 'DNAT', '--to-destination', '10.244.0.5:8080'));
  nat.append('KUBE-SEP-A', r('-m', 'udp', '-p', 'udp', '-j', 'DNAT', '--to-destination', '10.244.0.5:53'));
  nat.append('KUBE-SEP-A', r('-m', 'sctp', '-p', 'sctp', '-d', '10.96.0.2', '--dport', '3868', '-j', 'DNAT', '--to-destination', '10.244.0.5:3868'));
  nat.append('KUBE-FW-A', r(comment('ns/a:p loadbalancer IP'), '-s', '203.0.113.77/24', '-j', 'KUBE-EXT-A'));
  nat.append('KUBE-FW-A', r(comment('ns/a:p loadbalancer IP'), '-s', '0.0.0.0/0', '-j', 'KUBE-EXT-A'));
  nat.append('KUBE-FW-A', r(comment('ns/a:p loadbalancer IP'), '-s', '192.0.2.10', '-j', 'KUBE-EXT-A'));
  nat.append('KUBE-FW-A', r(comment('other traffic to ns/a:p will be dropped by KUBE-PROXY-FIREWALL')));
  nat.append('KUBE-FW-A', r());
  nat.append('KUBE-EXT-A', r(comment('pod traffic for ns/a:p external destinations'), '-i', 'veth+', '-j', 'KUBE-SVC-A'));
  nat.append('KUBE-EXT-A', r(comment('masquerade LOCAL traffic for ns/a:p external destinations'), '-m', 'addrtype', '--src-type', 'LOCAL', '-j', 'KUBE-MARK-MASQ'));
  nat.append('KUBE-EXT-A', r('-m', 'addrtype', '!', '--dst-type', 'LOCAL', '!', '-d', '127.0.0.0/8', '-j', 'KUBE-SVC-A'));
  nat.append('KUBE-EXT-A', r('-m', 'comment', '--comment', 'plain_Comment-1', '-j', 'RETURN'));
  nat.append('KUBE-EXT-A', r('-m', 'comment', '--comment', 'dotted.comment', '-j', 'RETURN'));
  nat.append('KUBE-EXT-A', r('-m', 'comment', '--comment', '""', '-j', 'RETURN'));
  nat.append('KUBE-MARK-MASQ', r('-j', 'MARK', '--or-mark', '0x00004000'));
  nat.append('KUBE-MARK-MASQ', r('-j', 'MARK', '--or-mark', '0'));
  nat.append('KUBE-MARK-MASQ', r('-j', 'MARK', '--or-mark', '0x80000000'));
  nat.append('KUBE-MARK-MASQ', r('-j', 'MARK', '--or-mark', '010'));
  nat.append('KUBE-MARK-MASQ', r('-j', 'MARK', '--xor-mark', '1'));
  nat.append('KUBE-POSTROUTING', r('-m', 'mark', '!', '--mark', '0x00004000/0x00004000', '-j', 'RETURN'));
  nat.append('KUBE-POSTROUTING', r('-j', 'MARK', '--xor-mark', '0x00004000'));
  nat.append('KUBE-POSTROUTING', r(comment('kubernetes service traffic requiring SNAT'), '-j', 'MASQUERADE', '--random-fully'));
  nat.append('KUBE-POSTROUTING', r('-s', '10.0.0.0/8', '-d', '10.96.0.1/32', '-j', 'MASQUERADE'));
  nat.append('KUBE-1', r('-j', 'KUBE-_'));
  return { filter: filter.table, nat: nat.table };
}

function ipv6Vocabulary(): Ruleset {
  const filter = new TableBuilder('filter');
  const nat = new TableBuilder('nat');
  filter.declare('KUBE-SERVICES');
  for (const c of ['KUBE-SVC-A', 'KUBE-SEP-A', 'KUBE-MARK-MASQ', 'KUBE-SERVICES']) nat.declare(c);
  filter.append('KUBE-SERVICES', r(comment('ns/a:p has no endpoints'), TCP, '-d', 'fd00::1', '--dport', '80', '-j', 'REJECT'));
  filter.append('KUBE-SERVICES', r('-m', 'conntrack', '--ctstate', 'INVALID', '-m', 'nfacct', '--nfacct-name', 'ct_state_invalid_dropped_pkts', '-j', 'DROP'));
  nat.append('KUBE-SVC-A', r(comment('ns/a:p -> [2001:db8::1]:80'), '-m', 'recent', '--name', 'KUBE-SEP-A', '--rcheck', '--seconds', '60', '--reap', '-j', 'KUBE-SEP-A'));
  nat.append('KUBE-SVC-A', r(comment('ns/a:p cluster IP'), TCP, '-d', 'fd00::1', '--dport', '80', '!', '-s', 'fd00:10::/48', '-j', 'KUBE-MARK-MASQ'));
  nat.append('KUBE-SEP-A', r(comment('ns/a:p'), '-m', 'recent', '--name', 'KUBE-SEP-A', '--set', TCP, '-j', 'DNAT', '--to-destination', '[2001:db8::1]:80'));
  nat.append('KUBE-SEP-A', r(TCP, '-j', 'DNAT', '--to-destination', '[::102:304]:80'));
  // glibc prints these differently from Go: an all-zero first 96 bits, or a mapped address.
  for (const a of ['2001:db8::1', '::102:304', '::1:0', '::ffff:0:102:304', '1:0:0:1:0:0:0:1', '1:0:0:1:0:0:1:1', '1:0:1:1:1:1:1:1', '::ffff:1.2.3.4', 'fd00:1:2:3::5/48', '::/0', '::1']) {
    nat.append('KUBE-SEP-A', r('-s', a, '-j', 'KUBE-MARK-MASQ'));
  }
  nat.append('KUBE-SERVICES', r(comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), '-m', 'addrtype', '--dst-type', 'LOCAL', '!', '-d', '::1/128', '-j', 'KUBE-SVC-A'));
  nat.append('KUBE-SERVICES', r('-m', 'udp', '-p', 'udp', '-d', 'fd00::2', '--dport', '53', '-i', 'cbr0', '-j', 'KUBE-SVC-A'));
  return { filter: filter.table, nat: nat.table };
}

/** One chain holding kube-proxy's --probability for 1/n, n = 1 … count. */
function probabilities(count: number): Ruleset {
  const nat = new TableBuilder('nat');
  nat.declare('KUBE-SVC-P');
  for (let n = 1; n <= count; n++) {
    nat.append('KUBE-SVC-P', r('-m', 'statistic', '--mode', 'random', '--probability', probability(n), '-j', 'RETURN'));
  }
  return { filter: new TableBuilder('filter').table, nat: nat.table };
}

const CASES: [string, 4 | 6, () => Ruleset][] = [
  ['IPv4 vocabulary', 4, ipv4Vocabulary],
  ['IPv6 vocabulary', 6, ipv6Vocabulary],
  ['probabilities of 1/n for n up to 10000', 4, () => probabilities(10_000)],
];

describe.runIf(run).each(CASES)('%s', (_name, family, build) => {
  const rs = build();
  for (const backend of BACKENDS) {
    it(`matches iptables-${backend}-save`, () => {
      const kernel = saveAfterRestore(family, backend, emitRestore(rs));
      expect(kernel.ok, kernel.output).toBe(true);
      expect(emitSave(rs, { family, backend })).toBe(kernel.saved);
    });
  }
});
