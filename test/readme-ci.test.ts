/**
 * The README's CI recipes, run as written under `bash -e` (what CI shells do), with the
 * commands they call stubbed: `kp-gen` is this build, `helm template` prints a rendered chart,
 * `ssh node-1 sudo iptables-save` prints a node's rules. Each recipe must pass when nothing
 * changed and fail, saying why, when something did.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');
const KP_GEN = resolve('bin/kp-gen.js');

/** The sh block after `<!-- tested by test/readme-ci.test.ts: NAME -->`. */
function recipe(name: string): string {
  const m = new RegExp(`<!-- tested by test/readme-ci\\.test\\.ts: ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!m) throw new Error(`README has no recipe ${name}`);
  return m[1]!;
}

const root = mkdtempSync(join(tmpdir(), 'kp-readme-ci-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A work tree with `bin/` stubs first on PATH. */
function workspace(name: string, stubs: Record<string, string>): { dir: string; run: (script: string) => { code: number; out: string } } {
  const dir = join(root, name);
  const bin = join(dir, '.bin');
  mkdirSync(bin, { recursive: true });
  const all = { 'kp-gen': `#!/bin/sh\nexec node ${KP_GEN} "$@"\n`, ...stubs };
  for (const [cmd, text] of Object.entries(all)) {
    writeFileSync(join(bin, cmd), text);
    chmodSync(join(bin, cmd), 0o755);
  }
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  return {
    dir,
    run: (script) => {
      const r = spawnSync('bash', ['-e', '-c', script], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
      return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
    },
  };
}

const CHART = `---
# Source: shop/templates/web.yaml
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
# Source: shop/templates/web-deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web:1, ports: [{name: http, containerPort: 8080}]}]}
---
# Source: shop/templates/config.yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {a: b}
`;

describe('README CI recipe for an application repository', () => {
  const ws = workspace('app', { helm: `#!/bin/sh\n[ "$1" = template ] || exit 9\ncat "$PWD/rendered.yaml"\n` });
  const script = recipe('app');

  it('passes when the rules are unchanged and fails with the diff when a change alters them', () => {
    writeFileSync(join(ws.dir, 'rendered.yaml'), CHART);
    expect(ws.run('git init -q . && git add rendered.yaml && git commit -qm chart').code).toBe(0);
    // First run: rules.txt is made; committed once.
    expect(ws.run(script).code).toBe(0);
    expect(readFileSync(join(ws.dir, 'rules.txt'), 'utf8')).toContain('KUBE-NODEPORTS');
    expect(ws.run('git add rules.txt && git commit -qm rules').code).toBe(0);
    // Unchanged chart: same bytes.
    expect(ws.run(script)).toEqual({ code: 0, out: expect.stringContaining('note: -: Service shop/web: allocated clusterIP') });
    // A change of the replicas: the job fails and shows the new endpoint.
    writeFileSync(join(ws.dir, 'rendered.yaml'), CHART.replace('replicas: 2', 'replicas: 3'));
    const changed = ws.run(script);
    expect(changed.code).toBe(1);
    expect(changed.out).toMatch(/^\+-A KUBE-SVC-\S+ -m comment --comment "shop\/web:http -> 10\.244\./m);
  });

  it('fails when helm fails (pipefail) and when nothing was rendered (--strict)', () => {
    const failing = workspace('app-fail', { helm: '#!/bin/sh\necho "Error: chart not found" >&2\nexit 1\n' });
    expect(failing.run(script).code).not.toBe(0);
    const empty = workspace('app-empty', { helm: '#!/bin/sh\necho "---"\n' });
    const r = empty.run(script);
    expect(r.code).toBe(1);
    expect(r.out).toContain('no Service in the input');
  });
});

describe('README CI recipe for a node', () => {
  it('reports drift under bash -e instead of dying at diff\'s exit status', () => {
    const ws = workspace('node', { ssh: `#!/bin/sh\ncat "$PWD/node.save"\n` });
    mkdirSync(join(ws.dir, 'k8s'));
    writeFileSync(join(ws.dir, 'k8s', 'app.yaml'), readFileSync('examples/shop.yaml', 'utf8'));
    const flags = '--cluster-cidr 10.244.0.0/16 --hostname-override node-1 --node-ip 192.168.1.10 --include-jumps';
    expect(ws.run(`kp-gen ${flags} k8s/ > node.save`).code).toBe(0);
    const same = ws.run(recipe('node'));
    expect(same).toEqual({ code: 0, out: expect.stringContaining('node-1 programs exactly what the manifests say') });
    writeFileSync(join(ws.dir, 'node.save'), '*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n');
    const drifted = ws.run(recipe('node'));
    expect(drifted.code).toBe(1);
    expect(drifted.out).toContain('node-1 has drifted from the manifests');
  });
});
