/**
 * kube-proxy's packet-flow assertions (runPacketFlowTests in the newest proxier_test.go),
 * transcribed under fixtures/upstream/current-flows/<case>/flows.json, checked against kp-gen's
 * output for the same input and configuration with a rebuilt copy of that test's tracer
 * (test/helpers/flow-tracer.ts). The tracer itself is first checked against kube-proxy's
 * TestTracePacket vectors (test/vectors/trace-packet/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';
import { discoverFixtures } from './helpers/fixtures.js';
import { parseTables, TEST_LOCAL_IPS, traceFlow } from './helpers/flow-tracer.js';

interface Flow {
  name: string;
  sourceIP: string;
  destIP: string;
  destPort: number;
  protocol: string;
  output: string;
  masq: boolean;
}

const readFlows = (dir: string): Flow[] => JSON.parse(readFileSync(join(dir, 'flows.json'), 'utf8')) as Flow[];

describe('the flow tracer reproduces kube-proxy TestTracePacket', () => {
  const dir = 'test/vectors/trace-packet';
  const tables = parseTables(readFileSync(join(dir, 'rules.txt'), 'utf8'));
  it.each(readFlows(dir).map((f) => [f.name, f] as const))('%s', (_n, f) => {
    const r = traceFlow(tables, TEST_LOCAL_IPS, f);
    expect({ output: r.output, masq: r.masq }).toEqual({ output: f.output, masq: f.masq });
  });
});

const cases = discoverFixtures().fixtures.filter((f) => f.dir.includes('current-flows'));

describe('fixtures with flows', () => {
  it('exist', () => {
    expect(cases.length).toBeGreaterThan(40);
  });
});

describe.each(cases.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  it('gives the packet flows kube-proxy\'s test expects', async () => {
    const r = await runKpGen([...f.flags, ...f.inputs]);
    expect(r.code, r.stderr).toBe(0);
    const tables = parseTables(r.stdout);
    const failures: string[] = [];
    for (const flow of readFlows(f.dir)) {
      const got = traceFlow(tables, TEST_LOCAL_IPS, flow);
      if (got.output !== flow.output || got.masq !== flow.masq) {
        failures.push(
          `${flow.name}: expected ${JSON.stringify(flow.output)} masq=${flow.masq}, got ${JSON.stringify(got.output)} masq=${got.masq}\n  ${got.matched.join('\n  ')}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });
});
