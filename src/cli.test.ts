import { describe, expect, it } from 'vitest';
import { parseArgs } from './cli.js';
import { UsageError } from './errors.js';
import { defaultRunOptions, type RunOptions } from './options.js';

function parse(argv: string[]): RunOptions {
  const r = parseArgs(argv, { out: () => {} });
  if (r.kind !== 'generate') throw new Error('expected options');
  return r.options;
}

describe('CLI wiring: argv → RunOptions', () => {
  const d = defaultRunOptions();
  it.each<[string[], Partial<RunOptions>]>([
    [['dir'], { paths: ['dir'] }],
    [['a.yaml', '-', 'b/'], { paths: ['a.yaml', '-', 'b/'] }],
    [['--hostname-override', 'Node-1', 'x'], { hostnameOverride: 'Node-1' }],
    [['--node-ip', '10.0.0.1', '--node-ip', 'fd00::1', 'x'], { nodeIPs: ['10.0.0.1', 'fd00::1'] }],
    [['--node-ip', '10.0.0.1,fd00::1', 'x'], { nodeIPs: ['10.0.0.1', 'fd00::1'] }],
    [['--node-addresses', '127.0.0.1,10.0.0.1', 'x'], { nodeAddresses: ['127.0.0.1', '10.0.0.1'] }],
    [['--cluster-cidr', '10.244.0.0/16,fd00:10::/64', 'x'], { clusterCIDRs: ['10.244.0.0/16', 'fd00:10::/64'] }],
    [['--detect-local-mode', 'NodeCIDR', '--pod-cidr', '10.244.1.0/24', 'x'], { detectLocalMode: 'NodeCIDR', podCIDRs: ['10.244.1.0/24'] }],
    [['--detect-local-mode', 'BridgeInterface', '--pod-bridge-interface', 'cbr0', 'x'], { detectLocalMode: 'BridgeInterface', podBridgeInterface: 'cbr0' }],
    [['--detect-local-mode', 'InterfaceNamePrefix', '--pod-interface-name-prefix', 'veth', 'x'], { detectLocalMode: 'InterfaceNamePrefix', podInterfaceNamePrefix: 'veth' }],
    [['--masquerade-all', 'x'], { masqueradeAll: true }],
    [['--iptables-masquerade-bit', '5', 'x'], { masqueradeBit: 5 }],
    [['--iptables-masquerade-mark', '0x4000', 'x'], { masqueradeMark: '0x4000' }],
    [['--nodeport-addresses', '192.168.0.0/24', 'x'], { nodePortAddresses: ['192.168.0.0/24'] }],
    [['--no-localhost-nodeports', 'x'], { localhostNodePorts: false }],
    [['--ip-family', 'ipv6', 'x'], { ipFamily: 'ipv6' }],
    [['--iptables-version', '1.6.1', 'x'], { iptablesVersion: '1.6.1' }],
    [['--nfacct-counters', 'none', 'x'], { nfacctCounters: [] }],
    [['--nfacct-counters', 'ct_state_invalid_dropped_pkts', 'x'], { nfacctCounters: ['ct_state_invalid_dropped_pkts'] }],
    [['--conntrack-tcp-be-liberal', 'x'], { conntrackTCPBeLiberal: true }],
    [['--node-zone', 'zone-a', 'x'], { nodeZone: 'zone-a' }],
    [['--feature-gates', 'PreferSameTrafficDistribution=false', 'x'], { featureGates: { PreferSameTrafficDistribution: false } }],
    [['-o', 'out.rules', 'x'], { output: 'out.rules' }],
    [['--output', 'out.rules', 'x'], { output: 'out.rules' }],
    [['--strict', '-q', 'x'], { strict: true, quiet: true }],
    [['--include-jumps', 'x'], { includeJumps: true }],
    [
      ['--config', 'fixtures/features/kube-proxy-config/kube-proxy.yaml', '--iptables-masquerade-bit', '13', 'x'],
      { clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'], localhostNodePorts: false, conntrackTCPBeLiberal: true, masqueradeBit: 13 },
    ],
    [['--format', 'restore', 'x'], { format: 'restore' }],
    [['--format', 'save', 'x'], { format: 'save' }],
    [['--format', 'save', '--save-backend', 'legacy', 'x'], { format: 'save', saveBackend: 'legacy' }],
    [['--save-backend', 'nft', 'x'], { saveBackend: 'nft' }],
    [['--from-cluster', 'x'], { cluster: { namespaces: [], requestTimeoutMs: 30_000 } }],
    [
      ['--from-cluster', '--kubeconfig', 'kc', '--context', 'prod', '-n', 'a', '--namespace', 'b,c', '--node', 'n1', '--save-manifests', 'out', '--request-timeout', '1m', 'x'],
      { cluster: { kubeconfig: 'kc', context: 'prod', namespaces: ['a', 'b', 'c'], node: 'n1', saveManifests: 'out', requestTimeoutMs: 60_000 } },
    ],
    [['--from-cluster', '-n', 'a', '-n', 'a', 'x'], { cluster: { namespaces: ['a'], requestTimeoutMs: 30_000 } }],
    [['--from-cluster', '--request-timeout', '0', 'x'], { cluster: { namespaces: [], requestTimeoutMs: 0 } }],
    [['--from-cluster', '--request-timeout', '250ms', 'x'], { cluster: { namespaces: [], requestTimeoutMs: 250 } }],
  ])('%j', (argv, expected) => {
    const o = parse(argv);
    const want: RunOptions = { ...d, paths: ['x'], ...expected };
    expect(o).toEqual(want);
  });

  it.each([
    [['--no-such-flag', 'x'], /unknown option '--no-such-flag'/],
    [['--ip-family', 'ipv5', 'x'], /ipv5.*invalid/i],
    [['--iptables-masquerade-bit', 'fourteen', 'x'], /not an integer/],
    [['--feature-gates', 'Foo', 'x'], /Name=true\|false/],
    [['--hostname-override'], /argument missing/],
    [['--format', 'iptables', 'x'], /iptables.*invalid/i],
    [['--save-backend', 'both', 'x'], /both.*invalid/i],
    [['--node', 'n1', 'x'], /--node needs --from-cluster/],
    [['--from-cluster', '--request-timeout', 'soon', 'x'], /not a duration/],
  ])('rejects %j as a usage error', (argv, message) => {
    expect(() => parseArgs(argv, { out: () => {} })).toThrow(UsageError);
    expect(() => parseArgs(argv, { out: () => {} })).toThrow(message);
  });

  it('prints help and exits 0', () => {
    let out = '';
    const r = parseArgs(['--help'], { out: (s) => (out += s) });
    expect(r).toEqual({ kind: 'exit', code: 0 });
    expect(out).toContain('Usage: kp-gen');
    expect(out).toContain('--hostname-override');
  });
});
