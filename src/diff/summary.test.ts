import { describe, expect, it } from 'vitest';
import { parseDump } from '../iptables/dump.js';
import { compareDumps } from './compare.js';
import { renderSummary, summarize } from './summary.js';

/** A nat table holding these rules and KUBE-MARK-MASQ's, every KUBE chain they name declared. */
const nat = (...given: string[]): string => {
  const rules = ['-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000', ...given];
  const chains = new Set<string>();
  for (const r of rules) {
    for (const m of r.matchAll(/(KUBE-[A-Z0-9-]+)/g)) chains.add(m[1]!);
  }
  return `*nat\n${[...chains].map((c) => `:${c} - [0:0]`).join('\n')}\n${rules.join('\n')}\nCOMMIT\n`;
};
const stat = (a: string, b: string): string[] => renderSummary(summarize(compareDumps(parseDump(a, 'a'), parseDump(b, 'b'))));

const svc = (hash: string, ip: string): string =>
  `-A KUBE-SERVICES -m comment --comment "ns/web${ip.slice(-1)}:http cluster IP" -m tcp -p tcp -d ${ip} --dport 80 -j KUBE-SVC-${hash}`;
const masq = (hash: string, ip: string, cidr: string): string =>
  `-A KUBE-SVC-${hash} -m comment --comment "ns/web${ip.slice(-1)}:http cluster IP" -m tcp -p tcp -d ${ip} --dport 80 ! -s ${cidr} -j KUBE-MARK-MASQ`;
const sep = (name: string, ep: string, svcName = 'ns/web1:http'): string[] => [
  `-A KUBE-SEP-${name} -m comment --comment ${svcName} -s ${ep.split(':')[0]} -j KUBE-MARK-MASQ`,
  `-A KUBE-SEP-${name} -m comment --comment ${svcName} -m tcp -p tcp -j DNAT --to-destination ${ep}`,
];
const jump = (hash: string, name: string, ep: string, p?: string): string =>
  `-A KUBE-SVC-${hash} -m comment --comment "ns/web1:http -> ${ep}"${p ? ` -m statistic --mode random --probability ${p}` : ''} -j KUBE-SEP-${name}`;

describe('diff --stat', () => {
  it('says an endpoint was added and the probabilities rebalanced', () => {
    const H = 'AAAAAAAAAAAAAAAA';
    const a = nat(svc(H, '10.96.0.1'), jump(H, 'EPAEPAEPAEPAEPAE', '10.0.0.1:80', '0.5000000000'), jump(H, 'EPBEPBEPBEPBEPBE', '10.0.0.2:80'), ...sep('EPAEPAEPAEPAEPAE', '10.0.0.1:80'), ...sep('EPBEPBEPBEPBEPBE', '10.0.0.2:80'));
    const b = nat(
      svc(H, '10.96.0.1'),
      jump(H, 'EPAEPAEPAEPAEPAE', '10.0.0.1:80', '0.3333333333'),
      jump(H, 'EPBEPBEPBEPBEPBE', '10.0.0.2:80', '0.5000000000'),
      jump(H, 'EPCEPCEPCEPCEPCE', '10.0.0.3:80'),
      ...sep('EPAEPAEPAEPAEPAE', '10.0.0.1:80'),
      ...sep('EPBEPBEPBEPBEPBE', '10.0.0.2:80'),
      ...sep('EPCEPCEPCEPCEPCE', '10.0.0.3:80'),
    );
    expect(stat(a, b)).toEqual(['ns/web1:http: endpoint 10.0.0.3:80 added; probabilities rebalanced']);
  });

  it('folds the same masquerade CIDR change of many service ports into one line with a count', () => {
    const ports = ['AAAAAAAAAAAAAAA1', 'AAAAAAAAAAAAAAA2', 'AAAAAAAAAAAAAAA3', 'AAAAAAAAAAAAAAA4', 'AAAAAAAAAAAAAAA5'];
    const rules = (cidr: string): string => nat(...ports.flatMap((h, i) => [svc(h, `10.96.0.${i + 1}`), masq(h, `10.96.0.${i + 1}`, cidr)]));
    expect(stat(rules('10.244.0.0/16'), rules('10.245.0.0/16'))).toEqual([
      '5 service ports: masquerade CIDR 10.244.0.0/16 → 10.245.0.0/16 (ns/web1:http, ns/web2:http, ns/web3:http and 2 more)',
    ]);
  });

  it('recognises chains renamed with the rules unchanged (another hash)', () => {
    const rules = (h: string, e: string): string => nat(svc(h, '10.96.0.1'), jump(h, e, '10.0.0.1:80'), ...sep(e, '10.0.0.1:80'));
    expect(stat(rules('AAAAAAAAAAAAAAAA', 'EPAEPAEPAEPAEPAE'), rules('BBBBBBBBBBBBBBBB', 'EPBEPBEPBEPBEPBE'))).toEqual([
      'ns/web1:http: chains renamed, rules unchanged (another chain-name hash, as between kube-proxy releases): KUBE-SVC-AAAAAAAAAAAAAAAA → KUBE-SVC-BBBBBBBBBBBBBBBB',
    ]);
  });

  it('says a service port was added, and shows moves as moves', () => {
    const H = 'AAAAAAAAAAAAAAAA';
    const one = [svc(H, '10.96.0.1'), jump(H, 'EPAEPAEPAEPAEPAE', '10.0.0.1:80'), ...sep('EPAEPAEPAEPAEPAE', '10.0.0.1:80')];
    expect(stat(nat(svc('CCCCCCCCCCCCCCCC', '10.96.0.2')), nat(svc('CCCCCCCCCCCCCCCC', '10.96.0.2'), ...one))).toEqual([
      'ns/web1:http: service port added (1 endpoint, 4 rules)',
    ]);
    const [m, d] = sep('EPAEPAEPAEPAEPAE', '10.0.0.1:80');
    const r = compareDumps(parseDump(nat(...one), 'a'), parseDump(nat(...one.slice(0, 2), d!, m!), 'b'));
    expect(r).toMatchObject({ added: 0, removed: 0, moved: 1 });
    expect(r.groups[0]!.chains[0]!.lines).toEqual([expect.objectContaining({ op: '>', from: 1, to: 2, rule: m })]);
  });
});
