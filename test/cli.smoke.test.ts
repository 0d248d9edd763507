/**
 * The real binary, as a user runs it: `node bin/kp-gen.js` (built by `npm run build`, which
 * `npm test` runs first). Exit codes, streams and the atomic -o.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', 'bin', 'kp-gen.js');

function kpGen(args: string[], input?: string, cwd?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kp-gen binary', () => {
  it('prints rules for the bundled example', () => {
    const r = kpGen(['--cluster-cidr', '10.244.0.0/16', '--hostname-override', 'node-1', 'examples/']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('*filter\n')).toBe(true);
    expect(r.stdout.endsWith('COMMIT\n')).toBe(true);
    expect(r.stdout).toContain('-A KUBE-NODEPORTS -m comment --comment shop/frontend:http -m tcp -p tcp --dport 30080');
  });

  it('reads stdin for -', () => {
    const r = kpGen(['-'], readFileSync('examples/shop.yaml', 'utf8'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(kpGen(['examples/shop.yaml']).stdout);
  });

  it('exits 1 on a malformed file, naming file:line:column, with nothing on stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-smoke-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'kind: Service\nmetadata:\n  name: x\n   namespace: y\n');
    const r = kpGen([bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^error: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: invalid YAML: `));
  });

  it('exits 2 on an unknown flag', () => {
    const r = kpGen(['--nope', 'examples/']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown option '--nope'");
  });

  it('points to ./NAME when a usage error comes from a sub-command whose name is also a path here', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-smoke-'));
    try {
      const examples = join(__dirname, '..', 'examples');
      const plain = kpGen(['diff'], undefined, dir);
      expect(plain.code).toBe(2);
      expect(plain.stderr).not.toContain('./diff');

      cpSync(examples, join(dir, 'diff'), { recursive: true });
      const shadowed = kpGen(['diff'], undefined, dir);
      expect(shadowed.code).toBe(2);
      expect(shadowed.stdout).toBe('');
      expect(shadowed.stderr).toContain('to read the path diff as manifests, write ./diff');
      const meant = kpGen(['./diff'], undefined, dir);
      expect(meant.code).toBe(0);
      expect(meant.stdout).toBe(kpGen([examples]).stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes -o atomically and leaves an existing file untouched on failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-smoke-'));
    const out = join(dir, 'rules.txt');
    const ok = kpGen(['-o', out, 'examples/']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(kpGen(['examples/']).stdout);

    writeFileSync(out, 'previous contents\n');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"kind": ');
    const failed = kpGen(['-o', out, bad]);
    expect(failed.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('previous contents\n');
    expect(readdirSync(dir).sort()).toEqual(['bad.json', 'rules.txt']);
  });

  it('reports an unwritable output file as exit 1', () => {
    const r = kpGen(['-o', '/nonexistent-dir/rules.txt', 'examples/']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot write /nonexistent-dir/rules.txt');
    expect(existsSync('/nonexistent-dir')).toBe(false);
  });

  it('stops quietly when the reader goes away (| head)', () => {
    for (const args of ['--help', 'examples/']) {
      const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" ${args} | head -c 1 >/dev/null; echo "rc=\${PIPESTATUS:-}"`], {
        encoding: 'utf8',
        shell: false,
      });
      expect(r.stderr).toBe('');
    }
  });

  it('prints help', () => {
    const r = kpGen(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: kp-gen [options] [command] [path...]');
    expect(r.stdout).toContain('lab');
    expect(r.stdout).toMatch(/diff \[options\] <dump...>/);
  });
});
