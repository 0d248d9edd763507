/**
 * `trace --explain` against the kernel's own trace. kp-gen's rules for test/data/cluster.yaml
 * go into a throw-away network namespace (`unshare -n`: nothing to name, nothing left behind
 * when the shell exits) with a `-j TRACE` rule in the raw table for the packets of one
 * destination; `xtables-monitor --trace` (the nft backend's TRACE log) records every rule that
 * matched each packet and every built-in chain's policy it fell to, while the node opens a few
 * connections. The first packet of each connection (the one that passes the nat table) must
 * have exactly the rules and policies, in order, that one of the tracer's outcomes lists as
 * `match`, `taken` and `policy` in its --explain evaluation. Rules are compared by meaning
 * (canonical.ts), as the monitor prints them in iptables-save's spelling.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalKey } from '../src/iptables/canonical.js';
import { readRule } from '../src/iptables/read.js';
import { parseIP } from '../src/model/ip.js';
import { traceRules } from '../src/trace/index.js';
import { runKpGen } from './helpers/cli.js';
import { nodeNamespaceScript, requireKernel } from './helpers/kernel.js';

function has(cmds: string[]): boolean {
  return spawnSync('sh', ['-c', cmds.map((c) => `command -v ${c} >/dev/null`).join(' && ')]).status === 0;
}

function skipOrFail(reason: string): false {
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(reason);
  console.warn(`skipping: ${reason}`);
  return false;
}

const run =
  requireKernel('trace --explain kernel tests') &&
  (has(['ip', 'bash', 'timeout', 'xtables-monitor']) || skipOrFail('trace --explain kernel tests need ip, bash, timeout and xtables-monitor (apt-get install iproute2 iptables)'));

const NODE_IP = '192.168.1.10';
const FLAGS = ['--cluster-cidr', '10.244.0.0/16', '--hostname-override', 'node-1', '--node-ip', NODE_IP, '--include-jumps', 'test/data/cluster.yaml'];

/** A rule's identity across spellings: table, chain and canonical key. */
function ruleKey(table: string, text: string): string {
  const m = /^-A (\S+)\s*(.*)$/.exec(text);
  if (!m) throw new Error(`not a rule: ${text}`);
  return `${table} ${m[1]} rule ${canonicalKey(readRule(m[2]!).shape)}`;
}

/**
 * The kernel's trace of each first packet (the packets that passed the nat table) as
 * rule/policy keys, raw table left out. `lines` is xtables-monitor --trace's output.
 */
function kernelPaths(lines: string[]): string[][] {
  const byPacket = new Map<string, string[]>();
  for (const line of lines) {
    const m = /^\s*TRACE: \d+ ([0-9a-f]+) ([a-z]+):([^:]+):(rule|policy|return):(\S*)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, id, table, chain, kind, verdict, rest] = m;
    if (table === 'raw') continue;
    let path = byPacket.get(id!);
    if (!path) byPacket.set(id!, (path = []));
    if (kind === 'rule') {
      const r = /^-4 -t \S+ (-A .*)$/.exec(rest!);
      if (!r) throw new Error(`unexpected trace line: ${line}`);
      path.push(ruleKey(table!, r[1]!));
    } else if (kind === 'policy') {
      path.push(`${table} ${chain} policy ${verdict}`);
    }
  }
  return [...byPacket.values()].filter((p) => p.some((k) => k.startsWith('nat ')));
}

/** Open `count` connections from the node to dst:port, one after another, tracing them; the monitor's lines. */
function kernelTrace(rules: string, dst: string, port: number, count: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'kp-gen-explain-'));
  try {
    writeFileSync(join(dir, 'rules'), rules);
    const script = [
      ...nodeNamespaceScript(NODE_IP),
      `iptables-nft -t raw -A OUTPUT -p tcp -d ${dst} --dport ${port} -j TRACE`,
      'timeout 10 xtables-monitor --trace > "$1/trace" 2>&1 &',
      'monitor=$!',
      'sleep 0.5',
      // One connection at a time, each given up before TCP would retransmit its SYN: a burst
      // of trace events overflows the monitor's netlink socket.
      `for i in $(seq ${count}); do timeout 0.3 bash -c 'exec 3<>/dev/tcp/${dst}/${port}' 2>/dev/null || true; sleep 0.05; done`,
      'sleep 0.5',
      'kill $monitor 2>/dev/null || true',
      'wait $monitor 2>/dev/null || true',
      'cat "$1/trace"',
    ].join('\n');
    const r = spawnSync('unshare', ['-n', 'bash', '-c', script, 'bash', dir], { encoding: 'utf8', timeout: 20_000 });
    if (r.status !== 0) throw new Error(`kernel trace failed: ${r.stderr}${r.error ? String(r.error) : ''}`);
    return r.stdout.split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.runIf(run)('trace --explain agrees with the kernel\'s TRACE (packets from the node, nft backend)', async () => {
  const rules = (await runKpGen(FLAGS)).stdout;
  const node = { localAddresses: [parseIP(NODE_IP)!] };

  it.each<[string, string, number, number]>([
    ['cluster IP, three endpoints', '10.96.0.10', 80, 8],
    ['NodePort on the node address', NODE_IP, 30010, 4],
    ['no endpoints (REJECT)', '10.96.0.50', 80, 2],
    ['NodePort, externalTrafficPolicy Local, from the node', NODE_IP, 30020, 6],
  ])('%s (%s:%i)', (_name, dst, port, count) => {
    const result = traceRules(rules, { protocol: 'tcp', src: parseIP(NODE_IP)!, dst: parseIP(dst)!, sport: 40000, dport: port, from: 'node' }, node, 'rules', { explain: true });
    const predicted = result.outcomes.map((o) =>
      (o.evaluated ?? [])
        .filter((e) => e.result === 'match' || e.result === 'taken' || e.result === 'policy')
        .map((e) => (e.result === 'policy' ? `${e.table} ${e.chain} policy ${e.why!.replace(/^policy /, '')}` : ruleKey(e.table, e.rule!))),
    );
    const lines = kernelTrace(rules, dst, port, count);
    const observed = kernelPaths(lines);
    expect(observed.length, lines.join('\n')).toBeGreaterThan(0);
    const known = new Set(predicted.map((p) => p.join('\n')));
    for (const path of observed) {
      expect(known.has(path.join('\n')), `kernel path:\n${path.join('\n')}\n\npredicted:\n${predicted.map((p) => p.join('\n')).join('\n--\n')}`).toBe(true);
    }
  });
});
