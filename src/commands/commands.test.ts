import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, parseArgs } from '../cli.js';
import { UsageError, UserError } from '../errors.js';
import { parseIP, type IP } from '../model/ip.js';
import { defaultRunOptions, type RunOptions } from '../options.js';
import type { PacketSpec } from './trace/index.js';
import { runKpGen } from '../../test/helpers/cli.js';
import type { CommandOptions } from './index.js';

const parse = (argv: string[]) => parseArgs(argv, { out: () => {} });

const ip = (text: string): IP => parseIP(text)!;
const gen = (o: Partial<RunOptions>): RunOptions => ({ ...defaultRunOptions(), ...o });
const packet = (o: Partial<PacketSpec> = {}): PacketSpec => ({
  protocol: 'tcp',
  protocolGiven: false,
  src: ip('1.2.3.4'),
  dst: ip('10.0.0.1'),
  sport: 40000,
  dport: 80,
  from: 'external',
  ...o,
});
const PACKET_FLAGS = ['--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80'];
const LAB = { name: 'lab', stateDir: '/run/kp-gen-lab' };
const HOST = { dryRun: false, stateDir: '/run/kp-gen' };
/** A KubeProxyConfiguration (masqueradeBit 15), and what it sets; flags on the command line win. */
const KUBE_PROXY_CONFIG = 'fixtures/features/kube-proxy-config/kube-proxy.yaml';
const FROM_CONFIG: Partial<RunOptions> = { clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'], localhostNodePorts: false, conntrackTCPBeLiberal: true, masqueradeBit: 15 };

/** argv → the parsed command: at least one case for every command and sub-command. */
const CASES: [string[], CommandOptions][] = [
  [['diff', '--stat', '--format', 'text', 'a', 'b'], { name: 'diff', options: { dumps: ['a', 'b'], json: false, color: 'auto', stat: true, format: 'text' } }],
  [['diff', '--format', 'unified', 'a', 'b'], { name: 'diff', options: { dumps: ['a', 'b'], json: false, color: 'auto', stat: false, format: 'unified' } }],
  [['diff', 'a', 'b'], { name: 'diff', options: { dumps: ['a', 'b'], json: false, color: 'auto', stat: false, format: 'text' } }],
  [['diff', '--json', '--color', 'never', 'a', '-'], { name: 'diff', options: { dumps: ['a', '-'], json: true, color: 'never', stat: false, format: 'text' } }],
  [
    ['diff', '--manifests', 'm/', '--manifests', 'n.yaml', '--cluster-cidr', '10.0.0.0/8', '--masquerade-all', 'b'],
    { name: 'diff', options: { dumps: ['b'], json: false, color: 'auto', stat: false, format: 'text', gen: gen({ paths: ['m/', 'n.yaml'], clusterCIDRs: ['10.0.0.0/8'], masqueradeAll: true }) } },
  ],
  [
    ['diff', '--manifests', 'm/', '--config', KUBE_PROXY_CONFIG, '--iptables-masquerade-bit', '13', 'b'],
    { name: 'diff', options: { dumps: ['b'], json: false, color: 'auto', stat: false, format: 'text', gen: gen({ paths: ['m/'], ...FROM_CONFIG, masqueradeBit: 13 }) } },
  ],
  [['trace', '--rules', 'r', ...PACKET_FLAGS], { name: 'trace', options: { rules: 'r', packet: packet(), localAddresses: [], json: false, brief: false, explain: false } }],
  [
    ['trace', '--rules', '-', '--node-ip', '10.0.0.9', '--node-addresses', '127.0.0.1,10.0.0.9', '--json', ...PACKET_FLAGS, '--sport', '5000'],
    { name: 'trace', options: { rules: '-', packet: packet({ sport: 5000 }), localAddresses: [ip('10.0.0.9'), ip('127.0.0.1'), ip('10.0.0.9')], json: true, brief: false, explain: false } },
  ],
  [
    ['trace', '--node-ip', '10.0.0.9', 'm/', ...PACKET_FLAGS, '--proto', 'udp', '--from', 'pod', '--in-interface', 'eth0', '--out-interface', 'cni0'],
    {
      name: 'trace',
      options: {
        gen: gen({ paths: ['m/'], nodeIPs: ['10.0.0.9'], includeJumps: true }),
        packet: packet({ protocol: 'udp', protocolGiven: true, from: 'pod', inInterface: 'eth0', outInterface: 'cni0' }),
        localAddresses: [ip('10.0.0.9')],
        json: false,
        brief: false, explain: false,
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
        localAddresses: [],
        json: false,
        brief: false, explain: false,
      },
    },
  ],
  [
    ['trace', '--config', KUBE_PROXY_CONFIG, '--iptables-masquerade-bit', '13', 'm/', ...PACKET_FLAGS],
    {
      name: 'trace',
      options: { gen: gen({ paths: ['m/'], ...FROM_CONFIG, masqueradeBit: 13, includeJumps: true }), packet: packet(), localAddresses: [], json: false, brief: false, explain: false },
    },
  ],
  [['diff', '--service', 'demo/web:80', '-n', 'kube-system', 'a', 'b'], { name: 'diff', options: { dumps: ['a', 'b'], json: false, color: 'auto', stat: false, format: 'text', select: { services: [{ namespace: 'demo', name: 'web', port: '80' }], namespaces: ['kube-system'] } } }],
  [
    ['trace', '--rules', 'r', '--service', 'demo/web', ...PACKET_FLAGS],
    { name: 'trace', options: { rules: 'r', packet: packet(), localAddresses: [], json: false, brief: false, explain: false, select: { services: [{ namespace: 'demo', name: 'web' }], namespaces: [] } } },
  ],
  [['ls', '--rules', 'node.save'], { name: 'ls', options: { rules: 'node.save', format: 'table' } }],
  [
    ['ls', '--cluster-cidr', '10.0.0.0/8', 'm/', '--format', 'yaml', '--chain', 'KUBE-SEP-X', '-o', 'out.yaml', '-n', 'a,b'],
    { name: 'ls', options: { gen: gen({ paths: ['m/'], clusterCIDRs: ['10.0.0.0/8'] }), format: 'yaml', chain: 'KUBE-SEP-X', output: 'out.yaml', select: { services: [], namespaces: ['a', 'b'] } } },
  ],
  [['graph', 'm/'], { name: 'graph', options: { gen: gen({ paths: ['m/'] }), format: 'mermaid' } }],
  [['graph', '--rules', '-', '--service', 'a/b', '-o', 'web.SVG'], { name: 'graph', options: { rules: '-', format: 'svg', output: 'web.SVG', select: { services: [{ namespace: 'a', name: 'b' }], namespaces: [] } } }],
  [['graph', '--rules', 'r', '--format', 'dot', '-o', 'web.svg'], { name: 'graph', options: { rules: 'r', format: 'dot', output: 'web.svg' } }],
  [['graph', '--rules', 'r', '-o', 'web.txt'], { name: 'graph', options: { rules: 'r', format: 'mermaid', output: 'web.txt' } }],
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
  [['apply', 'm/'], { name: 'apply', options: { ...HOST, run: gen({ paths: ['m/'] }), routeLocalnet: false, ipForward: false } }],
  [
    ['apply', '--dry-run', '--iptables-backend', 'legacy', '--state-dir', '/tmp/kp', '--route-localnet', '--ip-forward', '--cluster-cidr', '10.244.0.0/16', 'm/', '-'],
    {
      name: 'apply',
      options: { dryRun: true, backend: 'legacy', stateDir: '/tmp/kp', run: gen({ paths: ['m/', '-'], clusterCIDRs: ['10.244.0.0/16'] }), routeLocalnet: true, ipForward: true },
    },
  ],
  [['cleanup'], { name: 'cleanup', options: HOST }],
  [['cleanup', '--dry-run', '--iptables-backend', 'nft'], { name: 'cleanup', options: { ...HOST, dryRun: true, backend: 'nft' } }],
  [['lab', 'down'], { name: 'lab down', options: LAB }],
  [['lab', 'down', '--state-dir', '/tmp/labs'], { name: 'lab down', options: { name: 'lab', stateDir: '/tmp/labs' } }],
  [['lab', 'list'], { name: 'lab list', options: { stateDir: LAB.stateDir } }],
  [['lab', 'list', '--state-dir', '/tmp/labs', '--color', 'never'], { name: 'lab list', options: { stateDir: '/tmp/labs' } }],
];

describe('sub-command wiring: argv → options (nothing runs)', () => {
  it.each(CASES)('%j', (argv, expected) => {
    expect(parse(argv)).toStrictEqual({ kind: 'command', ...expected });
  });

  it('has a case for every command and sub-command', () => {
    const leaves = (c: Command, prefix: string): string[] =>
      c.commands.length === 0 ? [prefix] : c.commands.flatMap((sub) => leaves(sub, `${prefix} ${sub.name()}`));
    // `completion` prints a script made from the declarations themselves (cli-docs.test.ts).
    const declared = buildProgram(() => {})
      .commands.filter((c) => c.name() !== 'completion')
      .flatMap((c) => leaves(c, c.name()));
    expect(declared.length).toBeGreaterThanOrEqual(5);
    expect([...new Set(CASES.map(([, c]) => c.name))].sort()).toEqual(declared.sort());
  });

  it.each([
    [['diff', 'a']],
    [['diff', 'a', 'b', 'c']],
    [['diff', '--manifests', 'm/', 'a', 'b']],
    [['diff', '--node-ip', '10.0.0.1', 'a', 'b']],
    [['trace', '--rules', 'r', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', '--rules', 'r', '--masquerade-all', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', 'm/', '--ip-family', 'ipv6', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
    [['trace', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1']],
    [['trace', 'm/', '--src', '1.2.3.4', '--dst', 'fd00::1', '--dport', '80']],
    [['lab', 'probe', '10.96.0.1']],
    [['apply']],
    [['cleanup', 'm/']],
    [['apply', '--route-localnet', '--ip-family', 'ipv6', 'm/']],
    [['apply', '--include-jumps', 'm/']],
  ])('%j is a usage error', (argv) => {
    expect(() => parse(argv)).toThrow(UsageError);
  });

  it.each([
    [['trace', 'm/', '--src', 'x', ...PACKET_FLAGS.slice(2)], '--src: "x" is not an IP address'],
    [['trace', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1/32', '--dport', '80'], '--dst: "10.0.0.1/32" is not an IP address, IP:PORT ([IPv6]:PORT) or a Service NS/NAME[:PORT]'],
    [['trace', 'm/', ...PACKET_FLAGS.slice(0, 4), '--dport', '70000'], '--dport: "70000" is not a port (0-65535)'],
    [['trace', 'm/', ...PACKET_FLAGS, '--sport', 'any'], '--sport: "any" is not a port (0-65535)'],
    [['trace', 'm/', ...PACKET_FLAGS, '--proto', 'icmp'], '--proto: "icmp" is not tcp, udp or sctp'],
    [['trace', 'm/', ...PACKET_FLAGS, '--from', 'nowhere'], '--from: "nowhere" is not external, pod or node'],
    [['trace', 'm/', ...PACKET_FLAGS, '--in-interface', 'eth0:1'], '--in-interface: "eth0:1" is not an interface name (1 to 15 characters; no spaces, quotes, slashes or colons)'],
    [['trace', 'm/', ...PACKET_FLAGS, '--out-interface', ''], '--out-interface: "" is not an interface name (1 to 15 characters; no spaces, quotes, slashes or colons)'],
    [['trace', '--rules', 'r', '--node-ip', 'not-an-ip', ...PACKET_FLAGS], '--node-ip: "not-an-ip" is not an IP address'],
    [['trace', 'm/', '--iptables-masquerade-mark', 'foo', ...PACKET_FLAGS], '--iptables-masquerade-mark: "foo" is not a 32-bit number (decimal, 0x hex or 0-prefixed octal)'],
    [['lab', 'up', '--client-ip', '192.0.2.300', 'm/'], '--client-ip: "192.0.2.300" is not an IP address'],
    [['lab', 'up', '--cluster-cidr', 'pods', 'm/'], '--cluster-cidr: "pods" is not a CIDR'],
    [['lab', 'probe', '--count', 'x', '10.96.0.1:80'], '--count: "x" is not an integer'],
    [['lab', 'probe', '--timeout', '1s', '10.96.0.1:80'], '--timeout: "1s" is not an integer'],
    [['lab', 'probe', '--source', 'client', '10.96.0.1:80'], '--source: "client" is not an IP address'],
    [['apply', '--iptables-backend', 'iptables', 'm/'], '--iptables-backend: "iptables" is not nft or legacy'],
    [['apply', '--ip-family', 'ipv5', 'm/'], '--ip-family: "ipv5" is not ipv4 or ipv6'],
  ])('%j: a bad value, exit 1: %s', (argv, message) => {
    expect(() => parse(argv)).toThrow(new UserError(message));
    expect(() => parse(argv)).not.toThrow(UsageError);
  });

  it.each([
    [['diff', '--color', 'sometimes', 'a', 'b'], '--color: "sometimes" is not auto, always or never'],
    [['diff', '--manifests', 'm/', '--iptables-masquerade-mark', 'foo', 'b'], '--iptables-masquerade-mark: "foo" is not a 32-bit number (decimal, 0x hex or 0-prefixed octal)'],
    [['diff', '--manifests', 'm/', '--config', 'fixtures/_error_/kube-proxy-config-ipvs/kube-proxy.yaml', 'b'], /KubeProxyConfiguration: mode: "ipvs"/],
  ])('%j: a bad value is trouble for diff, exit 2 as diff(1): %s', (argv, message) => {
    expect(() => parse(argv)).toThrow(UsageError);
    expect(() => parse(argv)).toThrow(typeof message === 'string' ? new UsageError(message, 'run kp-gen diff --help for usage') : message);
  });

  it.each([
    [['diff', 'a'], 'kp-gen diff'],
    [['diff', '--nope', 'a', 'b'], 'kp-gen diff'],
    [['trace', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1'], 'kp-gen trace'],
    [['trace', '--rules', 'r', 'm/', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80'], 'kp-gen trace'],
    [['lab', 'up', '--bogus', 'm/'], 'kp-gen lab up'],
    [['lab', 'probe', '10.96.0.1'], 'kp-gen lab probe'],
    [['lab', 'list', 'extra'], 'kp-gen lab list'],
    [['--bogus', 'm/'], 'kp-gen'],
  ])('%j: the usage hint names %s --help', (argv, command) => {
    let err: unknown;
    try {
      parse(argv);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).hint).toBe(`run ${command} --help for usage`);
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
