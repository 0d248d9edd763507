/**
 * kp-gen --from-cluster against a fake API server (test/helpers/fake-apiserver.ts) over real
 * HTTPS with a test CA: authentication, kubeconfig precedence, --node, --namespace, layering
 * with files, --save-manifests, paging, and every failure mode (exit 3, nothing on stdout).
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../src/load/cluster-config.js';
import { loadFromCluster } from '../src/load/cluster.js';
import { runCli } from '../src/main.js';
import { runKpGen, type CliResult } from './helpers/cli.js';
import { FakeApiServer, kubeconfigYaml, type FakeApiServerOptions } from './helpers/fake-apiserver.js';
import { makeTestPKI, type TestPKI } from './helpers/tls.js';

process.env.FORCE_COLOR = '0';
const TOKEN = 'good-token';

let pki: TestPKI;
let dir: string;
beforeAll(() => {
  pki = makeTestPKI();
  dir = mkdtempSync(join(tmpdir(), 'kpgen-cluster-'));
});
afterAll(() => {
  pki?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Two namespaces, a LoadBalancer with Local policy and source ranges, zone hints, IPv4 + IPv6. */
const OBJECTS: unknown[] = [
  {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' },
    spec: {
      type: 'LoadBalancer', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], externalTrafficPolicy: 'Local',
      healthCheckNodePort: 32000, loadBalancerSourceRanges: ['203.0.113.0/24', '192.168.1.0/24'],
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }],
    },
    status: { loadBalancer: { ingress: [{ ip: '198.51.100.7' }] } },
  },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.244.1.5'], nodeName: 'node-1', conditions: { ready: true }, hints: { forZones: [{ name: 'zone-a' }] } },
      { addresses: ['10.244.2.5'], nodeName: 'node-2', conditions: { ready: true }, hints: { forZones: [{ name: 'zone-b' }] } },
    ],
  },
  {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data' },
    spec: { clusterIP: '10.96.0.20', ports: [{ name: 'pg', port: 5432 }], trafficDistribution: 'PreferClose' },
  },
  {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'db-1', namespace: 'data', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4', ports: [{ name: 'pg', port: 5432 }],
    endpoints: [
      { addresses: ['10.244.1.7'], nodeName: 'node-1', hints: { forZones: [{ name: 'zone-a' }] } },
      { addresses: ['10.244.2.7'], nodeName: 'node-2', hints: { forZones: [{ name: 'zone-b' }] } },
    ],
  },
  {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:244:1::/64'] },
    status: {
      addresses: [
        { type: 'Hostname', address: 'node-1' },
        { type: 'ExternalIP', address: '192.0.2.10' },
        { type: 'InternalIP', address: '192.168.1.10' },
        { type: 'InternalIP', address: '192.168.1.11' },
        { type: 'ExternalIP', address: 'fd00::10' },
      ],
    },
  },
];

function manifestsFile(objects: unknown[], name: string): string {
  const file = join(dir, name);
  writeFileSync(file, objects.map((o) => yaml.dump(o)).join('---\n'));
  return file;
}

async function withServer<T>(opts: Partial<FakeApiServerOptions>, objects: unknown[], fn: (s: FakeApiServer, kubeconfig: string) => Promise<T>): Promise<T> {
  const server = await new FakeApiServer({ pki, tokens: { [TOKEN]: 'reader' }, ...opts }).start();
  try {
    server.add(objects);
    const kubeconfig = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
    writeFileSync(kubeconfig, kubeconfigYaml({ server: server.url, caFile: pki.ca.certFile, user: { token: TOKEN } }));
    return await fn(server, kubeconfig);
  } finally {
    await server.close();
  }
}

async function runWithEnv(argv: string[], env: Record<string, string>, stderrIsTTY = false): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: async (s) => void (stdout += typeof s === 'string' ? s : Buffer.from(s).toString('utf8')),
    stderr: (s) => void (stderr += s),
    readStdin: () => '',
    env,
    stderrIsTTY,
  });
  return { code, stdout, stderr };
}

function expectClusterError(r: CliResult, ...parts: string[]): void {
  expect(r.stdout).toBe('');
  expect(r.code, r.stderr).toBe(3);
  for (const p of parts) expect(r.stderr).toContain(p);
  expect(r.stderr).not.toContain('HTTP-Code');
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const BASE = ['--cluster-cidr', '10.244.0.0/16'];

describe('reading a cluster', () => {
  it('gives the same rules as the same objects in a file', async () => {
    const file = manifestsFile(OBJECTS, 'all.yaml');
    await withServer({}, OBJECTS, async (_s, kc) => {
      const live = await runKpGen([...BASE, '--hostname-override', 'node-1', '--from-cluster', '--kubeconfig', kc]);
      const files = await runKpGen([...BASE, '--hostname-override', 'node-1', file]);
      expect(live.code, live.stderr).toBe(0);
      expect(live.stdout).toBe(files.stdout);
      expect(live.stdout).toContain('shop/web:http');
    });
  });

  it('works through the real binary, KUBECONFIG from the environment', async () => {
    await withServer({}, OBJECTS, async (_s, kc) => {
      const { stdout } = await promisify(execFile)(process.execPath, ['bin/kp-gen.js', ...BASE, '--from-cluster', '-n', 'shop'], {
        env: { PATH: process.env.PATH ?? '', KUBECONFIG: kc },
      });
      expect(stdout).toContain('shop/web:http');
      const failed = await promisify(execFile)(process.execPath, ['bin/kp-gen.js', '--from-cluster', '--context', 'nope'], {
        env: { PATH: process.env.PATH ?? '', KUBECONFIG: kc },
      }).then(() => undefined, (e: { code: number; stdout: string; stderr: string }) => e);
      expect(failed?.code).toBe(3);
      expect(failed?.stdout).toBe('');
      expect(failed?.stderr).toContain('context "nope" not found');
    });
  });

  it('authenticates with a client certificate', async () => {
    await withServer({}, OBJECTS, async (s, _kc) => {
      const kc = join(dir, 'kc-cert');
      writeFileSync(kc, kubeconfigYaml({ server: s.url, caFile: pki.ca.certFile, user: { 'client-certificate': pki.client.certFile, 'client-key': pki.client.keyFile } }));
      const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc]);
      expect(r.code, r.stderr).toBe(0);
      expect(s.requests.every((q) => q.user === 'alice')).toBe(true);
    });
  });

  it('authenticates with inline certificate data and a relative CA path', async () => {
    await withServer({}, OBJECTS, async (s) => {
      const sub = join(dir, 'rel');
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, 'ca.crt'), pki.ca.cert);
      const kc = join(sub, 'config');
      writeFileSync(kc, kubeconfigYaml({
        server: s.url, caFile: 'ca.crt',
        user: { 'client-certificate-data': Buffer.from(pki.client.cert).toString('base64'), 'client-key-data': Buffer.from(pki.client.key).toString('base64') },
      }));
      const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc]);
      expect(r.code, r.stderr).toBe(0);
      expect(s.requests[0]!.user).toBe('alice');
    });
  });

  it('authenticates with an exec credential plugin, found relative to the kubeconfig', async () => {
    await withServer({ tokens: { 'exec-token': 'exec-user' } }, OBJECTS, async (s) => {
      const sub = join(dir, 'exec');
      mkdirSync(join(sub, 'bin'), { recursive: true });
      const plugin = join(sub, 'bin', 'plugin.sh');
      writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}'\n`);
      chmodSync(plugin, 0o755);
      const kc = join(sub, 'config');
      writeFileSync(kc, kubeconfigYaml({ server: s.url, caFile: pki.ca.certFile, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/plugin.sh', interactiveMode: 'Never' } } }));
      const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc]);
      expect(r.code, r.stderr).toBe(0);
      expect(s.requests[0]!.user).toBe('exec-user');
    });
  });

  it('reports a failing exec plugin', async () => {
    await withServer({}, OBJECTS, async (s) => {
      const plugin = join(dir, 'failing-plugin.sh');
      writeFileSync(plugin, '#!/bin/sh\necho "sso session expired" >&2\nexit 1\n');
      chmodSync(plugin, 0o755);
      const kc = join(dir, 'kc-exec-fail');
      writeFileSync(kc, kubeconfigYaml({ server: s.url, caFile: pki.ca.certFile, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } } }));
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc]), 'exec credential plugin', 'sso session expired');
    });
  });

  describe('an exec plugin kp-gen cannot trust', () => {
    const withPlugin = async (script: string, flags: string[] = []): Promise<CliResult> =>
      withServer({ tokens: { 'exec-token': 'exec-user' } }, OBJECTS, async (s) => {
        const plugin = join(dir, `plugin-${Math.random().toString(36).slice(2)}.sh`);
        writeFileSync(plugin, `#!/bin/sh\n${script}\n`);
        chmodSync(plugin, 0o755);
        const kc = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
        writeFileSync(kc, kubeconfigYaml({ server: s.url, caFile: pki.ca.certFile, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } } }));
        return runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc, ...flags]);
      });

    it.each([
      ['echo "<html>login</html>"', 'its output is not an ExecCredential (not JSON)'],
      ['echo \'{"kind":"Secret"}\'', 'its output is not an ExecCredential (kind "Secret")'],
      ['echo \'{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}\'', 'it answered with apiVersion "client.authentication.k8s.io/v1beta1"'],
      ['echo \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}\'', 'has neither status.token nor'],
      ['echo \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":7}}\'', "status.token is not a string"],
    ])('junk from the plugin (%s) is one clear line', async (script, problem) => {
      expectClusterError(await withPlugin(script), 'exec credential plugin', problem);
    });

    it('is told KUBERNETES_EXEC_INFO, as client-go tells it', async () => {
      const r = await withPlugin('case "$KUBERNETES_EXEC_INFO" in *\'"interactive":false\'*) echo \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}\';; esac');
      expect(r.code, r.stderr).toBe(0);
    });

    it('is stopped at --request-timeout and does not outlive kp-gen', async () => {
      const pidFile = join(dir, `plugin-${Math.random().toString(36).slice(2)}.pid`);
      const r = await withPlugin(`echo $$ > ${pidFile}\nexec sleep 60`, ['--request-timeout', '300ms']);
      expectClusterError(r, 'gave no answer within 0.3 s; stopped');
      const pid = Number(readFileSync(pidFile, 'utf8'));
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      expect(alive).toBe(false);
    });

    it('quotes a failing plugin\'s huge stderr shortened, on one line', async () => {
      const r = await withPlugin('i=0; while [ $i -lt 2000 ]; do echo "line $i of noise" >&2; i=$((i+1)); done; exit 1');
      expectClusterError(r, 'failed (exit status 1): line 0 of noise / line 1 of noise', 'more characters)');
      expect(r.stderr.length).toBeLessThan(1000);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('is stopped when it writes without end', async () => {
      expectClusterError(await withPlugin('exec yes'), 'wrote more than 1 MiB; stopped');
    });
  });

  it('talks plain http (kubectl proxy), as kubectl does', async () => {
    await withServer({ plainHttp: true }, OBJECTS, async (s) => {
      const kc = join(dir, 'kc-http');
      writeFileSync(kc, kubeconfigYaml({ server: s.url, user: { token: TOKEN } }));
      const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('shop/web:http');
    });
  });

  it('reads a token-file relative to the kubeconfig and trims it', async () => {
    await withServer({}, OBJECTS, async (s) => {
      const sub = join(dir, 'tokfile');
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, 'token'), `${TOKEN}\n`);
      const kc = join(sub, 'config');
      writeFileSync(kc, kubeconfigYaml({ server: s.url, caFile: pki.ca.certFile, user: { 'token-file': 'token' } }));
      const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc]);
      expect(r.code, r.stderr).toBe(0);
      expect(s.requests[0]!.user).toBe('reader');
    });
  });

  it('reads only the namespaces given with -n/--namespace', async () => {
    await withServer({}, OBJECTS, async (s, kc) => {
      const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc, '-n', 'data']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('data/db:pg');
      expect(r.stdout).not.toContain('shop/web');
      expect(s.requests.map((q) => q.path)).toEqual([
        '/api/v1/namespaces/data/services',
        '/apis/discovery.k8s.io/v1/namespaces/data/endpointslices',
      ]);
      const both = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc, '--namespace', 'data', '-n', 'shop']);
      expect(both.stdout).toContain('data/db:pg');
      expect(both.stdout).toContain('shop/web:http');
    });
  });

  it('shows a progress line only on a terminal', async () => {
    await withServer({ maxPageSize: 1 }, OBJECTS, async (s, kc) => {
      const lines: string[] = [];
      await loadFromCluster(
        { kubeconfig: kc, namespaces: [], requestTimeoutMs: 5000 },
        { env: {}, progress: (t) => lines.push(t), progressDelayMs: 0 },
      );
      expect(lines.at(-2)).toBe(`\r\x1b[Kreading ${s.url}: 2 Services, 2 EndpointSlices…`);
      expect(lines.at(-1)).toBe('\r\x1b[K');
      const plain = await runWithEnv([...BASE, '--from-cluster', '--kubeconfig', kc], {}, false);
      expect(plain.code).toBe(0);
      expect(plain.stderr).not.toContain('\r');
    });
  });
});

describe('--node', () => {
  it("fills hostname, node IPs, pod CIDRs and zone from the Node, as kube-proxy does", async () => {
    const file = manifestsFile(OBJECTS, 'node.yaml');
    await withServer({}, OBJECTS, async (s, kc) => {
      const live = await runKpGen(['--from-cluster', '--kubeconfig', kc, '--node', 'node-1', '--detect-local-mode', 'NodeCIDR']);
      expect(live.code, live.stderr).toBe(0);
      expect(s.requests[0]!.path).toBe('/api/v1/nodes/node-1');
      // InternalIPs before ExternalIPs; the first of each family.
      const explicit = ['--hostname-override', 'node-1', '--node-ip', '192.168.1.10', '--node-ip', 'fd00::10',
        '--pod-cidr', '10.244.1.0/24,fd00:244:1::/64', '--node-zone', 'zone-a', '--detect-local-mode', 'NodeCIDR'];
      const files = await runKpGen([...explicit, file]);
      expect(live.stdout).toBe(files.stdout);
      // …and those settings matter: without them the rules differ.
      const bare = await runKpGen(['--pod-cidr', '10.244.9.0/24', '--detect-local-mode', 'NodeCIDR', file]);
      expect(bare.stdout).not.toBe(live.stdout);
      expect(live.stdout).toContain('-s 10.244.1.0/24');
      // The node IP lies in a source range: the load-balancer IP itself is let through.
      expect(live.stdout).toContain('loadbalancer IP" -s 198.51.100.7 -j');
    });
  });

  it('never overrides a flag given explicitly', async () => {
    const file = manifestsFile(OBJECTS, 'node2.yaml');
    await withServer({}, OBJECTS, async (_s, kc) => {
      const flags = ['--hostname-override', 'node-2', '--node-ip', '192.168.2.20', '--node-zone', 'zone-b', ...BASE];
      const live = await runKpGen([...flags, '--from-cluster', '--kubeconfig', kc, '--node', 'node-1']);
      const files = await runKpGen([...flags, file]);
      expect(live.code, live.stderr).toBe(0);
      expect(live.stdout).toBe(files.stdout);
    });
  });

  it("writes the release of the Node's status.nodeInfo.kubeProxyVersion when --kube-proxy-version is not given, and says so", async () => {
    const objects = structuredClone(OBJECTS) as { kind: string; status?: Record<string, unknown> }[];
    const nodeObj = objects.find((o) => o.kind === 'Node')!;
    nodeObj.status = { ...nodeObj.status, nodeInfo: { kubeProxyVersion: 'v1.22.17', kubeletVersion: 'v1.22.17' } };
    const file = manifestsFile(objects, 'node-version.yaml');
    await withServer({}, objects, async (_s, kc) => {
      const live = await runKpGen(['--from-cluster', '--kubeconfig', kc, '--node', 'node-1']);
      expect(live.code, live.stderr).toBe(0);
      expect(live.stderr).toContain('Node node-1: status.nodeInfo.kubeProxyVersion: writing kube-proxy 1.22.17\'s rules (no --kube-proxy-version given)');
      const explicit = await runKpGen(['--hostname-override', 'node-1', '--node-ip', '192.168.1.10', '--node-ip', 'fd00::10',
        '--pod-cidr', '10.244.1.0/24,fd00:244:1::/64', '--node-zone', 'zone-a', '--kube-proxy-version', '1.22.17', file]);
      expect(live.stdout).toBe(explicit.stdout);
      expect(live.stdout).toContain('/32'); // 1.22 writes -d 10.96.0.20/32
      // The flag wins, and then nothing is said about the Node's version.
      const flagged = await runKpGen(['--from-cluster', '--kubeconfig', kc, '--node', 'node-1', '--kube-proxy-version', '1.34']);
      expect(flagged.stderr).not.toContain('kubeProxyVersion');
      expect(flagged.stdout).not.toContain('/32 ');
    });
  });

  it('refuses a Node kube-proxy release kp-gen does not model, naming the field and the range', async () => {
    const objects = structuredClone(OBJECTS) as { kind: string; status?: Record<string, unknown> }[];
    const nodeObj = objects.find((o) => o.kind === 'Node')!;
    nodeObj.status = { ...nodeObj.status, nodeInfo: { kubeProxyVersion: 'v1.9.11' } };
    await withServer({}, objects, async (_s, kc) => {
      const r = await runKpGen(['--from-cluster', '--kubeconfig', kc, '--node', 'node-1']);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('Node node-1: status.nodeInfo.kubeProxyVersion: kube-proxy 1.9.11 is not supported: kp-gen models 1.10 … 1.34; give --kube-proxy-version');
      // Given the flag, the Node's release does not matter.
      const ok = await runKpGen(['--from-cluster', '--kubeconfig', kc, '--node', 'node-1', '--kube-proxy-version', '1.24']);
      expect(ok.code, ok.stderr).toBe(0);
    });
  });

  it('fails with exit 3 when the Node does not exist', async () => {
    await withServer({}, OBJECTS, async (_s, kc) => {
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc, '--node', 'nope']), 'get nodes nope', '404', 'nodes "nope" not found');
    });
  });
});

describe('files and cluster together', () => {
  it('lets a file object replace the same-named cluster object', async () => {
    const changed = structuredClone(OBJECTS[2]) as { spec: { clusterIP: string } };
    changed.spec.clusterIP = '10.96.0.99';
    const file = manifestsFile([changed], 'override.yaml');
    await withServer({}, OBJECTS, async (_s, kc) => {
      const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc, file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('-d 10.96.0.99');
      expect(r.stdout).not.toContain('-d 10.96.0.20');
      expect(r.stdout).toContain('shop/web:http');
    });
  });

  it('still rejects the same object twice in files', async () => {
    const file = manifestsFile([OBJECTS[2], OBJECTS[2]], 'twice.yaml');
    await withServer({}, OBJECTS, async (_s, kc) => {
      const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc, file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('defined twice');
    });
  });
});

describe('--save-manifests', () => {
  it('writes a fixture-shaped directory that replays to the same rules offline', async () => {
    const out = join(dir, 'saved');
    await withServer({ maxPageSize: 1 }, OBJECTS, async (_s, kc) => {
      const live = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc, '--node', 'node-1', '--save-manifests', out]);
      expect(live.code, live.stderr).toBe(0);
      const flags = readFileSync(join(out, 'flags.txt'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join(' ').split(/\s+/).filter(Boolean);
      expect(flags).toEqual(['--hostname-override', 'node-1', '--node-ip', '192.168.1.10', '--node-ip', 'fd00::10', '--pod-cidr', '10.244.1.0/24,fd00:244:1::/64', '--node-zone', 'zone-a']);
      const replay = await runKpGen([...BASE, ...flags, join(out, 'input.yaml')]);
      expect(replay.code, replay.stderr).toBe(0);
      expect(replay.stdout).toBe(live.stdout);
      expect(readFileSync(join(out, 'input.yaml'), 'utf8')).toContain('kind: Node');
    });
  });

  it('never writes through a symbolic link planted in DIR', async () => {
    const out = join(dir, 'saved-linked');
    mkdirSync(out);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep\n');
    symlinkSync(victim, join(out, 'input.yaml'));
    await withServer({}, OBJECTS, async (_s, kc) => {
      const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc, '--save-manifests', out]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`--save-manifests ${join(out, 'input.yaml')}: is a symbolic link`);
    });
    expect(readFileSync(victim, 'utf8')).toBe('keep\n');
    expect(readdirSync(out)).toEqual(['input.yaml']);
  });
});

describe('paging', () => {
  it('reads 10 000 Services in pages of 500 with limit and continue', async () => {
    const objects: unknown[] = [];
    for (let i = 0; i < 10_000; i++) {
      const name = `svc-${String(i).padStart(5, '0')}`;
      objects.push({
        apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: `ns-${i % 7}` },
        spec: { clusterIP: `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: 'http', port: 80 }] },
      });
    }
    await withServer({}, objects, async (s, kc) => {
      const r = await runKpGen([...BASE, '-q', '--from-cluster', '--kubeconfig', kc]);
      expect(r.code, r.stderr).toBe(0);
      const svcRequests = s.requests.filter((q) => q.path === '/api/v1/services');
      expect(svcRequests).toHaveLength(20);
      expect(svcRequests.every((q) => q.query.get('limit') === '500' && q.items === 500)).toBe(true);
      expect(svcRequests[0]!.query.has('continue')).toBe(false);
      expect(svcRequests.slice(1).every((q) => q.query.get('continue'))).toBe(true);
      // No response carried more than one page.
      expect(Math.max(...s.requests.map((q) => q.bytes))).toBeLessThan(200_000);
      expect(r.stdout.match(/^-A KUBE-SERVICES .* -j REJECT$/gm)).toHaveLength(10_000);
    });
  }, 30_000);

  it('starts a list over once when its continue token expires (410)', async () => {
    let compacted = false;
    await withServer(
      {
        maxPageSize: 1,
        afterPage: (srv, req) => {
          if (!compacted && req.path === '/api/v1/services') {
            compacted = true;
            srv.compact();
          }
        },
      },
      OBJECTS,
      async (s, kc) => {
        const r = await runKpGen([...BASE, '--from-cluster', '--kubeconfig', kc]);
        expect(r.code, r.stderr).toBe(0);
        const svc = s.requests.filter((q) => q.path === '/api/v1/services');
        expect(svc.map((q) => [q.query.has('continue'), q.status])).toEqual([[false, 200], [true, 410], [false, 200], [true, 200]]);
        expect(r.stdout).toContain('data/db:pg');
        expect(r.stdout).toContain('shop/web:http');
      },
    );
  });

  it('fails clearly when the list keeps changing', async () => {
    await withServer({ maxPageSize: 1, afterPage: (srv) => srv.compact() }, OBJECTS, async (_s, kc) => {
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc]), 'list services in all namespaces', 'changed while it was read', 'too old');
    });
  });
});

describe('failures: exit 3 with the server\'s message, nothing on stdout', () => {
  it('401 for a token the server does not accept', async () => {
    await withServer({}, OBJECTS, async (s) => {
      const kc = join(dir, 'kc-bad-token');
      writeFileSync(kc, kubeconfigYaml({ server: s.url, caFile: pki.ca.certFile, user: { token: 'wrong' } }));
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc]), s.url, 'list services in all namespaces', '401 Unauthorized');
    });
  });

  it('401 for a client certificate from another CA', async () => {
    await withServer({}, OBJECTS, async (s) => {
      const kc = join(dir, 'kc-stranger');
      writeFileSync(kc, kubeconfigYaml({ server: s.url, caFile: pki.ca.certFile, user: { 'client-certificate': pki.strangerClient.certFile, 'client-key': pki.strangerClient.keyFile } }));
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc]), '401 Unauthorized');
    });
  });

  it('403 names the verb and resource denied', async () => {
    const forbid = (_u: string, _v: string, resource: string): boolean => resource === 'endpointslices';
    await withServer({ forbid }, OBJECTS, async (_s, kc) => {
      expectClusterError(
        await runKpGen(['--from-cluster', '--kubeconfig', kc]),
        'list endpointslices.discovery.k8s.io in all namespaces: 403 Forbidden: endpointslices is forbidden: User "reader" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope',
      );
    });
    await withServer({ forbid: (_u, verb) => verb === 'get' }, OBJECTS, async (_s, kc) => {
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc, '--node', 'node-1']), 'get nodes node-1', 'cannot get resource "nodes"');
    });
  });

  it('500 with the server\'s message', async () => {
    await withServer({ fail: () => ({ status: 500, message: 'etcdserver: request timed out' }) }, OBJECTS, async (_s, kc) => {
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc]), 'HTTP 500: etcdserver: request timed out');
    });
  });

  it('TLS failure when the server\'s certificate is not signed by the configured CA', async () => {
    await withServer({}, OBJECTS, async (s) => {
      const kc = join(dir, 'kc-other-ca');
      writeFileSync(kc, kubeconfigYaml({ server: s.url, caFile: pki.otherCA.certFile, user: { token: TOKEN } }));
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc]), 'TLS failure');
      expect(s.requests).toHaveLength(0);
    });
  });

  it('cannot connect to a port nobody listens on', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const kc = join(dir, 'kc-refused');
    writeFileSync(kc, kubeconfigYaml({ server: `https://127.0.0.1:${port}`, caFile: pki.ca.certFile, user: { token: TOKEN } }));
    expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc]), 'cannot connect', 'ECONNREFUSED');
  });

  it('times out after --request-timeout', async () => {
    await withServer({ delayMs: 2000 }, OBJECTS, async (_s, kc) => {
      const t0 = Date.now();
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc, '--request-timeout', '200ms']), 'no answer within 0.2 s');
      expect(Date.now() - t0).toBeLessThan(1500);
    });
  });

  it('a missing --kubeconfig file, an unknown context', async () => {
    expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', join(dir, 'nope')]), 'no such file');
    await withServer({}, OBJECTS, async (_s, kc) => {
      expectClusterError(await runKpGen(['--from-cluster', '--kubeconfig', kc, '--context', 'prod']), 'context "prod" not found (contexts: test)');
    });
  });

  it('nothing configured at all', async () => {
    expectClusterError(await runWithEnv(['--from-cluster'], { HOME: join(dir, 'empty-home') }), 'no kubeconfig found');
  });

  it('cluster flags without --from-cluster are usage errors (exit 2)', async () => {
    for (const flags of [['--node', 'n'], ['--kubeconfig', 'x'], ['--context', 'c']]) {
      const r = await runKpGen([...flags, 'examples/']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('needs --from-cluster');
    }
  });

  it('-n without --from-cluster narrows the output to the namespace (cli.md: on every command)', async () => {
    const r = await runKpGen(['-n', 'kube-system', 'examples/']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('kube-system/kube-dns');
    expect(r.stdout).not.toContain('shop/');
  });
});

describe('kubeconfig precedence, as kubectl', () => {
  const cfg = (server: string, names: { cluster: string; user: string; context: string }, current?: string): string =>
    JSON.stringify({
      clusters: [{ name: names.cluster, cluster: { server } }],
      users: [{ name: names.user, user: { token: `${names.user}-token` } }],
      contexts: [{ name: names.context, context: { cluster: names.cluster, user: names.user } }],
      ...(current ? { 'current-context': current } : {}),
    });

  it('KUBECONFIG: first definition of a name and first current-context win; missing files are skipped', () => {
    const a = join(dir, 'kc-a');
    const b = join(dir, 'kc-b');
    writeFileSync(a, cfg('https://a.example:6443', { cluster: 'shared', user: 'ua', context: 'ctx-a' }, 'ctx-a'));
    writeFileSync(b, cfg('https://b.example:6443', { cluster: 'shared', user: 'ub', context: 'ctx-b' }, 'ctx-b'));
    const r = loadKubeConfig({ env: { KUBECONFIG: [join(dir, 'missing'), a, b].join(':') }, serviceAccountDir: join(dir, 'no-sa') });
    expect(r.contextName).toBe('ctx-a');
    expect(r.server).toBe('https://a.example:6443');
    const r2 = loadKubeConfig({ env: { KUBECONFIG: `${a}:${b}` }, context: 'ctx-b', serviceAccountDir: join(dir, 'no-sa') });
    // ctx-b points at cluster "shared", whose first definition (file a) wins.
    expect(r2.server).toBe('https://a.example:6443');
    expect(r2.kubeConfig.getCurrentUser()?.token).toBe('ub-token');
  });

  it('--kubeconfig beats KUBECONFIG, which beats ~/.kube/config', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(join(home, '.kube', 'config'), cfg('https://home.example', { cluster: 'h', user: 'h', context: 'h' }, 'h'));
    const env = join(dir, 'kc-env');
    writeFileSync(env, cfg('https://env.example', { cluster: 'e', user: 'e', context: 'e' }, 'e'));
    const flag = join(dir, 'kc-flag');
    writeFileSync(flag, cfg('https://flag.example', { cluster: 'f', user: 'f', context: 'f' }, 'f'));
    const sa = join(dir, 'no-sa');
    expect(loadKubeConfig({ env: { HOME: home }, serviceAccountDir: sa }).server).toBe('https://home.example');
    expect(loadKubeConfig({ env: { HOME: home, KUBECONFIG: env }, serviceAccountDir: sa }).server).toBe('https://env.example');
    expect(loadKubeConfig({ env: { HOME: home, KUBECONFIG: env }, kubeconfig: flag, serviceAccountDir: sa }).server).toBe('https://flag.example');
  });

  it('falls back to the in-cluster service account, and reads through it', async () => {
    await withServer({}, OBJECTS, async (s) => {
      const sa = join(dir, 'sa');
      mkdirSync(sa, { recursive: true });
      writeFileSync(join(sa, 'token'), `${TOKEN}\n`);
      writeFileSync(join(sa, 'ca.crt'), pki.ca.cert);
      const port = new URL(s.url).port;
      const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port, HOME: join(dir, 'empty-home') };
      const got = await loadFromCluster({ namespaces: [], requestTimeoutMs: 5000 }, { env, serviceAccountDir: sa });
      expect(got.source).toBe('cluster:in-cluster');
      expect(got.snapshot.services).toHaveLength(2);
      expect(s.requests[0]!.user).toBe('reader');
    });
  });

  it('uses KUBECONFIG from the environment in the CLI', async () => {
    await withServer({}, OBJECTS, async (_s, kc) => {
      const r = await runWithEnv([...BASE, '--from-cluster'], { KUBECONFIG: kc });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('shop/web:http');
    });
  });
});
