/**
 * Keeps `npm run bench` from rotting without making it part of the test suite: the synthetic
 * cluster generator at 50 Services through kp-gen in-process, and the runner end to end at
 * 50 Services, one run each. No timing is asserted here: performance figures come from
 * `npm run bench` only.
 */
import { spawnSync } from 'node:child_process';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { BENCH_FLAGS, generateCluster, toJSONList, toMultiDocYAML } from '../bench/cluster.mjs';
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

describe('bench: runner', () => {
  it('runs end to end on a small cluster and reports every column', () => {
    const r = spawnSync(process.execPath, ['bench/run.mjs', '--sizes', '25,50', '--reps', '1'], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/^bench:/m);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('50 svc / 500 ep, json');
    expect(r.stdout).toContain('50 svc / 500 ep, yaml');
    expect(r.stdout).toMatch(/Growth/);
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
