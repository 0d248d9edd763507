#!/usr/bin/env node
/**
 * `npm run bench`: kp-gen's scale benchmark (not part of `npm test`).
 *
 * For each size it generates a synthetic cluster (bench/cluster.mjs: N Services with 10
 * endpoints each), writes it as one JSON List and as multi-document YAML, then runs, each as a
 * whole `node` process, in REPS rounds (each round runs every case once, so that the machine's
 * drifting speed touches all cases alike):
 *   - kp-gen on the file, stdout to a file;
 *   - bench/parse-only.mjs on the same file (read + JSON.parse / kp-gen's YAML loader, nothing else).
 * At the largest size it also runs a source-manifest case: the same number of Services as an
 * application repository keeps them (bench/cluster.mjs generateSourceManifests: no cluster IPs,
 * node ports or EndpointSlices, a Deployment or StatefulSet behind each), which kp-gen completes
 * (allocation, pods from workloads, EndpointSlices) before planning.
 * On the largest JSON cluster, the same rounds also run the views (VIEWS: diff, diff --manifests and trace) and
 * the other commands (COMMAND_CASES: ls, graph, --format save), each against generation's time and 400 MB.
 * It prints the best wall time and the median peak RSS of each, kp-gen's output size and rule count,
 * and kp-gen's cost as a ratio to the parse-only run. Then the growth from size to size (marginal
 * cost per 1000 Services, and cost ratios net of the fixed cost), and the targets of the scale
 * issue with PASS/MISS. Last, the two-CPU ceiling: two half-size JSON clusters run at once, as
 * two processes, against the whole one in one process — what splitting kp-gen's work over this
 * machine's CPUs could at best gain.
 *
 *   npm run bench [-- --sizes 1000,2500,5000,10000] [--reps 5] [--keep DIR]
 *
 * Peak RSS comes from getrusage in the child (bench/maxrss.mjs, preloaded with --import), so
 * /usr/bin/time is not needed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs as parseFlags } from 'node:util';
import yaml from 'js-yaml';
import { BENCH_FLAGS, SOURCE_FLAGS, generateCluster, generateSourceManifests, toJSONList, toMultiDocYAML } from './cluster.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, '..', 'bin', 'kp-gen.js');
const PARSE_ONLY = join(here, 'parse-only.mjs');
const PRELOAD = pathToFileURL(join(here, 'maxrss.mjs')).href;

/**
 * The views measured next to generation on the largest JSON cluster, in the same rounds (the
 * views issue: each within 2x generation's time and 400 MB peak RSS). `args(files)` gives
 * kp-gen's arguments; `files` holds the cluster (`cluster`), its rules as kp-gen writes them
 * (`rules`), the rules after a cluster-CIDR change (`changed`) and as a node's iptables-save
 * prints them (`save`), all made before the rounds.
 */
const VIEWS = [
  { name: 'diff, two kp-gen dumps (cluster CIDR changed)', args: (f) => ['diff', f.rules, f.changed], okCodes: [1] },
  { name: 'diff --stat, same dumps', args: (f) => ['diff', '--stat', f.rules, f.changed], okCodes: [1] },
  { name: 'diff, kp-gen dump against iptables-save form', args: (f) => ['diff', f.rules, f.save], okCodes: [0] },
  { name: 'diff --manifests against the iptables-save form', args: (f) => ['diff', '--manifests', f.cluster, ...BENCH_FLAGS, f.save], okCodes: [0] },
  { name: 'trace from the manifests', args: (f) => ['trace', ...BENCH_FLAGS, f.cluster, '--src', '10.128.0.5', '--from', 'pod', '--dst', 'team-000/app-00000'], okCodes: [0] },
  { name: 'trace --rules', args: (f) => ['trace', '--rules', f.rules, '--node-ip', '192.168.0.10', '--src', '10.128.0.5', '--from', 'pod', '--dst', 'team-000/app-00000'], okCodes: [0] },
];
const VIEW_TARGETS = { timeRatio: 2, rssMB: 400 };

/** The scale issue's targets, for the largest size (10k Services / 100k endpoints). */
const TARGETS = { jsonSeconds: 2, jsonRssMB: 400, yamlSeconds: 3, parseRatio: 2.5, growthTolerance: 0.25 };

/**
 * Commands measured next to generation, on the largest JSON cluster, in the same rounds: the
 * arguments after kp-gen (`file` is the cluster), and the scale issue's targets — wall time at
 * most `timeRatio` times generation's on the same file, peak RSS at most `rssMB`.
 */
// team-034/app-00034: a LoadBalancer (bench/cluster.mjs), in every cluster of 35 Services or more.
const COMMAND_CASES = [
  { name: 'ls', args: (file) => ['ls', ...BENCH_FLAGS, file], timeRatio: 2, rssMB: 400 },
  { name: 'graph --service', args: (file) => ['graph', ...BENCH_FLAGS, '--service', 'team-034/app-00034', file], timeRatio: 2, rssMB: 400 },
  { name: '--format save', args: (file) => [...BENCH_FLAGS, '--format', 'save', file], timeRatio: 2, rssMB: 400 },
];

function parseArgs(argv) {
  const { values } = parseFlags({
    args: argv,
    options: { sizes: { type: 'string' }, reps: { type: 'string' }, keep: { type: 'string' } },
  });
  const opts = {
    sizes: values.sizes === undefined ? [1000, 2500, 5000, 10000] : values.sizes.split(',').map(Number),
    reps: values.reps === undefined ? 5 : Number(values.reps),
    keep: values.keep,
  };
  if (opts.sizes.some((n) => !Number.isInteger(n) || n < 1) || !(opts.reps >= 1)) throw new Error('bad --sizes or --reps');
  return opts;
}

/** Run `node [--import preload] args…` once; wall time (s) and peak RSS (MB). `okCodes`: exit codes that are success (diff exits 1 for "different"). */
function measure(args, stdoutFile, rssFile, okCodes = [0]) {
  const fd = openSync(stdoutFile, 'w');
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', PRELOAD, ...args], {
    stdio: ['ignore', fd, 'pipe'],
    env: { ...process.env, KP_BENCH_RSS_FILE: rssFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(fd);
  if (!okCodes.includes(r.status)) {
    throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}:\n${r.stderr.toString().slice(0, 2000)}`);
  }
  return { seconds, rssMB: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

/**
 * Run `node args…` twice at once, each with its own stdout file; wall time (s) until both exit.
 * Run on two half-size clusters, this is what a perfect split of kp-gen's work over two CPUs
 * could at best achieve: no parse done twice, nothing to hand over or merge.
 */
function measureTwoAtOnce(args, outA, outB) {
  const start = process.hrtime.bigint();
  const one = (out) =>
    new Promise((resolve, reject) => {
      const fd = openSync(out, 'w');
      const child = spawn(process.execPath, args, { stdio: ['ignore', fd, 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        closeSync(fd);
        if (code === 0) resolve();
        else reject(new Error(`node ${args.join(' ')} exited ${code ?? signal}:\n${err.slice(0, 2000)}`));
      });
    });
  return Promise.all([one(outA), one(outB)]).then(() => Number(process.hrtime.bigint() - start) / 1e9);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Best time (other processes on the machine only ever add to a run's wall time), median peak RSS. */
function summary(runs) {
  return { seconds: Math.min(...runs.map((r) => r.seconds)), rssMB: median(runs.map((r) => r.rssMB)) };
}

function countRules(file) {
  const text = readFileSync(file, 'latin1');
  let n = 0;
  for (let i = text.indexOf('\n-A '); i !== -1; i = text.indexOf('\n-A ', i + 1)) n++;
  return n;
}

const fmt = (x, d = 2) => x.toFixed(d);
const mb = (bytes) => bytes / (1024 * 1024);

function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r, ri) => {
    const line = r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return ri === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

function machine() {
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1];
  } catch {
    // not Linux
  }
  return `${cpus().length} CPUs (${cpu}), Node ${process.version}, ${process.platform}/${process.arch}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = opts.keep ?? mkdtempSync(join(tmpdir(), 'kp-gen-bench-'));
  mkdirSync(dir, { recursive: true });
  const rssFile = join(dir, 'maxrss');
  console.log(`kp-gen benchmark on ${machine()}; best time and median peak RSS of ${opts.reps} runs; work dir ${dir}\n`);

  // Every input is written first, then each round runs every case once, in the same order, and
  // each case's best time is taken over the rounds: this VM's speed drifts from minute to
  // minute, and a drift then touches every case alike instead of making one size, or kp-gen
  // against its parse-only run, look faster or slower than the rest.
  const results = [];
  let fixed;
  let halves;
  let commands = [];
  let sourceResult;
  let views = [];
  try {
    // Fixed cost: node start-up and module loading, from a one-Service cluster.
    const tiny = join(dir, 'tiny.json');
    writeFileSync(tiny, toJSONList(generateCluster(1)));
    const cases = [];
    for (const n of opts.sizes) {
      const objects = generateCluster(n);
      const texts = { json: toJSONList(objects), yaml: toMultiDocYAML(objects, yaml.dump) };
      for (const [format, text] of Object.entries(texts)) {
        const file = join(dir, `cluster-${n}.${format}`);
        writeFileSync(file, text);
        cases.push({ n, format, file, out: join(dir, `cluster-${n}-${format}.rules`), parse: [], run: [] });
      }
    }
    // Source manifests at the largest size: completion's cost on top of the rest.
    const sourceN = Math.max(...opts.sizes);
    const sourceFile = join(dir, `source-${sourceN}.yaml`);
    writeFileSync(sourceFile, toMultiDocYAML(generateSourceManifests(sourceN), yaml.dump));
    cases.push({ n: sourceN, format: 'yaml', source: true, file: sourceFile, out: join(dir, `source-${sourceN}.rules`), parse: [], run: [] });
    // The two-CPU ceiling, next to the largest JSON case: two half-size clusters run at once,
    // each in its own process.
    const largestN = Math.max(...opts.sizes);
    const half = largestN >= 2 ? join(dir, `cluster-${largestN >> 1}-half.json`) : undefined;
    if (half) writeFileSync(half, toJSONList(generateCluster(largestN >> 1)));
    const halfOuts = [join(dir, 'half-a.rules'), join(dir, 'half-b.rules')];

    // The views' inputs, made once (not measured).
    const largestJSON = cases.find((c) => c.n === largestN && c.format === 'json');
    const viewFiles = {
      cluster: largestJSON.file,
      rules: join(dir, 'view-a.rules'),
      changed: join(dir, 'view-b.rules'),
      save: join(dir, 'view-a.save'),
    };
    const otherCIDR = BENCH_FLAGS.map((f, i) => (BENCH_FLAGS[i - 1] === '--cluster-cidr' ? '10.128.0.0/10' : f));
    for (const [out, flags] of [[viewFiles.rules, BENCH_FLAGS], [viewFiles.changed, otherCIDR], [viewFiles.save, [...BENCH_FLAGS, '--format', 'save']]]) {
      const r = spawnSync(process.execPath, [BIN, ...flags, '-o', out, largestJSON.file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`making ${out}: ${r.stderr.slice(0, 2000)}`);
    }
    const viewRuns = VIEWS.map(() => []);
    const fixedRuns = [];
    const pairs = [];
    const commandRuns = COMMAND_CASES.map(() => []);
    for (let round = 0; round < opts.reps; round++) {
      fixedRuns.push(measure([BIN, ...BENCH_FLAGS, tiny], join(dir, 'tiny.rules'), rssFile));
      for (const c of cases) {
        c.parse.push(measure([PARSE_ONLY, c.file], join(dir, 'parse.out'), rssFile));
        c.run.push(measure([BIN, ...(c.source ? SOURCE_FLAGS : BENCH_FLAGS), c.file], c.out, rssFile));
        if (half && c.n === largestN && c.format === 'json') {
          pairs.push(await measureTwoAtOnce([BIN, ...BENCH_FLAGS, half], halfOuts[0], halfOuts[1]));
        }
        if (c === largestJSON) {
          COMMAND_CASES.forEach((cc, i) => commandRuns[i].push(measure([BIN, ...cc.args(c.file)], join(dir, 'command.out'), rssFile)));
          VIEWS.forEach((v, i) => viewRuns[i].push(measure([BIN, ...v.args(viewFiles)], join(dir, 'view.out'), rssFile, v.okCodes)));
        }
      }
      process.stderr.write(`  round ${round + 1} of ${opts.reps} done\n`);
    }
    fixed = summary(fixedRuns);
    for (const c of cases) {
      const rules = countRules(c.out);
      if (c.source) {
        sourceResult = { n: c.n, inputMB: mb(statSync(c.file).size), outputMB: mb(statSync(c.out).size), rules, parse: summary(c.parse), run: summary(c.run) };
        continue;
      }
      results.push({
        n: c.n,
        endpoints: c.n * 10,
        format: c.format,
        inputMB: mb(statSync(c.file).size),
        outputMB: mb(statSync(c.out).size),
        rules,
        parse: summary(c.parse),
        run: summary(c.run),
      });
    }
    if (half) halves = { n: largestN, half: largestN >> 1, pair: Math.min(...pairs) };
    commands = COMMAND_CASES.map((cc, i) => ({ ...cc, run: summary(commandRuns[i]) }));
    views = VIEWS.map((v, i) => ({ name: v.name, run: summary(viewRuns[i]) }));
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }

  console.log(`Fixed cost (kp-gen on 1 Service): ${fmt(fixed.seconds)} s, ${fmt(fixed.rssMB, 0)} MB peak RSS\n`);
  console.log(
    table(
      ['case', 'input MB', 'kp-gen s', 'peak RSS MB', 'output MB', 'rules', 'parse-only s', 'parse RSS MB', 'time / parse'],
      results.map((r) => [
        `${r.n} svc / ${r.endpoints} ep, ${r.format}`,
        fmt(r.inputMB, 1),
        fmt(r.run.seconds),
        fmt(r.run.rssMB, 0),
        fmt(r.outputMB, 1),
        r.rules,
        fmt(r.parse.seconds),
        fmt(r.parse.rssMB, 0),
        `${fmt(r.run.seconds / r.parse.seconds)}x`,
      ]),
    ),
  );

  if (sourceResult) {
    const r = sourceResult;
    console.log(
      `\nSource manifests (${r.n} Services without cluster IPs or node ports, each with a Deployment of 3 or a StatefulSet of 2; completed by kp-gen)\n`,
    );
    console.log(
      table(
        ['case', 'input MB', 'kp-gen s', 'peak RSS MB', 'output MB', 'rules', 'parse-only s', 'parse RSS MB', 'time / parse'],
        [[`${r.n} svc source manifests, yaml`, fmt(r.inputMB, 1), fmt(r.run.seconds), fmt(r.run.rssMB, 0), fmt(r.outputMB, 1), r.rules, fmt(r.parse.seconds), fmt(r.parse.rssMB, 0), `${fmt(r.run.seconds / r.parse.seconds)}x`]],
      ),
    );
  }

  // Growth. A linear cost is a fixed part plus a part proportional to the Services: each step's
  // marginal cost (added seconds or MB per 1000 added Services) is then the same, whatever the
  // size; a cost growing faster than linearly shows as marginal costs that rise with the size.
  // The ratios "per size" (net of the one-Service run, over the size ratio; 1.00 = linear) are
  // printed too: they also count what the one-Service run does not show, such as V8's
  // compiling the hot code during the first few thousand Services, which makes them fall
  // below 1 without anything growing faster than linearly.
  const growthRows = [];
  const growthOk = [];
  const perK = (da, dn) => (da / dn) * 1000;
  for (const format of ['json', 'yaml']) {
    const rs = results.filter((r) => r.format === format);
    if (rs.length < 2) continue;
    const first = rs[0];
    const last = rs.at(-1);
    const overall = {
      time: perK(last.run.seconds - first.run.seconds, last.n - first.n),
      rss: perK(last.run.rssMB - first.run.rssMB, last.n - first.n),
    };
    for (let i = 1; i < rs.length; i++) {
      const a = rs[i - 1];
      const b = rs[i];
      const size = b.n / a.n;
      const t = (b.run.seconds - fixed.seconds) / (a.run.seconds - fixed.seconds) / size;
      const m = (b.run.rssMB - fixed.rssMB) / (a.run.rssMB - fixed.rssMB) / size;
      const marginal = { time: perK(b.run.seconds - a.run.seconds, b.n - a.n), rss: perK(b.run.rssMB - a.run.rssMB, b.n - a.n) };
      growthOk.push({ time: t, rss: m, marginalTime: marginal.time / overall.time, marginalRss: marginal.rss / overall.rss });
      growthRows.push([
        `${format} ${a.n} → ${b.n}`,
        `${fmt(size)}x`,
        `${fmt(b.run.seconds / a.run.seconds)}x`,
        fmt(t),
        `${fmt(marginal.time, 3)} (${fmt(marginal.time / overall.time)})`,
        `${fmt(b.run.rssMB / a.run.rssMB)}x`,
        fmt(m),
        `${fmt(marginal.rss, 1)} (${fmt(marginal.rss / overall.rss)})`,
      ]);
    }
  }
  if (growthRows.length > 0) {
    console.log(
      '\nGrowth (per size: net of the fixed cost, over the size ratio, 1.00 is linear; marginal: added s or MB per 1000\n' +
        'added Services, and in brackets over the marginal cost from the smallest to the largest size, 1.00 is linear)\n',
    );
    console.log(
      table(['step', 'size', 'time', 'time per size', 'marginal s / 1k svc', 'RSS', 'RSS per size', 'marginal MB / 1k svc'], growthRows),
    );
  }

  const largest = Math.max(...opts.sizes);
  const json = results.find((r) => r.n === largest && r.format === 'json');
  const yml = results.find((r) => r.n === largest && r.format === 'yaml');
  const verdict = (ok) => (ok ? 'PASS' : 'MISS');
  console.log(`\nTargets (issue: 10k Services / 100k endpoints; here ${largest} Services)`);
  console.log(`  JSON wall ≤ ${TARGETS.jsonSeconds} s: ${fmt(json.run.seconds)} s ${verdict(json.run.seconds <= TARGETS.jsonSeconds)}`);
  console.log(`  JSON peak RSS ≤ ${TARGETS.jsonRssMB} MB: ${fmt(json.run.rssMB, 0)} MB ${verdict(json.run.rssMB <= TARGETS.jsonRssMB)}`);
  console.log(`  YAML wall ≤ ${TARGETS.yamlSeconds} s: ${fmt(yml.run.seconds)} s ${verdict(yml.run.seconds <= TARGETS.yamlSeconds)}`);
  for (const r of [json, yml]) {
    const ratio = r.run.seconds / r.parse.seconds;
    console.log(`  ${r.format.toUpperCase()} time ≤ ${TARGETS.parseRatio}x parse-only: ${fmt(ratio)}x ${verdict(ratio <= TARGETS.parseRatio)}`);
  }
  if (halves) {
    // Only the ratio to the parse-only run measured earlier is a target's; the rest explains it.
    console.log(
      `  two-CPU ceiling: two ${halves.half}-Service JSON runs at once take ${fmt(halves.pair)} s, one ${halves.n}-Service run ` +
        `${fmt(json.run.seconds)} s: a perfect two-way split would be at ${fmt(halves.pair / json.parse.seconds)}x parse-only`,
    );
  }
  for (const v of views) {
    const ratio = v.run.seconds / json.run.seconds;
    console.log(
      `  ${v.name}: ${fmt(v.run.seconds)} s (${fmt(ratio)}x generation, ≤ ${VIEW_TARGETS.timeRatio}x ${verdict(ratio <= VIEW_TARGETS.timeRatio)}), ` +
        `${fmt(v.run.rssMB, 0)} MB peak RSS (≤ ${VIEW_TARGETS.rssMB} MB ${verdict(v.run.rssMB <= VIEW_TARGETS.rssMB)})`,
    );
  }
  if (growthOk.length > 0) {
    const tol = TARGETS.growthTolerance;
    const within = (x) => Math.abs(x - 1) <= tol;
    const atMost = (x) => x <= 1 + tol;
    const range = (xs) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
    const times = growthOk.map((g) => g.marginalTime);
    const rsss = growthOk.map((g) => g.marginalRss);
    const perSize = growthOk.flatMap((g) => [g.time, g.rss]);
    // With two sizes there is one step, the whole range itself: nothing to compare.
    const steps = opts.sizes.length - 1;
    const linear = (xs) => (steps < 2 ? 'needs 3 sizes or more' : `${range(xs)} ${verdict(xs.every(within))}`);
    console.log(`  time grows linearly (each step's marginal cost within 1 ± ${tol} of the whole range's): ${linear(times)}`);
    console.log(`  peak RSS grows linearly (each step's marginal cost within 1 ± ${tol} of the whole range's): ${linear(rsss)}`);
    console.log(`  neither grows faster than linearly (per size ≤ ${1 + tol}, net of the fixed cost): ${range(perSize)} ${verdict(perSize.every(atMost))}`);
  }
  // The other commands, against generation on the same file in the same rounds.
  for (const c of commands) {
    const ratio = c.run.seconds / json.run.seconds;
    console.log(
      `  ${c.name}: ${fmt(c.run.seconds)} s = ${fmt(ratio)}x generation (≤ ${c.timeRatio}x) ${verdict(ratio <= c.timeRatio)}, ` +
        `${fmt(c.run.rssMB, 0)} MB peak RSS (≤ ${c.rssMB}) ${verdict(c.run.rssMB <= c.rssMB)}`,
    );
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
