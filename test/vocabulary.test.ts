/**
 * Every entry of kp-gen's rule vocabulary (src/iptables/vocabulary.ts), one or more rules each:
 *  - kube-proxy's words: the restore form reads back to itself (read → print), prints as the
 *    save form written here, the save form reads back to itself, both forms get the same
 *    compare key, the tracer evaluates the matches without guessing, and — in the kernel, both
 *    backends — loading the restore form and running iptables-save gives exactly the save form;
 *  - read-only words (a node's other rules): the restore form reads back to itself, and the
 *    line the real iptables-save prints for it gets the same compare key.
 * A vocabulary entry without a case here fails the run (the `tested` matrix of knftables).
 */
import { describe, expect, it } from 'vitest';
import { canonicalKey } from '../src/iptables/canonical.js';
import { readRule } from '../src/iptables/read.js';
import { restoreText } from '../src/iptables/restore.js';
import { saveText } from '../src/iptables/save.js';
import { parseIP } from '../src/model/ip.js';
import { evaluateRule, type PacketState } from '../src/trace/match.js';
import { requireKernel } from './helpers/kernel.js';
import { BACKENDS, saveAfterRestore } from './helpers/save-roundtrip.js';
import { entriesOf, vocabularyEntries } from './helpers/vocabulary-entries.js';

interface Case {
  /** The entries it covers: `-s`, `match tcp --dport`, `target MARK --or-mark`, `target DNAT`, … */
  entries: string[];
  family: 4 | 6;
  table: 'filter' | 'nat';
  /** As kube-proxy (or whoever) writes it, after `-A CHAIN `. */
  restore: string;
  /** As iptables 1.8.9's iptables-save prints it; undefined for read-only words. */
  save?: string;
}

/** The chain the cases are loaded into, and the chain they may jump to. */
const CHAIN = 'KUBE-VOCAB';
const OTHER = 'KUBE-OTHER';

const c = (entries: string[], table: Case['table'], restore: string, save?: string, family: 4 | 6 = 4): Case => {
  const k: Case = { entries, family, table, restore };
  if (save !== undefined) k.save = save;
  return k;
};

const CASES: Case[] = [
  // Header fields.
  c(['-s', '-d', 'target ACCEPT'], 'filter', '-s 10.1.2.3/16 -d 10.96.0.1 -j ACCEPT', '-s 10.1.0.0/16 -d 10.96.0.1/32 -j ACCEPT'),
  c(['-s', '-d'], 'filter', '! -s 127.0.0.0/8 -d 127.0.0.0/8 -j DROP', '! -s 127.0.0.0/8 -d 127.0.0.0/8 -j DROP'),
  c(['-s', '-d'], 'filter', '-s fd00:10::/48 -d fd00::1 -j ACCEPT', '-s fd00:10::/48 -d fd00::1/128 -j ACCEPT', 6),
  c(['-s'], 'nat', '-s ::102:304 -j RETURN', '-s ::1.2.3.4/128 -j RETURN', 6),
  c(['-i', 'target RETURN'], 'nat', '! -i veth+ -j RETURN', '! -i veth+ -j RETURN'),
  c(['-i'], 'nat', '-i cbr0 -j RETURN', '-i cbr0 -j RETURN'),
  c(['-o'], 'filter', '-o eth0 -j ACCEPT', '-o eth0 -j ACCEPT'),
  c(['-p'], 'filter', '-p udp -j ACCEPT', '-p udp -j ACCEPT'),
  c(['-p'], 'filter', '! -p tcp -j ACCEPT', '! -p tcp -j ACCEPT'),
  c(['-f'], 'filter', '-f -j DROP'),
  // Matches kube-proxy writes.
  c(['match comment --comment'], 'nat', '-m comment --comment "ns/svc:p cluster IP" -j RETURN', '-m comment --comment "ns/svc:p cluster IP" -j RETURN'),
  c(['match comment --comment'], 'nat', '-m comment --comment ns1/svc1:p80 -j RETURN', '-m comment --comment "ns1/svc1:p80" -j RETURN'),
  c(['match comment --comment'], 'nat', '-m comment --comment plain_Comment-1 -j RETURN', '-m comment --comment plain_Comment-1 -j RETURN'),
  // A quote or backslash from a name stays inside the comment (iptables-restore reads \" and \\).
  c(['match comment --comment'], 'nat', '-m comment --comment "x\\" -j ACCEPT \\\\ y" -j RETURN', '-m comment --comment "x\\" -j ACCEPT \\\\ y" -j RETURN'),
  c(['match tcp --dport'], 'nat', '-m tcp -p tcp -d 10.96.0.1 --dport 80 -j KUBE-OTHER', '-d 10.96.0.1/32 -p tcp -m tcp --dport 80 -j KUBE-OTHER'),
  c(['match udp --dport'], 'filter', '-m udp -p udp -d 10.96.0.10 --dport 53 -j ACCEPT', '-d 10.96.0.10/32 -p udp -m udp --dport 53 -j ACCEPT'),
  c(['match sctp --dport'], 'filter', '-m sctp -p sctp --dport 31868 -j DROP', '-p sctp -m sctp --dport 31868 -j DROP'),
  c(['match addrtype --dst-type'], 'nat', '-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-OTHER', '! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j KUBE-OTHER'),
  c(['match addrtype --src-type'], 'nat', '-m addrtype ! --src-type LOCAL -j RETURN', '-m addrtype ! --src-type LOCAL -j RETURN'),
  // 1.10 … 1.18: an external IP's rule for traffic from off the node (not bridged in, not local).
  c(['match physdev --physdev-is-in'], 'nat', '-m tcp -p tcp -d 203.0.113.60/32 --dport 80 -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j KUBE-OTHER',
    '-d 203.0.113.60/32 -p tcp -m tcp --dport 80 -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j KUBE-OTHER'),
  c(['match nfacct --nfacct-name'], 'filter', '-m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP',
    '-m conntrack --ctstate INVALID -m nfacct --nfacct-name  ct_state_invalid_dropped_pkts -j DROP'),
  c(['match conntrack --ctstate'], 'filter', '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'),
  c(['match conntrack --ctstate'], 'filter', '-m conntrack ! --ctstate DNAT,SNAT,UNTRACKED,NEW,INVALID -j DROP', '-m conntrack ! --ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT -j DROP'),
  c(['match mark --mark'], 'nat', '-m mark ! --mark 0x00004000/0x00004000 -j RETURN', '-m mark ! --mark 0x4000/0x4000 -j RETURN'),
  c(['match mark --mark'], 'filter', '-m mark --mark 16384/0xffffffff -j ACCEPT', '-m mark --mark 0x4000 -j ACCEPT'),
  c(['match mark --mark'], 'filter', '-m mark --mark 010/010 -j ACCEPT', '-m mark --mark 0x8/0x8 -j ACCEPT'),
  c(['match statistic --mode', 'match statistic --probability'], 'nat',
    '-m statistic --mode random --probability 0.3333333333 -j KUBE-OTHER', '-m statistic --mode random --probability 0.33333333349 -j KUBE-OTHER'),
  c(['match statistic --probability'], 'nat', '-m statistic --mode random ! --probability 0.5000000000 -j RETURN', '-m statistic --mode random ! --probability 0.50000000000 -j RETURN'),
  c(['match recent --name', 'match recent --rcheck', 'match recent --seconds', 'match recent --reap'], 'nat',
    '-m recent --name KUBE-SEP-A --rcheck --seconds 10800 --reap -j KUBE-OTHER',
    '-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j KUBE-OTHER'),
  c(['match recent --set'], 'nat', '-m recent --name KUBE-SEP-A --set -m tcp -p tcp -j DNAT --to-destination [2001:db8::1]:80',
    '-p tcp -m recent --set --name KUBE-SEP-A --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource -m tcp -j DNAT --to-destination [2001:db8::1]:80', 6),
  // What releases before 1.2x wrote: the kernel's defaults spelled out.
  c(['match recent --mask', 'match recent --rsource'], 'nat',
    '-m recent --name KUBE-SEP-A --mask 255.255.255.255 --rsource --rcheck --seconds 10800 --reap -j KUBE-OTHER',
    '-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-A --mask 255.255.255.255 --rsource -j KUBE-OTHER'),
  c(['match recent --mask'], 'nat', '-m recent --set --name X --mask 255.255.0.0 -j RETURN', '-m recent --set --name X --mask 255.255.0.0 --rsource -j RETURN'),
  // Targets kube-proxy writes.
  c(['target DROP'], 'filter', '-j DROP', '-j DROP'),
  c(['target REJECT'], 'filter', '-m tcp -p tcp --dport 80 -j REJECT', '-p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable'),
  c(['target REJECT'], 'filter', '-j REJECT', '-j REJECT --reject-with icmp6-port-unreachable', 6),
  c(['target REJECT --reject-with'], 'filter', '-p tcp -j REJECT --reject-with tcp-rst', '-p tcp -j REJECT --reject-with tcp-reset'),
  c(['target MARK', 'target MARK --or-mark'], 'nat', '-j MARK --or-mark 0x00004000', '-j MARK --set-xmark 0x4000/0x4000'),
  c(['target MARK --xor-mark'], 'nat', '-j MARK --xor-mark 0x00004000', '-j MARK --set-xmark 0x4000/0x0'),
  c(['target MARK --set-xmark'], 'nat', '-j MARK --set-xmark 0x4000/0x4000', '-j MARK --set-xmark 0x4000/0x4000'),
  c(['target MARK --set-mark'], 'nat', '-j MARK --set-mark 0x5'),
  c(['target MARK --and-mark'], 'nat', '-j MARK --and-mark 0x4'),
  c(['target MASQUERADE'], 'nat', '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
    '-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE'),
  c(['target MASQUERADE --random-fully'], 'nat', '-j MASQUERADE --random-fully', '-j MASQUERADE --random-fully'),
  c(['target DNAT', 'target DNAT --to-destination'], 'nat', '-m tcp -p tcp -j DNAT --to-destination 10.244.1.9:8080', '-p tcp -m tcp -j DNAT --to-destination 10.244.1.9:8080'),
  c(['target DNAT --to-destination'], 'nat', '-m tcp -p tcp -j DNAT --to-destination [::102:304]:80', '-p tcp -m tcp -j DNAT --to-destination [::1.2.3.4]:80', 6),
  c(['target chain'], 'nat', '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-OTHER',
    '-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-OTHER'),
  c(['no target'], 'nat', '-m comment --comment "other traffic to ns/s:p will be dropped by KUBE-PROXY-FIREWALL"',
    '-m comment --comment "other traffic to ns/s:p will be dropped by KUBE-PROXY-FIREWALL"'),
  // Read-only words: what else a node's dump holds.
  c(['match tcp --tcp-flags'], 'filter', '-p tcp --tcp-flags RST,SYN SYN -j ACCEPT'),
  c(['match tcp --syn'], 'filter', '-p tcp -m tcp ! --syn -j ACCEPT'),
  c(['match tcp --sport'], 'filter', '-m tcp -p tcp ! --sport 1024:65535 -j ACCEPT'),
  c(['match udp --sport'], 'filter', '-m udp -p udp --sport 53 --dport 53 -j ACCEPT'),
  c(['match sctp --sport'], 'filter', '-m sctp -p sctp --sport 7 -j DROP'),
  c(['match recent --update', 'match recent --hitcount', 'match recent --rttl', 'match recent --rdest'], 'filter',
    '-m recent ! --update --seconds 60 --hitcount 3 --rttl --name X --rdest -j DROP'),
  c(['match recent --remove'], 'filter', '-m recent --remove --name X -j ACCEPT'),
  c(['match tcp --tcp-option'], 'filter', '-p tcp -m tcp --tcp-option 2 -j ACCEPT'),
  c(['match sctp --chunk-types'], 'filter', '-p sctp -m sctp --chunk-types any INIT -j ACCEPT'),
  c(['match addrtype --limit-iface-in'], 'filter', '-m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT'),
  c(['match addrtype --limit-iface-out'], 'filter', '-m addrtype --src-type LOCAL --limit-iface-out -j ACCEPT'),
  c(['match conntrack --ctproto', 'match conntrack --ctorigsrc', 'match conntrack --ctorigdst', 'match conntrack --ctreplsrc',
    'match conntrack --ctrepldst'], 'filter',
  '-m conntrack --ctproto tcp --ctorigsrc 10.0.0.0/8 --ctorigdst 10.96.0.1 --ctreplsrc 10.244.0.5 --ctrepldst 192.168.0.0/16 -j ACCEPT'),
  c(['match conntrack --ctorigsrcport', 'match conntrack --ctorigdstport', 'match conntrack --ctreplsrcport', 'match conntrack --ctrepldstport'], 'filter',
    '-m conntrack --ctproto udp --ctorigsrcport 53 --ctorigdstport 1000:2000 --ctreplsrcport 5353 --ctrepldstport 7 -j ACCEPT'),
  c(['match conntrack --ctstatus', 'match conntrack --ctexpire', 'match conntrack --ctdir'], 'filter',
    '-m conntrack --ctstatus ASSURED,SEEN_REPLY --ctexpire 10:100 --ctdir ORIGINAL -j ACCEPT'),
  c(['match statistic --every', 'match statistic --packet'], 'nat', '-m statistic --mode nth --every 3 --packet 1 -j RETURN'),
  c(['match state --state'], 'filter', '-m state --state ESTABLISHED,RELATED -j ACCEPT'),
  c(['match multiport --dports'], 'filter', '-p tcp -m multiport --dports 80,443 -j ACCEPT'),
  c(['match multiport --sports'], 'filter', '-p tcp -m multiport --sports 1024:2048,3000 -j ACCEPT'),
  c(['match multiport --ports'], 'filter', '-p udp -m multiport ! --ports 53,5353 -j ACCEPT'),
  c(['match physdev --physdev-in', 'match physdev --physdev-out', 'match physdev --physdev-is-in', 'match physdev --physdev-is-out',
    'match physdev --physdev-is-bridged'], 'filter',
  '-m physdev --physdev-in veth0 --physdev-out eth0 --physdev-is-in --physdev-is-out --physdev-is-bridged -j ACCEPT'),
  c(['match icmp --icmp-type'], 'filter', '-p icmp -m icmp --icmp-type 8 -j ACCEPT'),
  c(['match icmp6 --icmpv6-type'], 'filter', '-p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT', undefined, 6),
  c(['match connmark --mark'], 'filter', '-m connmark --mark 0x10/0xff -j ACCEPT'),
  c(['match limit --limit', 'match limit --limit-burst'], 'filter', '-m limit --limit 5/sec --limit-burst 10 -j ACCEPT'),
  c(['target MASQUERADE --to-ports', 'target MASQUERADE --random'], 'nat', '-p tcp -j MASQUERADE --to-ports 1024-2048 --random'),
  c(['target DNAT --random', 'target DNAT --persistent'], 'nat', '-p tcp -j DNAT --to-destination 10.0.0.1:80 --random --persistent'),
  c(['target SNAT', 'target SNAT --to-source', 'target SNAT --random', 'target SNAT --random-fully', 'target SNAT --persistent'], 'nat',
    '-j SNAT --to-source 192.0.2.1 --random --random-fully --persistent'),
  c(['target LOG', 'target LOG --log-prefix', 'target LOG --log-level', 'target LOG --log-tcp-sequence', 'target LOG --log-tcp-options',
    'target LOG --log-ip-options', 'target LOG --log-uid'], 'filter',
  '-j LOG --log-prefix "drop: " --log-level 4 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid'),
  c(['match set --match-set', 'match set --return-nomatch', 'match set --update-counters', 'match set --update-subcounters',
    'match set --packets-eq', 'match set --packets-lt', 'match set --packets-gt', 'match set --bytes-eq', 'match set --bytes-lt',
    'match set --bytes-gt'], 'filter',
  '-m set --match-set KUBE-X src,dst --return-nomatch ! --update-counters ! --update-subcounters --packets-eq 1 --packets-lt 2 --packets-gt 0 --bytes-eq 1 --bytes-lt 2 --bytes-gt 0 -j ACCEPT'),
];

/** Cases the kernel cannot load here, and why. */
const NOT_IN_KERNEL = new Map([
  ['match set --match-set', 'needs an ipset set, and ipset is not a test dependency'],
]);

const CHAINS = new Set([CHAIN, OTHER]);
const kernelRun = requireKernel('vocabulary tests against iptables-save');

describe('every vocabulary entry has a case', () => {
  it.each(vocabularyEntries())('$entry', ({ entry, readOnly }) => {
    const cases = CASES.filter((k) => k.entries.includes(entry));
    expect(cases.length, `no case in test/vocabulary.test.ts covers ${entry}`).toBeGreaterThan(0);
    if (!readOnly) expect(cases.some((k) => k.save !== undefined), `${entry} is printed by kp-gen: give a save form`).toBe(true);
  });
  it('names, for each case, exactly the entries its rule uses beyond those of other cases', () => {
    for (const k of CASES) {
      const used = new Set(entriesOf(readRule(k.restore).shape));
      expect(k.entries.filter((e) => !used.has(e)), k.restore).toEqual([]);
    }
  });
  it('names only entries the vocabulary has', () => {
    const known = new Set(vocabularyEntries().map((v) => v.entry));
    expect(CASES.flatMap((k) => k.entries).filter((e) => !known.has(e))).toEqual([]);
  });
});

const packet: PacketState = {
  protocol: 'tcp',
  src: parseIP('10.0.0.1')!,
  dst: parseIP('10.96.0.1')!,
  sport: 40000,
  dport: 80,
  mark: 0,
  ctStates: new Set(['NEW']),
  recent: new Set(),
  inInterface: 'eth0',
  outInterface: 'eth1',
};

describe.each(CASES)('$restore', (k) => {
  const read = readRule(k.restore);
  it('reads back to itself (restore form)', () => {
    expect(restoreText(read.rule)).toBe(k.restore);
  });
  if (k.save === undefined) return;
  const save = k.save;
  it('prints as iptables-save does, and reads back to itself (save form)', () => {
    expect(saveText(read.rule, k.family, CHAINS)).toBe(save);
    expect(saveText(readRule(save).rule, k.family, CHAINS)).toBe(save);
    expect(restoreText(readRule(restoreText(readRule(save).rule)).rule)).toBe(restoreText(readRule(save).rule));
  });
  it('has one compare key in both forms', () => {
    expect(canonicalKey(readRule(save).shape)).toBe(canonicalKey(read.shape));
  });
  it('is traced without guessing', () => {
    const warnings: string[] = [];
    const family = k.family === 6 ? { src: parseIP('fd00::1')!, dst: parseIP('fd00::2')! } : {};
    evaluateRule(read.shape, { ...packet, ...family }, { node: { localAddresses: [] }, warn: (w) => warnings.push(w), ruleText: k.restore });
    expect(warnings.filter((w) => !/interface is unknown/.test(w))).toEqual([]);
  });
});

/** The restore text loading the cases of one table. */
function restoreFile(table: Case['table'], cases: Case[]): string {
  return [`*${table}`, `:${CHAIN} - [0:0]`, `:${OTHER} - [0:0]`, ...cases.map((k) => `-A ${CHAIN} ${k.restore}`), 'COMMIT', ''].join('\n');
}

describe.runIf(kernelRun)('against the real iptables-save', () => {
  for (const family of [4, 6] as const) {
    for (const table of ['filter', 'nat'] as const) {
      const cases = CASES.filter((k) => k.family === family && k.table === table && !k.entries.some((e) => NOT_IN_KERNEL.has(e)));
      if (cases.length === 0) continue;
      for (const backend of BACKENDS) {
        it(`IPv${family} ${table}, iptables-${backend}`, () => {
          const kernel = saveAfterRestore(family, backend, restoreFile(table, cases));
          expect(kernel.ok, kernel.output).toBe(true);
          const lines = kernel.saved.split('\n').filter((l) => l.startsWith(`-A ${CHAIN} `)).map((l) => l.slice(CHAIN.length + 4));
          expect(lines.length).toBe(cases.length);
          cases.forEach((k, i) => {
            const saved = lines[i]!;
            if (k.save !== undefined) expect(saved, k.restore).toBe(k.save);
            expect(canonicalKey(readRule(saved).shape), `${k.restore}\n  saved as ${saved}`).toBe(canonicalKey(readRule(k.restore).shape));
          });
        });
      }
    }
  }
});
