import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, parseArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { parseIP, type IP } from '../model/ip.js';
import { defaultRunOptions, type RunOptions } from '../options.js';
import type { Packet } from '../trace/index.js';
import { runKpGen } from '../../test/helpers/cli.js';
import type { CommandOptions } from './index.js';

const parse = (argv: string[]) => parseArgs(argv, { out: () => {} });

const ip = (text: string): IP => parseIP(text)!;
const gen = (o: Partial<RunOptions>): RunOptions => ({ ...defaultRunOptions(), ...o });
const packet = (o: Partial<Packet> = {}): Packet => ({
  protocol: 'tcp',
  src: ip('1.2.3.4'),
  dst: ip('10.0.0.1'),
  sport: 40000,
  dport: 80,
  from: 'external',
  ...o,
});
const PACKET_FLAGS = ['--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80'];
const LAB = { name: 'lab', stateDir: '/run/kp-gen-lab' };
/** A KubeProxyConfiguration (masqueradeBit 15), and what it sets; flags on the command line win. */
const KUBE_PROXY_CONFIG = 'fixtures/features/kube-proxy-config/kube-proxy.yaml';
const FROM_CONFIG: Partial<RunOptions> = { clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'], localhostNodePorts: false, conntrackTCPBeLiberal: true, masqueradeBit: 15 };

/** argv → the parsed command: at least one case for every command and sub-command. */
const CASES: [string[], CommandOptions][] = [
  [['diff', 'a', 'b'], { name: 'diff', options: { dumps: ['a', 'b'], json: false, color: 'auto' } }],
  [['diff', '--json', '--color', 'never', 'a', '-'], { name: 'diff', options: { dumps: ['a', '-'], json: true, color: 'never' } }],
  [
    ['diff', '--manifests', 'm/', '--manifests', 'n.yaml', '--cluster-cidr', '10.0.0.0/8', '--masquerade-all', 'b'],
    { name: 'diff', options: { dumps: ['b'], json: false, color: 'auto', gen: gen({ paths: ['m/', 'n.yaml'], clusterCIDRs: ['10.0.0.0/8'], masqueradeAll: true }) } },
  ],
  [
    ['diff', '--manifests', 'm/', '--config', KUBE_PROXY_CONFIG, '--iptables-masquerade-bit', '13', 'b'],
    { name: 'diff', options: { dumps: ['b'], json: false, color: 'auto', gen: gen({ paths: ['m/'], ...FROM_CONFIG, masqueradeBit: 13 }) } },
  ],
  [['trace', '--rules', 'r', ...PACKET_FLAGS], { name: 'trace', options: { rules: 'r', packet: packet(), addressTexts: [], json: false } }],
  [
    ['trace', '--rules', '-', '--node-ip', '10.0.0.9', '--node-addresses', '127.0.0.1,10.0.0.9', '--json', ...PACKET_FLAGS, '--sport', '5000'],
    { name: 'trace', options: { rules: '-', packet: packet({ sport: 5000 }), addressTexts: ['10.0.0.9', '127.0.0.1', '10.0.0.9'], json: true } },
  ],
  [
    ['trace', '--node-ip', '10.0.0.9', 'm/', ...PACKET_FLAGS, '--proto', 'udp', '--from', 'pod', '--in-interface', 'eth0', '--out-interface', 'cni0'],
    {
      name: 'trace',
      options: {
        gen: gen({ paths: ['m/'], nodeIPs: ['10.0.0.9'], includeJumps: true }),
        packet: packet({ protocol: 'udp', from: 'pod', inInterface: 'eth0', outInterface: 'cni0' }),
        addressTexts: ['10.0.0.9'],
        json: false,
      },
    },
  ],
  [
    ['trace', '--cluster-cidr', 'fd00:10::/64', 'm/', '--src', 'fd00::1', '--dst', 'fd00:96::1', '--dport', '443'],
    {
      name: 'trace',
      options: {
        gen: gen({ paths: ['m/'], clusterCIDRs: ['fd00:10::/64'], includeJumps: true, ipFamily: 'ipv6' }),
        packet: packet({ src: ip('fd00::1'), dst: ip('fd00:96::1'), dport: 443 }),
        addressTexts: [],
        json: false,
      },
    },
  ],
  [
    ['trace', '--config', KUBE_PROXY_CONFIG, '--iptables-masquerade-bit', '13', 'm/', ...PACKET_FLAGS],
    {
      name: 'trace',
      options: { gen: gen({ paths: ['m/'], ...FROM_CONFIG, masqueradeBit: 13, includeJumps: true }), packet: packet(), addressTexts: [], json: false },
    },
  ],
  [['lab', 'up', 'examples/'], { name: 'lab up', options: { ...LAB, run: gen({ paths: ['examples/'] }), clientIPs: [] } }],
  [
    ['lab', 'up', '--name', 'a1', '--state-dir', '/tmp/labs', '--client-ip', '192.0.2.2', '--client-ip', '192.0.2.3', '--node-ip', '192.0.2.1', '--cluster-cidr', '10.244.0.0/16', 'm/', '-'],
    {
      name: 'lab up',
      options: { name: 'a1', stateDir: '/tmp/labs', run: gen({ paths: ['m/', '-'], nodeIPs: ['192.0.2.1'], clusterCIDRs: ['10.244.0.0/16'] }), clientIPs: ['192.0.2.2', '192.0.2.3'] },
    },
  ],
  [
    ['lab', 'up', '--config', KUBE_PROXY_CONFIG, '--iptables-masquerade-bit', '13', 'm/'],
    { name: 'lab up', options: { ...LAB, run: gen({ paths: ['m/'], ...FROM_CONFIG, masqueradeBit: 13 }), clientIPs: [] } },
  ],
  [['lab', 'status'], { name: 'lab status', options: { ...LAB, all: false } }],
  [['lab', 'status', '--all', '--name', 'b2'], { name: 'lab status', options: { name: 'b2', stateDir: LAB.stateDir, all: true } }],
  [
    ['lab', 'probe', '10.96.0.1:80'],
    { name: 'lab probe', options: { ...LAB, from: 'client', dst: { ip: '10.96.0.1', port: 80 }, udp: false, count: 10, timeoutMs: 1000 } },
  ],
  [
    ['lab', 'probe', '--from', 'node', '--udp', '--count', '3', '--timeout', '250', '--source', '192.0.2.3', '10.96.0.10:53'],
    { name: 'lab probe', options: { ...LAB, from: 'node', dst: { ip: '10.96.0.10', port: 53 }, udp: true, count: 3, timeoutMs: 250, source: '192.0.2.3' } },
  ],
  [['lab', 'down'], { name: 'lab down', options: LAB }],
  [['lab', 'down', '--state-dir', '/tmp/labs'], { name: 'lab down', options: { name: 'lab', stateDir: '/tmp/labs' } }],
];

describe('sub-command wiring: argv → options (nothing runs)', () => {
  it.each(CASES)('%j', (argv, expected) => {
    expect(parse(argv)).toStrictEqual({ kind: 'command', ...expected });
  });

  it('has a case for every command and sub-command', () => {
    const leaves = (c: Command, prefix: string): string[] =>
      c.commands.length === 0 ? [prefix] : c.commands.flatMap((sub) => leaves(sub, `${prefix} ${sub.name()}`));
    const declared = buildProgram(() => {}).commands.flatMap((c) => leaves(c, c.name()));
    expect(declared.length).toBeGreaterThanOrEqual(5);
    expect([...new Set(CASES.map(([, c]) => c.name))].sort()).toEqual(declared.sort());
  });

  it.each([
    [['diff', 'a']],
    [['diff', 'a', 'b', 'c']],
    [['diff', '--manifests', 'm/', 'a', 'b']],
    [['diff', '--node-ip', '10.0.0.1', 'a', 'b']],
    [['diff', '--color', 'sometimes', 'a', 'b']],
    [['trace', '--rules', 'r', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', '--rules', 'r', '--masquerade-all', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', 'm/', '--ip-family', 'ipv6', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', 'm/', '--src', 'x', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1']],
  ])('%j is a usage error', (argv) => {
    expect(() => parse(argv)).toThrow(UsageError);
  });

  it('keeps the main command\'s options positional: flags after a sub-command belong to it', () => {
    const r = parse(['diff', '--manifests', 'm/', '--cluster-cidr', '10.0.0.0/8', 'b']);
    expect(r.kind).toBe('command');
    expect(parse(['--cluster-cidr', '10.0.0.0/8', 'examples/'])).toMatchObject({ kind: 'generate', options: { clusterCIDRs: ['10.0.0.0/8'] } });
  });
});

describe('diff colours', () => {
  const a = 'fixtures/core/clusterip-basic/expected.rules';
  const b = 'fixtures/core/multi-port/expected.rules';
  it('colours with --color always, not when stdout is not a terminal, not with --color never', async () => {
    expect((await runKpGen(['diff', '--color', 'always', a, b])).stdout).toContain('\u001b[');
    expect((await runKpGen(['diff', a, b])).stdout).not.toContain('\u001b[');
    expect((await runKpGen(['diff', '--color', 'never', a, b], '', { stdoutIsTTY: true })).stdout).not.toContain('\u001b[');
  });
});
