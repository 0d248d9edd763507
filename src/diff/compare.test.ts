import { describe, expect, it } from 'vitest';
import { parseDump } from '../iptables/dump.js';
import { compareDumps } from './compare.js';

const nat = (...rules: string[]): string => {
  const chains = new Set<string>();
  for (const r of rules) {
    const m = /^-A (\S+)/.exec(r);
    if (m && m[1]!.startsWith('KUBE-')) chains.add(m[1]!);
    const j = / -j (KUBE-\S+)/.exec(r);
    if (j) chains.add(j[1]!);
  }
  return `*nat\n${[...chains].map((c) => `:${c} - [0:0]`).join('\n')}\n${rules.join('\n')}\nCOMMIT\n`;
};
const cmp = (a: string, b: string) => compareDumps(parseDump(a, 'a'), parseDump(b, 'b'));

const SVC = '-A KUBE-SERVICES -m comment --comment "ns/web:http cluster IP" -m tcp -p tcp -d 10.96.0.1 --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA';
const SVC2 = '-A KUBE-SERVICES -m comment --comment "ns/api:https cluster IP" -m tcp -p tcp -d 10.96.0.2 --dport 443 -j KUBE-SVC-BBBBBBBBBBBBBBBB';
const TAIL = '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS';

describe('compareDumps', () => {
  it('ignores the order of service ports in the dispatch chains, not the tail rule\'s place', () => {
    expect(cmp(nat(SVC, SVC2, TAIL), nat(SVC2, SVC, TAIL)).equal).toBe(true);
    const r = cmp(nat(SVC, SVC2, TAIL), nat(TAIL, SVC, SVC2));
    expect(r.equal).toBe(false);
  });

  it('keeps rule order within other chains', () => {
    const a = nat('-A KUBE-SEP-X -j KUBE-MARK-MASQ', '-A KUBE-SEP-X -j DNAT --to-destination 10.0.0.1:80');
    const b = nat('-A KUBE-SEP-X -j DNAT --to-destination 10.0.0.1:80', '-A KUBE-SEP-X -j KUBE-MARK-MASQ');
    expect(cmp(a, b).equal).toBe(false);
  });

  it('finds the service port of chains without comments (large-cluster mode) by hash and by jumps', () => {
    const a = nat(
      SVC,
      '-A KUBE-EXT-AAAAAAAAAAAAAAAA -j KUBE-SVC-AAAAAAAAAAAAAAAA',
      '-A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-CCCCCCCCCCCCCCCC',
      '-A KUBE-SEP-CCCCCCCCCCCCCCCC -j DNAT --to-destination 10.0.0.1:80',
    );
    const b = a.replace('10.0.0.1:80', '10.0.0.2:80').replace('-A KUBE-EXT-AAAAAAAAAAAAAAAA -j KUBE-SVC-AAAAAAAAAAAAAAAA', '-A KUBE-EXT-AAAAAAAAAAAAAAAA -j KUBE-MARK-MASQ\n-A KUBE-EXT-AAAAAAAAAAAAAAAA -j KUBE-SVC-AAAAAAAAAAAAAAAA');
    const r = cmp(a, b);
    expect(r.groups.map((g) => [g.servicePort, g.chains.map((c) => c.chain)])).toEqual([
      ['ns/web:http', ['KUBE-EXT-AAAAAAAAAAAAAAAA', 'KUBE-SEP-CCCCCCCCCCCCCCCC']],
    ]);
  });

  it('treats declared, empty, unreferenced KUBE chains as absent, and ignores other chains', () => {
    const a = nat(SVC);
    const b = `${nat(SVC).replace('*nat\n', '*nat\n:KUBE-PROXY-CANARY - [0:0]\n:DOCKER - [0:0]\n')}*mangle\n:KUBE-KUBELET-CANARY - [0:0]\nCOMMIT\n`
      .replace('COMMIT\n*mangle', '-A DOCKER -i docker0 -j RETURN\nCOMMIT\n*mangle');
    expect(cmp(a, b)).toMatchObject({ equal: true, notes: [] });
  });

  it('compares jumps from built-in chains only when both dumps have them', () => {
    const jump = '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES';
    const r = cmp(nat(SVC), nat(jump, SVC));
    expect(r.equal).toBe(true);
    expect(r.notes).toEqual([expect.stringContaining('a has no jumps from built-in chains')]);
    const other = cmp(nat(jump, SVC), nat('-A OUTPUT -j KUBE-SERVICES', SVC));
    expect(other.groups.flatMap((g) => g.chains.map((c) => `${c.chain} ${c.lines.map((l) => l.op).join('')}`))).toEqual(['OUTPUT +', 'PREROUTING -']);
  });

  it('matches a restore-form dump against an iptables-save one in the save form, both ways, and keys only what differs', () => {
    const restore = (cidr: string) =>
      nat(
        `-A KUBE-SVC-AAAAAAAAAAAAAAAA -m comment --comment "ns/web:http cluster IP" -m tcp -p tcp -d 10.96.0.1 --dport 80 ! -s ${cidr} -j KUBE-MARK-MASQ`,
        '-A KUBE-SVC-AAAAAAAAAAAAAAAA -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-CCCCCCCCCCCCCCCC',
        '-A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-DDDDDDDDDDDDDDDD',
        '-A KUBE-SEP-CCCCCCCCCCCCCCCC -s 10.0.0.1 -j KUBE-MARK-MASQ',
        '-A KUBE-SEP-CCCCCCCCCCCCCCCC -m tcp -p tcp -j DNAT --to-destination 10.0.0.1:80',
        '-A KUBE-SEP-DDDDDDDDDDDDDDDD -s 10.0.0.2 -j KUBE-MARK-MASQ',
        '-A KUBE-SEP-DDDDDDDDDDDDDDDD -m tcp -p tcp -j DNAT --to-destination 10.0.0.2:80',
      ).replace(':KUBE-SVC', ':KUBE-MARK-MASQ - [0:0]\n:KUBE-SVC');
    const save = (cidr: string) =>
      nat(
        `-A KUBE-SVC-AAAAAAAAAAAAAAAA ! -s ${cidr} -d 10.96.0.1/32 -p tcp -m comment --comment "ns/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ`,
        '-A KUBE-SVC-AAAAAAAAAAAAAAAA -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-CCCCCCCCCCCCCCCC',
        '-A KUBE-SVC-AAAAAAAAAAAAAAAA -j KUBE-SEP-DDDDDDDDDDDDDDDD',
        '-A KUBE-SEP-CCCCCCCCCCCCCCCC -s 10.0.0.1/32 -j KUBE-MARK-MASQ',
        '-A KUBE-SEP-CCCCCCCCCCCCCCCC -p tcp -m tcp -j DNAT --to-destination 10.0.0.1:80',
        '-A KUBE-SEP-DDDDDDDDDDDDDDDD -s 10.0.0.2/32 -j KUBE-MARK-MASQ',
        '-A KUBE-SEP-DDDDDDDDDDDDDDDD -p tcp -m tcp -j DNAT --to-destination 10.0.0.2:80',
      ).replace(':KUBE-SVC', ':KUBE-MARK-MASQ - [0:0]\n:KUBE-SVC');
    expect(cmp(restore('10.0.0.0/8'), save('10.0.0.0/8')).equal).toBe(true);
    expect(cmp(save('10.0.0.0/8'), restore('10.0.0.0/8')).equal).toBe(true);
    for (const [a, b] of [
      [restore('10.0.0.0/8'), save('10.0.0.0/9')],
      [save('10.0.0.0/8'), restore('10.0.0.0/9')],
    ] as const) {
      const r = cmp(a, b);
      const lines = r.groups.flatMap((g) => g.chains.flatMap((c) => c.lines.map((l) => `${l.op} ${l.rule}`)));
      const masq = (text: string, cidr: string) => text.split('\n').find((l) => l.includes(`! -s ${cidr}`))!;
      expect(lines).toEqual([`- ${masq(a, '10.0.0.0/8')}`, `+ ${masq(b, '10.0.0.0/9')}`]);
      expect(r).toMatchObject({ removed: 1, added: 1, moved: 0 });
    }
  });

  it('keys the rules the save printer has no words for', () => {
    const a = nat('-A KUBE-SEP-X -m foo --bar 1 -d 10.0.0.1 -j KUBE-MARK-MASQ', '-A KUBE-SEP-X -s 10.0.0.1 -j KUBE-MARK-MASQ');
    const b = nat('-A KUBE-SEP-X -d 10.0.0.1/32 -m foo --bar 1 -j KUBE-MARK-MASQ', '-A KUBE-SEP-X -s 10.0.0.1/32 -j KUBE-MARK-MASQ');
    expect(cmp(a, b).equal).toBe(true);
    expect(cmp(a, b.replace('--bar 1', '--bar 2')).removed).toBe(1);
  });
});
