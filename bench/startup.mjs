#!/usr/bin/env node
/**
 * kp-gen's start-up time on small inputs, this checkout against another one (not part of
 * `npm test`). Editor loops run kp-gen on a few manifests, where loading modules is most of
 * the time, so this compares whole `node` processes:
 *   - import:  node -e "import('<root>/dist/main.js')"   (module loading alone)
 *   - load:    the same import, timed inside the process  (without node's own start: less noise)
 *   - example: kp-gen --cluster-cidr 10.244.0.0/16 --hostname-override node-1 examples/
 *   - diff:    kp-gen diff of two small dumps             (a sub-command, so it cannot hide a cost there)
 *
 *   node bench/startup.mjs --against /path/to/other/kp-gen [--pairs 20]
 *
 * Both checkouts must be built (`npm run build`). This VM's speed drifts by tens of percent
 * from minute to minute, so single runs say little: each case runs in PAIRS pairs, the two
 * checkouts back to back in alternating order, and the report gives each side's median and
 * the median of the per-pair ratios. Every run's output is checked to be the same on both sides.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs as parseFlags } from 'node:util';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const { values } = parseFlags({ args: argv, options: { against: { type: 'string' }, pairs: { type: 'string' } } });
  const opts = {
    against: values.against === undefined ? undefined : resolve(values.against),
    pairs: values.pairs === undefined ? 20 : Number(values.pairs),
  };
  if (opts.against === undefined) throw new Error('--against DIR: the kp-gen checkout to compare with');
  if (!Number.isInteger(opts.pairs) || opts.pairs < 1) throw new Error('bad --pairs');
  for (const root of [here, opts.against]) {
    if (!existsSync(join(root, 'dist', 'main.js'))) throw new Error(`${root}: no dist/main.js (run npm run build there)`);
  }
  return opts;
}

/**
 * The cases, as node arguments for a checkout at `root`; inputs always come from this checkout.
 * A self-timed case prints its own time in ms on stdout instead of being timed from outside.
 */
function cases(root) {
  const bin = join(root, 'bin', 'kp-gen.js');
  const main = JSON.stringify(join(root, 'dist', 'main.js'));
  const dumps = ['clusterip-basic', 'multi-port'].map((f) => join(here, 'fixtures', 'core', f, 'expected.rules'));
  return {
    node: { args: ['-e', '0'] },
    import: { args: ['-e', `import(${main})`] },
    load: {
      args: ['--input-type=module', '-e', `const t = performance.now(); await import(${main}); console.log(performance.now() - t);`],
      selfTimed: true,
    },
    example: { args: [bin, '--cluster-cidr', '10.244.0.0/16', '--hostname-override', 'node-1', join(here, 'examples')] },
    diff: { args: [bin, 'diff', ...dumps] },
  };
}

/** One run: time in ms (wall, or as the case reports it), exit code and output. */
function runOnce({ args, selfTimed }) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw r.error;
  if (!selfTimed) return { ms: wall, code: r.status, stdout: r.stdout, stderr: r.stderr };
  const ms = Number(r.stdout);
  if (r.status !== 0 || !Number.isFinite(ms)) throw new Error(`${args.join(' ')}: exit ${r.status}, printed ${JSON.stringify(r.stdout + r.stderr)}`);
  return { ms, code: r.status, stdout: '', stderr: r.stderr };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const here_ = cases(here);
  const there = cases(opts.against);
  console.log(`this checkout: ${here}\nagainst:       ${opts.against}\npairs:         ${opts.pairs} (order alternates)\n`);
  const rows = [];
  for (const name of Object.keys(here_)) {
    const mine = [];
    const theirs = [];
    const ratios = [];
    for (let i = 0; i < opts.pairs; i++) {
      const order = i % 2 === 0 ? ['mine', 'theirs'] : ['theirs', 'mine'];
      const got = {};
      for (const side of order) got[side] = runOnce(side === 'mine' ? here_[name] : there[name]);
      for (const field of ['code', 'stdout', 'stderr']) {
        if (got.mine[field] !== got.theirs[field]) throw new Error(`${name}: ${field} differs between the two checkouts`);
      }
      mine.push(got.mine.ms);
      theirs.push(got.theirs.ms);
      ratios.push(got.mine.ms / got.theirs.ms);
    }
    rows.push([name, median(theirs).toFixed(0), median(mine).toFixed(0), median(ratios).toFixed(2)]);
  }
  const table = [['case', 'against (ms)', 'this (ms)', 'this/against'], ...rows];
  const widths = table[0].map((_c, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  console.log('\nmedians over the pairs; the ratio column is the median of the per-pair ratios.');
}

try {
  main();
} catch (e) {
  process.stderr.write(`startup: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
