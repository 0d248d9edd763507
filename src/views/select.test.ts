import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProxierConfig } from '../config.js';
import { compareDumps } from '../diff/compare.js';
import { emitRestore } from '../emit/iptables-save.js';
import { planRules } from '../plan/planner.js';
import { rulesetDump } from '../emit/dump.js';
import { parseDump } from '../iptables/dump.js';
import type { Dump } from '../iptables/dump-types.js';
import { defaultRunOptions, type RunOptions } from '../options.js';
import { generate } from '../run.js';
import { commentPort, knownPorts, dumpGraph, parseServiceSelector, selectDumps, SelectionError, selectRuleset, type Selection } from './select.js';

const CLUSTER = 'test/data/cluster.yaml';

function options(extra: Partial<RunOptions> = {}): RunOptions {
  return {
    ...defaultRunOptions(),
    paths: [CLUSTER],
    clusterCIDRs: ['10.244.0.0/16'],
    hostnameOverride: 'node-1',
    nodeIPs: ['192.168.1.10'],
    ...extra,
  };
}

const io = { readStdin: () => '' };
const only = (...services: string[]): Selection => ({ services: services.map(parseServiceSelector), namespaces: [] });

/** Every `-A` line and declaration, per table, in order: what a printer would print. */
function lines(d: Dump): string[] {
  const out: string[] = [];
  for (const t of d.tables.values()) {
    out.push(`*${t.name}`, ...[...t.chains.keys()].map((c) => `:${c}`).sort());
    for (const c of t.chains.values()) out.push(...c.rules.map((r) => r.text));
  }
  return out;
}

describe('parseServiceSelector', () => {
  it.each([
    ['demo/web', { namespace: 'demo', name: 'web' }],
    ['demo/web:http', { namespace: 'demo', name: 'web', port: 'http' }],
    ['demo/web:80', { namespace: 'demo', name: 'web', port: '80' }],
  ])('%s', (text, want) => {
    expect(parseServiceSelector(text)).toEqual(want);
  });
  it.each(['web', 'demo/', '/web', 'demo/web:', 'a/b/c', 'Demo/web', 'demo/web:http:1', 'demo/web:Http', 'demo/9web', 'demo/web.v2', 'demo.x/web', `demo/${'a'.repeat(64)}`, 'demo/web:-http'])('refuses %s', (text) => {
    expect(() => parseServiceSelector(text)).toThrow(SelectionError);
  });
});

describe('commentPort', () => {
  it.each([
    ['demo/web:http cluster IP', 'demo/web:http'],
    ['demo/web:http', 'demo/web:http'],
    ['masquerade traffic for demo/web:http external destinations', 'demo/web:http'],
    ['demo/web:http -> 10.244.1.11:8080', 'demo/web:http'],
    ['demo/unnamed has no endpoints', 'demo/unnamed'],
  ])('%s', (comment, name) => {
    expect(commentPort(comment)?.nameString).toBe(name);
  });
  it.each(['kubernetes service portals', 'kubernetes service traffic requiring SNAT', undefined])('%s names none', (comment) => {
    expect(commentPort(comment)).toBeUndefined();
  });
});

describe('one selection for the plan and for a dump', () => {
  const full = generate(options(), io);
  const fullDump = parseDump(full.text, 'full');
  const names = [...knownPorts(dumpGraph(fullDump)).keys()];

  it('knows every service port of the input', () => {
    expect(names).toEqual(['demo/api:https', 'demo/dns:dns', 'demo/empty:http', 'demo/remote-only:http', 'demo/sticky:http', 'demo/web:http']);
  });

  it.each(names)('%s: the planned ruleset narrowed = its printed dump narrowed', (name) => {
    const sel = only(name);
    const planned = rulesetDump(selectRuleset(full.ruleset, sel, 'input').ruleset, 'planned');
    const [fromDump] = selectDumps([fullDump], sel).dumps;
    expect(lines(planned)).toEqual(lines(fromDump!));
  });

  it.each(names)('%s: the narrowed plan is what kube-proxy would write for that port alone', (name) => {
    // An independent oracle: plan only that service port (the planner knows what it writes for it).
    const cfg = buildProxierConfig(options());
    const alone = planRules(full.ports.filter((p) => p.svcPort.nameString === name), cfg);
    expect(emitRestore(selectRuleset(full.ruleset, only(name), 'input').ruleset)).toBe(emitRestore(alone));
  });

  it('every rule belongs to some service port or to the fixed part, none to two', () => {
    const fixed = lines(selectDumps([fullDump], { services: [], namespaces: ['no-such-namespace'] }).dumps[0]!).filter((l) => l.startsWith('-A'));
    const all = lines(fullDump).filter((l) => l.startsWith('-A'));
    const perPort = names.map((n) => lines(selectDumps([fullDump], only(n)).dumps[0]!).filter((l) => l.startsWith('-A') && !fixed.includes(l)));
    expect(perPort.flat().sort()).toEqual(all.filter((l) => !fixed.includes(l)).sort());
    for (const rules of perPort) expect(rules.length).toBeGreaterThan(0);
  });

  it("a real node's iptables-save (Docker, flannel, canaries) narrows to the same rules as the plan", () => {
    const node = parseDump(readFileSync('test/diff/data/cluster.nft.save', 'utf8'), 'cluster.nft.save');
    for (const name of names) {
      const sel = only(name);
      const planned = rulesetDump(selectRuleset(full.ruleset, sel, 'input').ruleset, 'planned');
      const [narrowed] = selectDumps([node], sel).dumps;
      const chains = [...narrowed!.tables.values()].flatMap((t) => [...t.chains.keys()]);
      // Other programs' chains stay as they are: they decide packets' fate too (trace).
      expect(chains.filter((c) => /DOCKER|FLANNEL|CANARY|CNI/.test(c)).length).toBeGreaterThan(5);
      const others = [...narrowed!.tables.values()].flatMap((t) => [...t.chains.values()].filter((c) => !c.name.startsWith('KUBE-')).flatMap((c) => c.rules.map((r) => r.text)));
      const all = [...node.tables.values()].flatMap((t) => [...t.chains.values()].filter((c) => !c.name.startsWith('KUBE-')).flatMap((c) => c.rules.map((r) => r.text)));
      expect(others).toEqual(all);
      expect(compareDumps(planned, narrowed!).equal, name).toBe(true);
    }
  });

  it('large-cluster mode: comment-less KUBE-SEP rules come with their Service', () => {
    const big = generate({ ...defaultRunOptions(), paths: ['fixtures/core/large-cluster-1001/input.yaml'] }, io);
    const d = rulesetDump(selectRuleset(big.ruleset, only('web/sticky'), 'input').ruleset, 'x');
    const seps = [...d.tables.get('nat')!.chains.values()].filter((c) => c.name.startsWith('KUBE-SEP-'));
    expect(seps.length).toBeGreaterThan(0);
    for (const c of seps) {
      expect(c.rules.length).toBe(2);
      expect(c.rules.every((r) => r.rule.comment === undefined)).toBe(true);
    }
  });

  it('a --service in only one of two dumps still selects (diff: added or removed)', () => {
    const without = parseDump(generate(options(), io).text.replace(/^.*demo\/sticky.*$\n/gm, ''), 'without');
    const r = selectDumps([fullDump, without], only('demo/sticky'));
    expect(lines(r.dumps[1]!).some((l) => l.includes('demo/sticky'))).toBe(false);
    expect(lines(r.dumps[0]!).some((l) => l.includes('demo/sticky'))).toBe(true);
  });

  it('names what there is when a selector matches nothing', () => {
    expect(() => selectDumps([fullDump], only('demo/wbe'))).toThrow(/no rules for Service demo\/wbe in full; Services in demo: api, dns, empty, remote-only, sticky, web/);
    expect(() => selectDumps([fullDump], only('demo/web:https'))).toThrow(/has no port https; its ports: http \(80\)/);
    expect(selectDumps([fullDump], { services: [], namespaces: ['nope'] }).warnings).toEqual([{ flag: '-n nope', message: 'no Service in namespace nope' }]);
  });
});

describe("other programs' rules", () => {
  it('stay, whatever their comments say', () => {
    const text = [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':KUBE-SERVICES - [0:0]',
      ':KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]',
      ':CNI-HOSTPORT-DNAT - [0:0]',
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A PREROUTING -m comment --comment "dnat for demo/web pods" -j CNI-HOSTPORT-DNAT',
      '-A CNI-HOSTPORT-DNAT -m comment --comment "demo/web:http" -j RETURN',
      '-A KUBE-SERVICES -m comment --comment "demo/web:http cluster IP" -d 10.96.0.1/32 -p tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA',
      '-A KUBE-SERVICES -m comment --comment "demo/api:http cluster IP" -d 10.96.0.2/32 -p tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA',
      'COMMIT',
    ].join('\n');
    const d = parseDump(text, 'node');
    const nat = selectDumps([d], only('demo/api')).dumps[0]!.tables.get('nat')!;
    expect(nat.chains.get('PREROUTING')!.rules.map((r) => r.rule.target?.name)).toEqual(['KUBE-SERVICES', 'CNI-HOSTPORT-DNAT']);
    expect(nat.chains.get('CNI-HOSTPORT-DNAT')!.rules).toHaveLength(1);
    expect(nat.chains.get('KUBE-SERVICES')!.rules.map((r) => r.rule.comment)).toEqual(['demo/api:http cluster IP']);
  });
});
