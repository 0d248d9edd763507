/**
 * `kp-gen ls` transcripts (test/ls/<case>/args.txt → expected.txt; see helpers/transcript.ts),
 * and the promises of its JSON form: the documented schema, probabilities that add up, and the
 * same service map from a real node's iptables-save as from the manifests it was made from.
 *
 *   UPDATE=1 npx vitest run test/ls.test.ts   rewrite expected.txt files; review the diff
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';
import { expectGolden } from './helpers/golden.js';
import { discoverCases, invoke, transcriptOf } from './helpers/transcript.js';

process.env.FORCE_COLOR = '0';
const cases = discoverCases('test/ls');

describe.each(cases.map((c) => [c.name, c] as const))('ls %s', (_name, c) => {
  it('matches expected.txt', async () => {
    const runs = [];
    for (const line of c.lines) runs.push(await invoke('ls', c, line));
    expectGolden(transcriptOf('ls', runs), join(c.dir, 'expected.txt'));
    if (c.name === 'errors') for (const r of runs) expect(r.result.code).not.toBe(0);
    else for (const r of runs) expect(r.result.code, r.result.stderr).toBe(0);
  });
});

interface Item {
  name: string;
  chains: Record<string, string | null>;
  endpoints: { chain: string | null; address: string; ready: boolean | null; serving: boolean | null; terminating: boolean | null; local: boolean | null; probability: number | null; localProbability: number | null }[];
  [k: string]: unknown;
}

async function lsJSON(args: string[]): Promise<{ apiVersion: string; kind: string; items: Item[] }> {
  const r = await runKpGen(['ls', '--format', 'json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { apiVersion: string; kind: string; items: Item[] };
}

const MANIFESTS = ['--cluster-cidr', '10.244.0.0/16', '--hostname-override', 'node-1', '--node-ip', '192.168.1.10', 'test/data/cluster.yaml'];

describe('ls --format json', () => {
  it('has the documented schema (README "kp-gen ls")', async () => {
    const map = await lsJSON(MANIFESTS);
    expect(map.apiVersion).toBe('kp-gen/v1');
    expect(map.kind).toBe('ServicePortList');
    for (const item of map.items) {
      expect(Object.keys(item)).toEqual(['name', 'namespace', 'service', 'port', 'protocol', 'frontends', 'chains', 'blocked', 'healthCheckNodePort', 'endpoints']);
      expect(Object.keys(item.chains)).toEqual(['svc', 'svl', 'ext', 'fw']);
      for (const e of item.endpoints) expect(Object.keys(e)).toEqual(['chain', 'address', 'ready', 'serving', 'terminating', 'local', 'probability', 'localProbability']);
    }
  });

  it('gives probabilities that add up to 1 per KUBE-SVC and KUBE-SVL chain', async () => {
    for (const map of [await lsJSON(MANIFESTS), await lsJSON(['--rules', 'test/diff/data/cluster.nft.save']), await lsJSON(['--rules', 'fixtures/core/large-cluster-1001/expected.rules'])]) {
      for (const item of map.items) {
        for (const [key, field] of [['svc', 'probability'], ['svl', 'localProbability']] as const) {
          if (item.chains[key] === null) continue;
          const sum = item.endpoints.reduce((s, e) => s + (e[field] ?? 0), 0);
          expect(sum, `${item.name} ${key}`).toBeCloseTo(1, 4);
        }
      }
    }
  });

  it.each(['cluster.nft.save', 'cluster.legacy.save'])("a real node's %s maps like the manifests (what a dump cannot know aside)", async (file) => {
    const fromManifests = await lsJSON(MANIFESTS);
    const fromDump = await lsJSON(['--rules', `test/diff/data/${file}`]);
    // A dump does not hold the EndpointSlice conditions, nor locality without a KUBE-SVL chain.
    const comparable = (m: { items: Item[] }): unknown =>
      m.items.map((i) => ({
        ...i,
        endpoints: i.endpoints.map((e) => ({ ...e, ready: null, serving: null, terminating: null, local: i.chains.svl === null ? null : e.local })),
      }));
    expect(comparable(fromDump)).toEqual(comparable(fromManifests));
  });
});

describe('ls -o FILE', () => {
  it('writes the output to FILE, nothing on stdout; on an error FILE is not made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-ls-'));
    try {
      const out = join(dir, 'services.yaml');
      const r = await runKpGen(['ls', '--rules', 'test/diff/data/cluster.nft.save', '--format', 'yaml', '-o', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      const shown = await runKpGen(['ls', '--rules', 'test/diff/data/cluster.nft.save', '--format', 'yaml']);
      expect(readFileSync(out, 'utf8')).toBe(shown.stdout);
      const bad = join(dir, 'bad.yaml');
      const e = await runKpGen(['ls', '--rules', 'test/diff/data/cluster.nft.save', '--service', 'demo/nope', '-o', bad]);
      expect(e.code).toBe(1);
      expect(existsSync(bad)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
