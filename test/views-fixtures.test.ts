/**
 * The views over every golden fixture's expected output (every release, feature and mode the
 * fixtures cover): per service port, `--service` keeps a structurally sound ruleset, the ports'
 * selections and the fixed part together are the whole dump with no rule in two ports, and `ls`
 * and `graph` map every chain of every port.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDump } from '../src/iptables/dump.js';
import type { Dump } from '../src/iptables/dump-types.js';
import { packetGraph, renderDot } from '../src/views/graph.js';
import { dumpGraph, knownPorts, selectDumps } from '../src/views/select.js';
import { serviceMap } from '../src/views/service-map.js';
import { discoverFixtures } from './helpers/fixtures.js';
import { checkRestore } from './helpers/iptables-check.js';

const fixtures = discoverFixtures().fixtures.filter((f) => !f.isError && !f.flags.join(' ').includes('--format save'));

function text(d: Dump): string {
  const out: string[] = [];
  for (const t of d.tables.values()) {
    out.push(`*${t.name}`);
    for (const c of t.chains.values()) out.push(`:${c.name} ${c.policy ?? '-'} [0:0]`);
    for (const c of t.chains.values()) out.push(...c.rules.map((r) => r.text));
    out.push('COMMIT');
  }
  return `${out.join('\n')}\n`;
}

const ruleLines = (d: Dump): string[] => [...d.tables.values()].flatMap((t) => [...t.chains.values()].flatMap((c) => c.rules.map((r) => `${t.name} ${r.text}`)));

describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  const dump = parseDump(readFileSync(join(f.dir, 'expected.rules'), 'utf8'), 'expected.rules');
  const graph = dumpGraph(dump);
  const names = [...knownPorts(graph).keys()];

  it('--service: sound rules per port; the ports and the fixed part partition the dump', () => {
    const fixed = new Set(ruleLines(selectDumps([dump], { services: [], namespaces: ['no-such-namespace-x'] }).dumps[0]!));
    const owned: string[] = [];
    for (const name of names) {
      const [ns, rest] = name.split('/') as [string, string];
      const [svc, port] = rest.split(':') as [string, string | undefined];
      const narrowed = selectDumps([dump], { services: [port === undefined ? { namespace: ns, name: svc } : { namespace: ns, name: svc, port }], namespaces: [] }).dumps[0]!;
      expect(checkRestore(text(narrowed)), name).toEqual([]);
      owned.push(...ruleLines(narrowed).filter((l) => !fixed.has(l)));
    }
    const all = ruleLines(dump);
    expect(owned.sort()).toEqual(all.filter((l) => !fixed.has(l)).sort());
  });

  it('ls and graph account for every per-service chain', () => {
    const map = serviceMap(graph, 'expected.rules');
    const mapped = new Set(map.items.flatMap((v) => [...Object.values(v.chains), ...v.endpoints.map((e) => e.chain)]).filter((c) => c !== null));
    const perService = [...dump.tables.values()].flatMap((t) => [...t.chains.keys()]).filter((c) => /^KUBE-(SVC|SVL|EXT|FW|SEP)-/.test(c));
    expect(perService.filter((c) => !mapped.has(c))).toEqual([]);
    const dot = renderDot(packetGraph(graph, map.items, 'all'));
    for (const c of perService) expect(dot).toContain(`"${c}" [label=`);
  });
});
