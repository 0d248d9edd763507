import { describe, expect, it } from 'vitest';
import { parseIP } from '../model/ip.js';
import { traceRules, outcomeKey, TraceError, type Packet } from './index.js';

const ip = (s: string) => parseIP(s)!;
const node = { localAddresses: [ip('192.168.1.10')] };

function packet(over: Partial<Packet> = {}): Packet {
  return { protocol: 'tcp', src: ip('198.51.100.7'), dst: ip('10.96.0.10'), sport: 40000, dport: 80, from: 'external', ...over };
}

const nat = (body: string): string => `*nat\n${body}\nCOMMIT\n`;

describe('simulate', () => {
  it('follows jumps, goto and RETURN: a RETURN after goto goes back to the caller of the chain that did the goto', () => {
    const r = traceRules(nat([
      ':PREROUTING ACCEPT [0:0]', ':X-A - [0:0]', ':X-B - [0:0]', ':X-C - [0:0]',
      '-A PREROUTING -j X-A',
      '-A PREROUTING -j DNAT --to-destination 10.0.0.2:80',
      '-A X-A -g X-B',
      '-A X-A -j DNAT --to-destination 10.0.0.1:80',
      '-A X-B -j RETURN',
    ].join('\n')), packet(), node);
    expect(r.outcomes.map(outcomeKey)).toEqual(['DNAT 10.0.0.2:80']);
    expect(r.outcomes[0]!.path).toEqual(['PREROUTING', 'X-A', 'X-B']);
  });

  it('applies a built-in chain policy when the packet falls off its end', () => {
    const r = traceRules('*filter\n:FORWARD DROP [0:0]\n-A FORWARD -d 10.0.0.0/8 -p udp -j ACCEPT\nCOMMIT\n', packet(), node);
    expect(r.outcomes).toMatchObject([{ verdict: 'DROP', reason: 'policy of filter FORWARD', probability: 1 }]);
  });

  it('splits at statistic rules; the probabilities of n endpoints are 1/n each and sum to 1', () => {
    const n = 200;
    const lines = [':PREROUTING ACCEPT [0:0]', ':KUBE-SVC-X - [0:0]', '-A PREROUTING -j KUBE-SVC-X'];
    for (let i = 0; i < n; i++) {
      const stat = i < n - 1 ? ` -m statistic --mode random --probability ${(1 / (n - i)).toFixed(10)}` : '';
      lines.push(`-A KUBE-SVC-X${stat} -j DNAT --to-destination 10.0.${Math.floor(i / 250)}.${(i % 250) + 1}:80`);
    }
    const r = traceRules(nat(lines.join('\n')), packet(), node);
    expect(r.outcomes).toHaveLength(n);
    expect(r.outcomes.reduce((s, o) => s + o.probability, 0)).toBeCloseTo(1, 9);
    for (const o of r.outcomes) expect(o.probability).toBeCloseTo(1 / n, 6);
  });

  it('tracks the mark: KUBE-MARK-MASQ, then MASQUERADE in POSTROUTING only for marked packets', () => {
    const rules = nat([
      ':PREROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':KUBE-POSTROUTING - [0:0]',
      '-A PREROUTING ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ',
      '-A PREROUTING -j DNAT --to-destination 10.244.1.5:8080',
      '-A POSTROUTING -j KUBE-POSTROUTING',
      '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
      '-A KUBE-POSTROUTING -j MASQUERADE',
    ].join('\n'));
    expect(traceRules(rules, packet(), node).outcomes.map(outcomeKey)).toEqual(['DNAT 10.244.1.5:8080 masquerade']);
    expect(traceRules(rules, packet({ src: ip('10.244.2.2'), from: 'pod' }), node).outcomes.map(outcomeKey)).toEqual(['DNAT 10.244.1.5:8080']);
  });

  it('knows the node\'s addresses and loopback as LOCAL, and routes by them', () => {
    const rules = [
      '*nat', ':PREROUTING ACCEPT [0:0]',
      '-A PREROUTING -m addrtype --dst-type LOCAL -p tcp --dport 30000 -j DNAT --to-destination 10.0.0.1:80',
      'COMMIT', '*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', 'COMMIT', '',
    ].join('\n');
    expect(traceRules(rules, packet({ dst: ip('192.168.1.10'), dport: 30000 }), node).outcomes.map(outcomeKey)).toEqual(['DNAT 10.0.0.1:80']);
    expect(traceRules(rules, packet({ dst: ip('127.0.0.1'), dport: 30000 }), node).outcomes.map(outcomeKey)).toEqual(['DNAT 10.0.0.1:80']);
    // Not a node address: no DNAT, forwarded unchanged.
    expect(traceRules(rules, packet({ dst: ip('192.168.1.11'), dport: 30000 }), node).outcomes.map(outcomeKey)).toEqual(['ACCEPT 192.168.1.11:30000']);
    expect(traceRules(rules, packet({ dst: ip('192.168.1.10'), dport: 30000 }), { localAddresses: [] }).outcomes.map(outcomeKey)).toEqual(['ACCEPT 192.168.1.10:30000']);
    // A node address, other port: delivered locally through filter INPUT, whose policy here is DROP.
    expect(traceRules(rules, packet({ dst: ip('192.168.1.10'), dport: 22 }), node).outcomes).toMatchObject([{ verdict: 'DROP', reason: 'policy of filter INPUT' }]);
  });

  it('sees the conntrack DNAT state after a DNAT (kube-proxy\'s localnet rule)', () => {
    const rules = [
      '*filter', ':INPUT ACCEPT [0:0]', ':KUBE-FIREWALL - [0:0]', '-A INPUT -j KUBE-FIREWALL',
      '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
      'COMMIT', '',
    ].join('\n');
    expect(traceRules(rules, packet({ dst: ip('127.0.0.1') }), node).outcomes).toMatchObject([{ verdict: 'DROP', reason: 'localnet' }]);
  });

  it('gives packets from the node no input interface, and lo when they loop back to it', () => {
    const rules = [
      '*nat', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':KUBE-MARK-MASQ - [0:0]',
      '-A OUTPUT -d 10.96.0.10 -i eth0 -j DNAT --to-destination 10.244.1.9:80',
      '-A OUTPUT -d 10.96.0.10 ! -i kpg-p+ -j KUBE-MARK-MASQ',
      '-A OUTPUT -d 10.96.0.10 -j DNAT --to-destination 10.244.1.5:8080',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
      '-A POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE',
      'COMMIT',
      '*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -d 192.168.1.10 -p tcp --dport 22 -i lo -j REJECT', 'COMMIT', '',
    ].join('\n');
    // `-i eth0` cannot match a packet that no interface received (even if the caller names
    // one), `! -i kpg-p+` always does; neither is a guess, so no warning.
    const fromNode = traceRules(rules, packet({ src: ip('192.168.1.10'), from: 'node', inInterface: 'eth0' }), node);
    expect(fromNode.outcomes.map(outcomeKey)).toEqual(['DNAT 10.244.1.5:8080 masquerade']);
    expect(fromNode.warnings).toEqual([]);
    // To the node's own address: filter INPUT sees it arrive on lo.
    const toSelf = traceRules(rules, packet({ src: ip('192.168.1.10'), dst: ip('192.168.1.10'), dport: 22, from: 'node' }), node);
    expect(toSelf.outcomes.map(outcomeKey)).toEqual(['REJECT']);
    expect(toSelf.warnings).toEqual([]);
    // From another host the interface is the caller's to give, and a guess (with a warning) if not.
    const external = traceRules(rules.replace(':OUTPUT', ':PREROUTING').replace(/-A OUTPUT/g, '-A PREROUTING'), packet(), node);
    expect(external.warnings).toEqual([
      expect.stringContaining("the packet's input interface is unknown"),
      expect.stringContaining("the packet's input interface is unknown"),
    ]);
  });

  it('warns about matches it cannot evaluate and assumes they do not match', () => {
    const r = traceRules(nat(':PREROUTING ACCEPT [0:0]\n-A PREROUTING -m set --match-set foo src -j DNAT --to-destination 10.0.0.1:80'), packet(), node);
    expect(r.outcomes.map(outcomeKey)).toEqual(['ACCEPT 10.96.0.10:80']);
    expect(r.warnings).toEqual([expect.stringContaining('match set is not simulated')]);
  });

  it('refuses loops and jumps to missing chains', () => {
    expect(() => traceRules(nat(':PREROUTING ACCEPT [0:0]\n:X - [0:0]\n-A PREROUTING -j X\n-A X -j X'), packet(), node)).toThrow(TraceError);
    expect(() => traceRules(nat(':PREROUTING ACCEPT [0:0]\n-A PREROUTING -j KUBE-NOPE'), packet(), node)).toThrow(/KUBE-NOPE is not a chain/);
  });

  it('adds kube-proxy\'s jumps only to a table that has none, on top of other rules', () => {
    const rules = nat([
      ':PREROUTING ACCEPT [0:0]', ':DOCKER - [0:0]', ':KUBE-SERVICES - [0:0]',
      '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
      '-A KUBE-SERVICES -d 10.96.0.10 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:80',
    ].join('\n'));
    const r = traceRules(rules, packet(), node, 'x.rules');
    expect(r.notes).toEqual([expect.stringContaining('x.rules has no jumps from the built-in chains of table nat')]);
    expect(r.outcomes[0]!.steps[0]).toMatchObject({ chain: 'PREROUTING', line: 0 });
    const withJump = rules.replace('-A KUBE-SERVICES', '-A PREROUTING -j KUBE-SERVICES\n-A KUBE-SERVICES');
    expect(traceRules(withJump, packet(), node).notes).toEqual([]);
  });

  it('records session affinity: the endpoint chain sets the recent list the service chain checks', () => {
    const rules = nat([
      ':PREROUTING ACCEPT [0:0]', ':KUBE-SVC-X - [0:0]', ':KUBE-SEP-A - [0:0]',
      '-A PREROUTING -j KUBE-SVC-X',
      '-A KUBE-SVC-X -m recent --name KUBE-SEP-A --rcheck --seconds 60 --reap -j KUBE-SEP-A',
      '-A KUBE-SVC-X -j KUBE-SEP-A',
      '-A KUBE-SEP-A -m recent --name KUBE-SEP-A --set -p tcp -j DNAT --to-destination 10.0.0.1:80',
    ].join('\n'));
    expect(traceRules(rules, packet(), node).outcomes[0]!.affinity).toEqual({ name: 'KUBE-SEP-A', seconds: 60 });
  });
});
