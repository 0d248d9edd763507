/**
 * `kp-gen apply` and `kp-gen cleanup` on a host that has rules of its own, on both iptables
 * backends. The host is a lab node namespace (src/lab/: a client, one namespace per pod, a
 * server in each) holding what a VM typically has: an ssh ACCEPT in INPUT, Docker's chains,
 * FORWARD policy DROP, flannel's FORWARD and POSTROUTING rules. The real binary (built by
 * `npm test`) runs inside that namespace, as a user would run it with sudo on the VM:
 * apply → the host's rules intact, real packets reach the Services' pods → apply again (no
 * change) → a Service removed → apply (its chains gone) → cleanup (the tables as at the start,
 * byte for byte but for the counters). Then, in bare namespaces, the IPv6 side of such a
 * machine, and a node with an older kubelet's chains (its KUBE-FIREWALL, which apply rewrites as
 * kube-proxy does and cleanup must give back; its hint chain, which picks the backend). Random
 * namespace names; everything is removed in afterAll, also when a test failed.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProxierConfig } from '../src/config.js';
import { buildTopology } from '../src/lab/netns.js';
import { planLab, type LabPlan } from '../src/lab/plan.js';
import { probe } from '../src/lab/probe.js';
import { startServers, stopServers, type ServerRecord } from '../src/lab/servers.js';
import { defaultRunOptions, type RunOptions } from '../src/options.js';
import { generate } from '../src/run.js';
import { cleanupLab, labNamespaces, newTestLab, requireLab } from './helpers/lab.js';

const run = requireLab('host apply tests', ['nfacct']);
const BIN = join(__dirname, '..', 'bin', 'kp-gen.js');
const NODE_IP = '192.0.2.1';
const CLIENT = '192.0.2.2';
const WEB = 'test/host/web.yaml';
const API = 'test/host/api.yaml';
const FLAGS = ['--cluster-cidr', '10.244.0.0/16', '--hostname-override', 'node-1', '--node-ip', NODE_IP];

/** The host's own rules, loaded with plain iptables-restore before kp-gen comes near it. */
const HOST_RULES = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-USER - [0:0]
:FLANNEL-FWD - [0:0]
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A FORWARD -j DOCKER-USER
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -j FLANNEL-FWD
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-USER -j RETURN
-A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
-A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
COMMIT
`;

function options(paths: string[]): RunOptions {
  const o = defaultRunOptions();
  o.paths = paths;
  o.clusterCIDRs = ['10.244.0.0/16'];
  o.hostnameOverride = 'node-1';
  o.nodeIPs = [NODE_IP];
  return o;
}

/** The rules without what changes by itself: counters, the save's comment lines. */
function normalise(save: string): string {
  return save
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]$/, '[0:0]'))
    .join('\n');
}

/** The lines that are not kube-proxy's: its chains, their rules, and the jumps into them. */
function hostPart(save: string): string {
  return save
    .split('\n')
    .filter((l) => !/^:KUBE-|^-A KUBE-| -j KUBE-/.test(l))
    .join('\n');
}

function chainNames(text: string, prefix: RegExp): string[] {
  return [...text.matchAll(/^:(\S+) /gm)].map((m) => m[1]!).filter((c) => prefix.test(c)).sort();
}

describe.runIf(run).each(['nft', 'legacy'] as const)('kp-gen apply and cleanup on a host with its own rules (iptables-%s)', (backend) => {
  const lab = newTestLab();
  const stateDir = mkdtempSync(join(tmpdir(), 'kp-gen-apply-test-'));
  let plan: LabPlan;
  const servers: ServerRecord[] = [];
  let start = '';

  const inNode = (cmd: string, args: string[], input?: string): { code: number | null; stdout: string; stderr: string } => {
    const r = spawnSync('ip', ['netns', 'exec', plan.nodeNs, cmd, ...args], { input: input ?? '', encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  };
  const kpGen = (...args: string[]): { code: number | null; stdout: string; stderr: string } =>
    inNode(process.execPath, [BIN, ...args.slice(0, 1), '--state-dir', stateDir, ...args.slice(1)]);
  const save = (b: string = backend): string => {
    const r = inNode(`iptables-${b}-save`, []);
    expect(r.code, r.stderr).toBe(0);
    return normalise(r.stdout);
  };
  const counters = (): string => inNode('nfacct', ['list']).stdout;
  /**
   * Which pods answered `count` connections to ip:port from the client. 40 connections to a
   * two-endpoint Service miss one endpoint with odds 2 × 2^-40 (6 missed one about once in 32 runs).
   */
  const answered = (ip: string, port: number, count = 40): string[] => {
    const rs = probe(plan.clientNs, { protocol: 'TCP', ip, port, count, timeoutMs: 1000 });
    return [...new Set(rs.map((r) => (r.reply ? r.reply.local.ip : r.outcome.ok ? '?' : r.outcome.error)))].sort();
  };

  beforeAll(async () => {
    const opts = options([WEB, API]);
    const { ports } = generate(opts, { readStdin: () => '' });
    plan = planLab(ports, { name: lab.name, nodeIP: NODE_IP, clientIPs: [CLIENT], localhostNodePorts: buildProxierConfig(opts).localhostNodePorts });
    try {
      buildTopology(plan, () => {});
      await startServers(plan.pods, (p) => join(lab.stateDir, `${p.ns}.log`), (s) => void servers.push(s));
      const r = inNode(`iptables-${backend}-restore`, [], HOST_RULES);
      expect(r.code, r.stderr).toBe(0);
    } catch (e) {
      stopServers(servers);
      cleanupLab(lab);
      throw e;
    }
    start = save();
  }, 60_000);

  afterAll(() => {
    stopServers(servers);
    cleanupLab(lab);
    rmSync(stateDir, { recursive: true, force: true });
    expect(labNamespaces(lab)).toEqual([]);
  });

  it('starts with only the host rules: no Service answers', () => {
    expect(start).toContain(':FORWARD DROP [0:0]');
    expect(start).not.toContain('KUBE-');
    expect(counters()).toBe('');
    expect(answered('10.96.7.1', 80, 1)).toEqual(['timeout']);
  });

  it('--dry-run prints the commands and changes nothing', () => {
    const r = kpGen('apply', '--dry-run', ...FLAGS, WEB, API);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`# iptables-${backend}, IPv4: the host's rules are in iptables-${backend} (14 rules, 0 in the other)\n`);
    expect(r.stdout).toContain(`# chains would be loaded: 16 (iptables-${backend}-restore --noflush)\n`);
    expect(r.stdout).toContain('nfacct add ct_state_invalid_dropped_pkts\n');
    expect(r.stdout).toContain(`iptables-${backend} -w 5 -W 100000 -t nat -I PREROUTING -m comment --comment 'kubernetes service portals' -j KUBE-SERVICES\n`);
    expect(r.stdout).toContain(`iptables-${backend}-restore -w 5 -W 100000 --noflush --counters <<'EOF'\n*filter\n`);
    expect(save()).toBe(start);
    expect(counters()).toBe('');
  });

  it('apply: the host rules stay, the jumps are there once, packets reach the pods', () => {
    const r = kpGen('apply', ...FLAGS, WEB, API);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('jumps from built-in chains: 14 added, 0 already there\n');
    expect(r.stdout).toContain('nfacct counters created: ct_state_invalid_dropped_pkts, localhost_nps_accepted_pkts\n');
    const after = save();
    expect(hostPart(after)).toBe(start);
    // Each jump once.
    const jumps = after.split('\n').filter((l) => /^-A (INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) .*-j KUBE-/.test(l));
    expect(jumps).toHaveLength(14);
    expect(new Set(jumps).size).toBe(14);
    // The other backend got nothing.
    const other = backend === 'nft' ? 'legacy' : 'nft';
    expect(spawnSync('ip', ['netns', 'exec', plan.nodeNs, `iptables-${other}-save`], { encoding: 'utf8' }).stdout).not.toContain('KUBE-');
    expect(counters()).toContain('ct_state_invalid_dropped_pkts');
    expect(answered('10.96.7.1', 80)).toEqual(['10.244.1.11', '10.244.1.12']);
    expect(answered('10.96.7.2', 9000, 2)).toEqual(['10.244.1.21']);
    expect(answered(NODE_IP, 30090, 2)).toEqual(['10.244.1.21']);
  });

  it('apply again changes nothing', () => {
    const before = save();
    const r = kpGen('apply', ...FLAGS, WEB, API);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('jumps from built-in chains: 0 added, 14 already there\n');
    expect(r.stdout).toContain('nfacct counters created: none\n');
    expect(save()).toBe(before);
  });

  it('apply without a Service deletes its chains, and only those', () => {
    const r = kpGen('apply', ...FLAGS, WEB);
    expect(r.code, r.stderr).toBe(0);
    const after = save();
    const expected = generate(options([WEB]), { readStdin: () => '' }).text;
    const serviceChains = /^KUBE-(SVC|SVL|EXT|FW|SEP)-/;
    expect(chainNames(after, serviceChains)).toEqual(chainNames(expected, serviceChains));
    expect(r.stdout).toMatch(/stale Service chains deleted: KUBE-EXT-\w+, KUBE-SEP-\w+, KUBE-SVC-\w+\n/);
    expect(after).not.toContain('site/api');
    expect(hostPart(after)).toBe(start);
    expect(answered('10.96.7.1', 80)).toEqual(['10.244.1.11', '10.244.1.12']);
    expect(answered('10.96.7.2', 9000, 1)).toEqual(['timeout']);
  });

  it('cleanup leaves the tables as they were at the start, and removes the counters apply made', () => {
    const r = kpGen('cleanup');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`IPv4 iptables-${backend}: 14 jumps and `);
    expect(r.stdout).toContain('nfacct counters deleted: ct_state_invalid_dropped_pkts, localhost_nps_accepted_pkts\n');
    expect(save()).toBe(start);
    expect(counters()).toBe('');
    // A second cleanup finds nothing to do.
    const again = kpGen('cleanup');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`IPv4 iptables-${backend}: 0 jumps and 0 chains deleted\n`);
    expect(save()).toBe(start);
  });
});

/** The IPv6 side of a VM: ip6tables rules of its own. */
const HOST_RULES_6 = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p ipv6-icmp -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A DOCKER -i docker0 -j RETURN
COMMIT
`;

/**
 * A node with an older kubelet: its KUBE-FIREWALL (which kube-proxy's restore rewrites since
 * 1.27) with the jumps to it, KUBE-MARK-DROP, and its canary chain in mangle, the hint that
 * tells kube-proxy's image (and kp-gen) the backend.
 */
const HOST_RULES_KUBELET = HOST_RULES.replace(':FLANNEL-FWD - [0:0]\n', ':FLANNEL-FWD - [0:0]\n:KUBE-FIREWALL - [0:0]\n')
  .replace('-A INPUT -p tcp', '-A INPUT -j KUBE-FIREWALL\n-A INPUT -p tcp')
  .replace('-A DOCKER -d', '-A OUTPUT -j KUBE-FIREWALL\n-A KUBE-FIREWALL -m comment --comment "kubernetes firewall for dropping marked packets" -m mark --mark 0x8000/0x8000 -j DROP\n-A DOCKER -d')
  .replace(':FLANNEL-POSTRTG - [0:0]\n', ':FLANNEL-POSTRTG - [0:0]\n:KUBE-MARK-DROP - [0:0]\n')
  .replace('-A DOCKER -i docker0 -j RETURN\n', '-A DOCKER -i docker0 -j RETURN\n-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000\n')
  .concat('*mangle\n:KUBE-KUBELET-CANARY - [0:0]\nCOMMIT\n');

interface BareCase {
  name: string;
  family: 4 | 6;
  rules: string;
  flags: string[];
  input: string;
  /** Jumps apply adds and cleanup deletes (kubelet's own are neither). */
  jumps: number;
  why: string;
  /** What iptables-save shows once the rules are on. */
  shows: string;
  /** Sysctls apply is asked to set (to 1), and cleanup must set back. */
  sysctls: string[];
}

const BARE_CASES: BareCase[] = [
  {
    name: 'IPv6',
    family: 6,
    rules: HOST_RULES_6,
    flags: ['--ip-family', 'ipv6', '--cluster-cidr', 'fd00:10::/64', '--hostname-override', 'node-1'],
    input: 'test/host/web6.yaml',
    jumps: 14,
    why: "the host's rules are in",
    shows: '-A KUBE-SERVICES -d fd00:96::7/128 -p tcp -m comment --comment "site/web6:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-',
    sysctls: ['net/ipv6/conf/all/forwarding'],
  },
  {
    name: "IPv4 beside an older kubelet's chains",
    family: 4,
    rules: HOST_RULES_KUBELET,
    flags: [...FLAGS, '--route-localnet'],
    input: WEB,
    jumps: 12,
    why: "kubelet's hint chain is in",
    shows: '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    sysctls: ['net/ipv4/ip_forward', 'net/ipv4/conf/all/route_localnet'],
  },
];

describe.runIf(run).each(BARE_CASES.flatMap((c) => (['nft', 'legacy'] as const).map((b) => [c.name, b, c] as const)))('kp-gen apply and cleanup, %s (%s)', (_name, backend, c) => {
  const ns = `kpg-t${randomBytes(4).toString('hex')}-bare`;
  const stateDir = mkdtempSync(join(tmpdir(), 'kp-gen-apply-test-'));
  const six = c.family === 6 ? '6' : '';
  const inNs = (cmd: string, args: string[], input?: string) => {
    const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { input: input ?? '', encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  };
  const save = (): string => {
    const r = inNs(`ip${six}tables-${backend}-save`, []);
    expect(r.code, r.stderr).toBe(0);
    return normalise(r.stdout);
  };
  let start = '';

  beforeAll(() => {
    expect(spawnSync('ip', ['netns', 'add', ns]).status).toBe(0);
    const r = inNs(`ip${six}tables-${backend}-restore`, [], c.rules);
    expect(r.code, r.stderr).toBe(0);
    start = save();
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('apply → host rules intact; again → no change; cleanup → as at the start', () => {
    const kpGen = (...args: string[]) => inNs(process.execPath, [BIN, ...args.slice(0, 1), '--state-dir', stateDir, ...args.slice(1)]);
    const sysctl = (key: string): string => inNs('cat', [`/proc/sys/${key}`]).stdout.trim();
    for (const key of c.sysctls) expect(sysctl(key)).toBe('0');
    const first = kpGen('apply', '--ip-forward', ...c.flags, c.input);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`iptables-${backend}, IPv${c.family}: ${c.why} iptables-${backend}`);
    expect(first.stdout).toContain(`(ip${six}tables-${backend}-restore --noflush)`);
    expect(first.stdout).toContain(`jumps from built-in chains: ${c.jumps} added, ${14 - c.jumps} already there\n`);
    for (const key of c.sysctls) expect(sysctl(key)).toBe('1');
    const applied = save();
    expect(hostPart(applied)).toBe(hostPart(start));
    expect(applied).toContain(c.shows);
    const second = kpGen('apply', '--ip-forward', ...c.flags, c.input);
    expect(second.code, second.stderr).toBe(0);
    expect(save()).toBe(applied);
    const clean = kpGen('cleanup');
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain(`IPv${c.family} iptables-${backend}: ${c.jumps} jumps and `);
    expect(save()).toBe(start);
    expect(inNs('nfacct', ['list']).stdout).toBe('');
    for (const key of c.sysctls) expect(sysctl(key)).toBe('0');
  });
});
