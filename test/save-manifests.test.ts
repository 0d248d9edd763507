/**
 * `--save-manifests DIR` on manifest files: DIR/input.yaml holds the input as completed, as
 * `kubectl get -o yaml` would show it, and gives the same rules again (the random cases are in
 * property.test.ts). Writing never follows a symbolic link out of DIR, and a failed run writes
 * nothing.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';
import { discoverFixtures } from './helpers/fixtures.js';

process.env.FORCE_COLOR = '0';
const dir = mkdtempSync(join(tmpdir(), 'kp-save-manifests-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const completeCases = discoverFixtures().fixtures.filter((f) => f.dir.includes('fixtures/complete/') && !f.isError);

describe.each(completeCases.map((f) => [f.name, f] as const))('round trip %s', (name, f) => {
  it('gives byte-identical rules from the saved directory', async () => {
    const out = join(dir, name.replaceAll('/', '_'));
    const first = await runKpGen([...f.flags, '--save-manifests', out, ...f.inputs]);
    expect(first.code, first.stderr).toBe(0);
    const again = await runKpGen([...f.flags, out]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    expect(again.stderr).not.toMatch(/allocated/);
  });
});

describe('what is written', () => {
  const input = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}, {name: metrics, port: 9090}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, ports: [{name: http, containerPort: 8080}]}]}
`;

  it('the Service as the API server stores it and the slices as the controller writes them', async () => {
    const out = join(dir, 'shape');
    const r = await runKpGen(['--hostname-override', 'node-1', '--save-manifests', out, '-'], input);
    expect(r.code, r.stderr).toBe(0);
    const docs = yaml.loadAll(readFileSync(join(out, 'input.yaml'), 'utf8')) as Record<string, any>[];
    expect(docs.map((d) => d.kind)).toEqual(['Service', 'Deployment', 'EndpointSlice']);
    const svc = docs[0]!;
    const note = /allocated clusterIP (\S+); nodePorts (\d+) for 80\/TCP, (\d+) for 9090\/TCP; healthCheckNodePort (\d+)/.exec(r.stderr)!;
    expect(svc.spec).toEqual({
      allocateLoadBalancerNodePorts: true,
      clusterIP: note[1],
      clusterIPs: [note[1]],
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: Number(note[4]),
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [
        { name: 'http', nodePort: Number(note[2]), port: 80, protocol: 'TCP', targetPort: 'http' },
        { name: 'metrics', nodePort: Number(note[3]), port: 9090, protocol: 'TCP', targetPort: 9090 },
      ],
      selector: { app: 'web' },
      sessionAffinity: 'None',
      type: 'LoadBalancer',
    });
    expect(svc.status).toEqual({ loadBalancer: {} });
    const slice = docs[2]!;
    expect(slice.metadata).toEqual({
      labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': 'web' },
      name: 'web-ipv4',
      namespace: 'shop',
    });
    expect(slice.addressType).toBe('IPv4');
    expect(slice.endpoints).toHaveLength(2);
    expect(slice.endpoints[0].conditions).toEqual({ ready: true, serving: true, terminating: false });
    // The pod that cannot resolve nothing: both resolve `http`; 9090 is numeric.
    expect(slice.ports).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
    ]);
    // kubectl's layout: keys sorted, list items not indented.
    expect(readFileSync(join(out, 'input.yaml'), 'utf8')).toContain('\nspec:\n  allocateLoadBalancerNodePorts: true\n');
    expect(readFileSync(join(out, 'input.yaml'), 'utf8')).toContain('\n  ports:\n  - name: http\n');
  });

  it('refuses a symbolic link named input.yaml, as -o does, and writes nothing through it', async () => {
    const out = join(dir, 'link');
    mkdirSync(out);
    const outside = join(dir, 'outside.yaml');
    writeFileSync(outside, 'untouched\n');
    symlinkSync(outside, join(out, 'input.yaml'));
    const r = await runKpGen(['--save-manifests', out, '-'], input);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('is a symbolic link');
    expect(readFileSync(outside, 'utf8')).toBe('untouched\n');
    expect(lstatSync(join(out, 'input.yaml')).isSymbolicLink()).toBe(true);
  });

  it('writes nothing when the run fails, and refuses a DIR that is a file', async () => {
    const out = join(dir, 'failed');
    const r = await runKpGen(['--strict', '--save-manifests', out, '-'], `${input}---\napiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {clusterIP: 10.96.0.1, externalIPs: [nope], ports: [{port: 80}]}\n`);
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const f = await runKpGen(['--save-manifests', file, '-'], input);
    expect(f.code).toBe(1);
    expect(f.stdout).toBe('');
    expect(f.stderr).toBe(`error: --save-manifests ${file}: not a directory\n`);
  });
});
