/**
 * Keeps `npm run bench` from rotting without making it part of the test suite: the synthetic
 * cluster generator at 50 Services through kp-gen in-process, and the runner end to end at
 * 50 Services, one run each. No timing is asserted here: performance figures come from
 * `npm run bench` only.
 */
import { spawnSync } from 'node:child_process';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { BENCH_FLAGS, SOURCE_FLAGS, generateCluster, generateSourceManifests, toJSONList, toMultiDocYAML } from '../bench/cluster.mjs';
import { runKpGen } from './helpers/cli.js';

describe('bench: synthetic cluster', () => {
  const objects = generateCluster(50);

  it('is deterministic', () => {
    expect(generateCluster(50)).toEqual(objects);
  });

  it('gives the same rules as JSON List and as multi-document YAML, without warnings', async () => {
    const fromJSON = await runKpGen([...BENCH_FLAGS, '-'], toJSONList(objects));
    const fromYAML = await runKpGen([...BENCH_FLAGS, '-'], toMultiDocYAML(objects, yaml.dump));
    expect(fromJSON.stderr).toBe('');
    expect(fromJSON.code).toBe(0);
    expect(fromYAML.code).toBe(0);
    expect(fromYAML.stdout).toBe(fromJSON.stdout);

    // The mix the benchmark promises: every kind of per-service chain and rule.
    const out = fromJSON.stdout;
    for (const chain of [':KUBE-SVC-', ':KUBE-SVL-', ':KUBE-EXT-', ':KUBE-FW-', ':KUBE-SEP-']) expect(out).toContain(chain);
    for (const text of ['--rcheck', 'health check node port', 'loadbalancer IP', 'external IP', 'has no local endpoints', '-p udp']) {
      expect(out).toContain(text);
    }
    // 500 endpoints: large-cluster mode is off, so the per-endpoint comments are there.
    expect(out).toMatch(/-A KUBE-SEP-\w+ -m comment --comment team-\d+\/app-\d+:http -s /);
  });
});

describe('bench: source manifests', () => {
  const objects = generateSourceManifests(80);

  it('are deterministic', () => {
    expect(generateSourceManifests(80)).toEqual(objects);
  });

  it('are completed: every Service gets a cluster IP and its workload\'s endpoints', async () => {
    const r = await runKpGen([...SOURCE_FLAGS, '-'], toMultiDocYAML(objects, yaml.dump));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    // 80 Services' 230 pods on 500 nodes leave this node (node-1) without one: only that warning.
    expect(lines.filter((l) => !l.startsWith('note: '))).toEqual([expect.stringMatching(/^warning: -: no endpoint is on node "node-1" \(--hostname-override\) \(endpoints are on \d+ nodes: /)]);
    const notes = lines.filter((l) => l.startsWith('note: '));
    expect(notes).toHaveLength(80);
    expect(notes.every((l) => /^note: -: Service team-\d+\/app-\d+: allocated clusterIP 10\.\S+; (nodePorts? .*; )?(healthCheckNodePort \d+; )?made [23] endpoints \(IPv4\) from (Deployment|StatefulSet) app-\d+$/.test(l))).toBe(true);
    expect(r.stderr).toContain('healthCheckNodePort');
    expect(r.stdout).toContain(':KUBE-EXT-');
    expect(r.stdout).toMatch(/-A KUBE-SEP-\w+ -m comment --comment team-\d+\/app-\d+:metrics -m tcp -p tcp -j DNAT --to-destination 10\.128\.\d+\.\d+:9102/);
  });
});

describe('bench: runner', () => {
  it('runs end to end on a small cluster and reports every column', () => {
    const r = spawnSync(process.execPath, ['bench/run.mjs', '--sizes', '25,50', '--reps', '1'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/^bench:/m);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('50 svc / 500 ep, json');
    expect(r.stdout).toContain('50 svc / 500 ep, yaml');
    expect(r.stdout).toMatch(/Growth/);
    expect(r.stdout).toMatch(/^50 svc source manifests, yaml +[\d.]+ +[\d.]+ +\d+ /m);
    expect(r.stdout).toMatch(/JSON wall ≤ 2 s: [\d.]+ s (PASS|MISS)/);
    expect(r.stdout).toMatch(/two-CPU ceiling: two 25-Service JSON runs at once take [\d.]+ s, one 50-Service run [\d.]+ s/);
  }, 60_000);
});

describe('bench: start-up', () => {
  it('compares two checkouts case by case (here: this one with itself)', () => {
    const r = spawnSync(process.execPath, ['bench/startup.mjs', '--against', '.', '--pairs', '1'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const c of ['node', 'import', 'load', 'example', 'diff']) expect(r.stdout).toMatch(new RegExp(`^${c} +\\d+ +\\d+ +[\\d.]+$`, 'm'));
  }, 60_000);
});
