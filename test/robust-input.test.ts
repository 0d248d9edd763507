/**
 * Hostile and careless inputs at the process boundary (the real bin/kp-gen.js): each ends in
 * bounded time with one error line and exit 1, or is skipped — never a hang, a stack trace,
 * "internal error" or V8 running out of memory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {clusterIP: 10.96.0.1, ports: [{port: 80}]}\n';

function kpGen(args: string[], stdin: number | 'ignore' = 'ignore'): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/kp-gen.js', ...args], { stdio: [stdin, 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: { code: number | null; stdout: string; stderr: string }, message: string | RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.stderr.trimEnd()).toMatch(message);
}

describe('inputs that could hang or crash kp-gen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-gen-robust-'));

  it('endless stdin stops at the size limit', () => {
    const zero = openSync('/dev/zero', 'r');
    try {
      expectOneLineError(kpGen(['-'], zero), /^error: cannot read stdin: larger than 256 MiB, the most kp-gen reads from one input$/);
    } finally {
      closeSync(zero);
    }
  });

  it('a directory with a fifo and a link to /dev/zero: both skipped, the manifests read', () => {
    const d = join(dir, 'with-fifo');
    mkdirSync(d);
    writeFileSync(join(d, 'a.yaml'), SERVICE);
    execFileSync('mkfifo', [join(d, 'b.yaml')]);
    symlinkSync('/dev/zero', join(d, 'c.yaml'));
    const r = kpGen([d]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('shop/web');
  });

  it('a symlink loop in a directory', () => {
    const d = join(dir, 'loop');
    mkdirSync(join(d, 'sub'), { recursive: true });
    symlinkSync('..', join(d, 'sub', 'again'));
    expectOneLineError(kpGen([d]), /a symbolic link loop/);
  });

  it('a dangling link in a directory', () => {
    const d = join(dir, 'dangling');
    mkdirSync(d);
    symlinkSync(join(d, 'gone.yaml'), join(d, 'a.yaml'));
    expectOneLineError(kpGen([d]), /^error: cannot read .*a\.yaml: dangling symbolic link$/);
  });

  it('a missing file, in words', () => {
    expectOneLineError(kpGen([join(dir, 'missing.yaml')]), /^error: cannot read .*missing\.yaml: no such file or directory$/);
  });

  it('a 700-byte alias bomb', () => {
    const names = 'abcdefghi';
    const lines = ['  a: &a [{kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}]'];
    for (let i = 1; i < 9; i++) lines.push(`  ${names[i]}: &${names[i]} {kind: List, items: [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]}`);
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, `kind: List\napiVersion: v1\nx:\n${lines.join('\n')}\nitems: [*i]\n`);
    expectOneLineError(kpGen([file]), /invalid YAML: its aliases would expand \d+ nodes into .* \(an alias bomb\?\)/);
  });

  it('a Service whose name would add an iptables rule', () => {
    const file = join(dir, 'hostile.yaml');
    writeFileSync(file, SERVICE.replace('name: web', 'name: "x\\" -j RETURN\\n-I INPUT 1 -j ACCEPT\\n#\\e[2J"'));
    expectOneLineError(kpGen([file]), /^error: .*hostile\.yaml: Service shop\/\?: metadata\.name: "x\\" -j RETURN\\n-I INPUT 1 -j ACCEPT\\n#\\u001b\[2J" is not a valid Service name/);
  });
});
