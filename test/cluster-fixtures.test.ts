/**
 * --from-cluster gives byte-identical rules to the file path: every golden fixture's objects
 * are served by a fake API server (test/helpers/fake-apiserver.ts, real HTTPS, real
 * @kubernetes/client-node) and kp-gen must print the fixture's expected.rules, with as many
 * warnings as from files, naming the pseudo-file `cluster:<context>` instead of the file.
 *
 * Cases with v1 Endpoints objects are left out: kube-proxy (and kp-gen --from-cluster) reads
 * only EndpointSlices, which a real cluster's mirroring controller makes from Endpoints. So are
 * cases with Pods or workloads: on a cluster the EndpointSlice controller has made their
 * slices, and --from-cluster reads those, not Pods.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../src/load/files.js';
import { runKpGen } from './helpers/cli.js';
import { FakeApiServer, kubeconfigYaml } from './helpers/fake-apiserver.js';
import { discoverFixtures } from './helpers/fixtures.js';
import { makeTestPKI, type TestPKI } from './helpers/tls.js';

process.env.FORCE_COLOR = '0';
const TOKEN = 'fixture-token';

const NOT_READ_FROM_A_CLUSTER = ['Endpoints', 'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ReplicationController'];
const { fixtures } = discoverFixtures();
const cases = fixtures
  .filter((f) => !f.isError)
  .map((f) => ({ f, objects: loadFiles(f.inputs, () => '').map((r) => r.value) }))
  .filter(({ objects }) => !objects.some((o) => NOT_READ_FROM_A_CLUSTER.includes(String((o as { kind?: unknown }).kind))));

let pki: TestPKI;
beforeAll(() => {
  pki = makeTestPKI();
});
afterAll(() => pki?.cleanup());

describe('golden fixtures through a live API server', () => {
  it('covers most fixtures', () => {
    expect(cases.length).toBeGreaterThan(fixtures.filter((f) => !f.isError).length / 2);
  });

  it.each(cases.map((c) => [c.f.name, c] as const))('%s', async (name, { f, objects }) => {
    // Small pages, so that every fixture with more than two objects is read in several.
    const server = await new FakeApiServer({ pki, tokens: { [TOKEN]: 'reader' }, maxPageSize: 2 }).start();
    try {
      server.add(objects);
      const kubeconfig = join(pki.dir, `kubeconfig-${name.replace(/\W/g, '_')}`);
      writeFileSync(kubeconfig, kubeconfigYaml({ server: server.url, caFile: pki.ca.certFile, user: { token: TOKEN } }));
      const fromFiles = await runKpGen([...f.flags, ...f.inputs]);
      const live = await runKpGen([...f.flags, '--from-cluster', '--kubeconfig', kubeconfig]);
      expect(live.code, live.stderr).toBe(0);
      expect(live.stdout).toBe(readFileSync(join(f.dir, 'expected.rules'), 'utf8'));
      // The same warnings, naming cluster:<context> instead of the file, in the server's order.
      const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '').sort();
      let expected = fromFiles.stderr;
      for (const input of f.inputs) expected = expected.split(`${input}`).join('cluster:test');
      expect(lines(live.stderr)).toEqual(lines(expected));
    } finally {
      await server.close();
    }
  });
});
