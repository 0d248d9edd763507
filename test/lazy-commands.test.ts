/**
 * The main command must not load the sub-commands' implementations: each
 * src/commands/<name>/index.ts only declares its command, and its run.ts (with the dump
 * parser, the comparer, the tracer, the lab) is imported when that command runs. Small runs
 * in editor loops are mostly module loading, so an import that drags one of them back into
 * the main path is a regression in start-up time. The same goes for src/report.ts (and chalk),
 * which main.ts loads only when there is a warning or an error to print.
 *
 * Checked on the real binary (built by `npm test`), with module hooks that record every module
 * node loads: no timing involved.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'kp-gen.js');
const LOGGER = pathToFileURL(join(__dirname, 'helpers', 'module-log.mjs')).href;

/** dist modules only sub-commands need: their run.ts, the dump reader, and the folders they alone use. */
const SUBCOMMAND_ONLY = /^dist\/(commands\/[^/]+\/run|commands\/read-dump|(diff|trace|lab|parse)\/.+|views\/(?!select\.js).+)\.js$/;

const tmp = mkdtempSync(join(tmpdir(), 'kp-gen-lazy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let runs = 0;
/** Run kp-gen with `args`; its exit code and the project modules it loaded (paths relative to the repo). */
function loadedBy(args: string[]): { code: number | null; stderr: string; modules: string[] } {
  const log = join(tmp, `modules-${runs++}.log`);
  const r = spawnSync(process.execPath, ['--import', LOGGER, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, KP_GEN_MODULE_LOG: log, FORCE_COLOR: '0' },
  });
  const modules = readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => relative(ROOT, fileURLToPath(url)))
    .filter((p) => !p.startsWith('..') && !p.startsWith('node_modules'));
  return { code: r.status, stderr: r.stderr, modules };
}

const DUMP_A = 'fixtures/core/clusterip-basic/expected.rules';
const DUMP_B = 'fixtures/core/multi-port/expected.rules';

describe('start-up: the main command loads no sub-command implementation', () => {
  it.each([
    ['the README example', ['--cluster-cidr', '10.244.0.0/16', '--hostname-override', 'node-1', 'examples/']],
    ['--format save', ['--format', 'save', 'examples/']],
    ['--help', ['--help']],
  ])('%s', (_name, args) => {
    const r = loadedBy(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The log works and the sub-commands are still declared (their index.js)...
    expect(r.modules).toContain('dist/main.js');
    for (const name of ['diff', 'trace', 'lab', 'apply', 'ls', 'graph']) expect(r.modules).toContain(`dist/commands/${name}/index.js`);
    // ...but none of their implementations is loaded.
    expect(r.modules.filter((m) => SUBCOMMAND_ONLY.test(m))).toEqual([]);
    // Nor the diagnostics' formatting (and chalk with it): there is nothing to report.
    expect(r.modules).not.toContain('dist/report.js');
  });

  it('loads the diagnostics when there is something to report', () => {
    const r = loadedBy(['no-such-dir/']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.modules).toContain('dist/report.js');
  });

  it('a sub-command still loads its implementation when it runs', () => {
    const r = loadedBy(['diff', DUMP_A, DUMP_B]);
    expect(r.code).toBe(1);
    expect(r.modules).toContain('dist/commands/diff/run.js');
    expect(r.modules).toContain('dist/iptables/dump.js');
    expect(r.modules).not.toContain('dist/commands/trace/run.js');
    expect(r.modules).not.toContain('dist/lab/lab.js');
    expect(r.modules).not.toContain('dist/host/apply.js');
  });

  it('apply and cleanup load src/host only when they run', () => {
    const help = loadedBy(['apply', '--help']);
    expect(help.code).toBe(0);
    expect(help.modules).toContain('dist/commands/apply/index.js');
    expect(help.modules.filter((m) => SUBCOMMAND_ONLY.test(m))).toEqual([]);
    // A state "directory" that is a file stops cleanup (exit 1) before it looks at the host's rules.
    const notADir = join(tmp, 'not-a-dir');
    writeFileSync(notADir, '');
    const run = loadedBy(['cleanup', '--dry-run', '--state-dir', notADir]);
    expect(run.code).toBe(1);
    expect(run.modules).toContain('dist/commands/apply/run.js');
    expect(run.modules).toContain('dist/host/cleanup.js');
    expect(run.modules).not.toContain('dist/commands/diff/run.js');
  });

  it('ls loads the service map only when it runs', () => {
    const r = loadedBy(['ls', '--rules', DUMP_A]);
    expect(r.code).toBe(0);
    expect(r.modules).toContain('dist/commands/ls/run.js');
    expect(r.modules).toContain('dist/views/service-map.js');
    expect(r.modules).not.toContain('dist/commands/diff/run.js');
  });
});
