/**
 * The tracer against the real kernel, for packets the node sends itself (the packets a test
 * can send without a second host): kp-gen's rules for test/data/cluster.yaml are loaded into a
 * throw-away network namespace holding the node's address, many connections are opened at once
 * to a service, and the kernel's answers are read from /proc/net/nf_conntrack (where each
 * connection went, and whether its source was rewritten: MASQUERADE --random-fully changes the
 * port) and from the connect errors (REJECT refuses, DROP times out). The set of outcomes the
 * kernel shows must equal the set the tracer predicts. Packets from other hosts and pods need
 * the lab's namespaces (see trace/index.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIP } from '../src/model/ip.js';
import { outcomeKey, traceRules, type Protocol } from '../src/trace/index.js';
import { runKpGen } from './helpers/cli.js';
import { nodeNamespaceScript, requireKernel } from './helpers/kernel.js';

function hasIpCommand(): boolean {
  return spawnSync('sh', ['-c', 'command -v ip && command -v bash'], { encoding: 'utf8' }).status === 0;
}

const run = requireKernel('trace kernel tests') && (hasIpCommand() || skipOrFail('trace kernel tests need ip (iproute2) and bash'));

function skipOrFail(reason: string): false {
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${reason} (apt-get install iproute2)`);
  console.warn(`skipping: ${reason}`);
  return false;
}
const NODE_IP = '192.168.1.10';
const FLAGS = ['--cluster-cidr', '10.244.0.0/16', '--hostname-override', 'node-1', '--node-ip', NODE_IP, '--include-jumps', 'test/data/cluster.yaml'];

interface Observed {
  keys: Set<string>;
  raw: string;
}

/** Open `count` connections from the node to dst:port in a fresh namespace; what happened. */
function observe(rules: string, proto: Protocol, dst: string, port: number, count: number): Observed {
  const dir = mkdtempSync(join(tmpdir(), 'kp-gen-trace-'));
  try {
    writeFileSync(join(dir, 'rules'), rules);
    const script = [
      ...nodeNamespaceScript(NODE_IP),
      `"${process.execPath}" test/helpers/probe-connect.mjs ${proto} ${dst} ${port} ${count}`,
      'echo ---',
      'cat /proc/net/nf_conntrack',
    ].join('\n');
    const r = spawnSync('unshare', ['-n', 'bash', '-c', script, 'bash', dir], { encoding: 'utf8', timeout: 20_000 });
    if (r.status !== 0) throw new Error(`probe failed: ${r.stderr}${r.error ? String(r.error) : ''}`);
    const [attemptText, ctText] = r.stdout.split('---\n');
    const attempts = attemptText!.trim().split('\n');
    const keys = new Set<string>();
    let entries = 0;
    for (const line of ctText!.split('\n')) {
      const t = [...line.matchAll(/(src|dst|sport|dport)=(\S+)/g)].map((m) => m[2]!);
      if (t.length < 8 || t[1] !== dst || t[3] !== String(port)) continue;
      entries++;
      const [oSrc, oDst, oSport, oDport, rSrc, rDst, rSport, rDport] = t;
      const translated = rSrc !== oDst || rSport !== oDport;
      const masq = rDst !== oSrc || rDport !== oSport;
      keys.add(`${translated ? `DNAT ${rSrc}:${rSport}` : `ACCEPT ${oDst}:${oDport}`}${masq ? ' masquerade' : ''}`);
    }
    if (entries < attempts.length) {
      if (attempts.includes('refused')) keys.add('REJECT');
      if (attempts.filter((a) => a === 'timeout').length > entries) keys.add('DROP');
    }
    return { keys, raw: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.runIf(run)('trace predicts what the kernel does (packets from the node)', async () => {
  const generated = await runKpGen(FLAGS);
  const rules = generated.stdout;
  const node = { localAddresses: [parseIP(NODE_IP)!] };

  it.each<[string, Protocol, string, number, number]>([
    ['cluster IP, three endpoints', 'tcp', '10.96.0.10', 80, 40],
    ['NodePort on the node address', 'tcp', NODE_IP, 30010, 40],
    ['NodePort, externalTrafficPolicy Local, no local endpoint', 'tcp', NODE_IP, 30030, 8],
    ['NodePort, externalTrafficPolicy Local, from the node: Cluster policy', 'tcp', NODE_IP, 30020, 30],
    ['load balancer IP outside the source ranges', 'tcp', '203.0.113.20', 443, 5],
    ['no endpoints', 'tcp', '10.96.0.50', 80, 5],
    ['UDP', 'udp', '10.96.0.53', 53, 5],
  ])('%s (%s %s:%i)', (_name, proto, dst, port, count) => {
    const predicted = traceRules(rules, {
      protocol: proto, src: parseIP(NODE_IP)!, dst: parseIP(dst)!, sport: 40000, dport: port, from: 'node',
    }, node).outcomes.map(outcomeKey);
    const observed = observe(rules, proto, dst, port, count);
    expect([...observed.keys].sort(), observed.raw).toEqual([...new Set(predicted)].sort());
  });

  it('session affinity: the kernel picks one of the predicted endpoints', () => {
    const predicted = traceRules(rules, {
      protocol: 'tcp', src: parseIP(NODE_IP)!, dst: parseIP('10.96.0.40')!, sport: 40000, dport: 80, from: 'node',
    }, node).outcomes.map(outcomeKey);
    expect(predicted).toHaveLength(2);
    const observed = observe(rules, 'tcp', '10.96.0.40', 80, 1);
    expect(observed.keys.size).toBe(1);
    expect(predicted).toContain([...observed.keys][0]);
  });
});
