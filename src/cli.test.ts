import { describe, expect, it } from 'vitest';
import { parseArgs } from './cli.js';
import { UsageError, UserError } from './errors.js';
import { parseCIDR } from './model/ip.js';
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
    [['--kube-proxy-version', '1.28', 'x'], { kubeProxyVersion: '1.28' }],
    [['--kube-proxy-version', 'v1.30.2', 'x'], { kubeProxyVersion: 'v1.30.2' }],
    [['-o', 'out.rules', 'x'], { output: 'out.rules' }],
    [['--output', 'out.rules', 'x'], { output: 'out.rules' }],
    [['--strict', '-q', 'x'], { strict: true, quiet: true }],
    [['--include-jumps', 'x'], { includeJumps: true }],
    [['--service-cluster-ip-range', 'fd00:10:96::/108,10.0.0.0/16', 'x'], { serviceClusterIPRange: [parseCIDR('fd00:10:96::/108')!, parseCIDR('10.0.0.0/16')!] }],
    [['--service-node-port-range', '20000-20999', 'x'], { serviceNodePortRange: { first: 20000, last: 20999 } }],
    [['--nodes', 'node-a, node-b', '--nodes', 'node-c,node-a', 'x'], { nodes: ['node-a', 'node-b', 'node-c'] }],
    [
      ['--config', 'fixtures/features/kube-proxy-config/kube-proxy.yaml', '--iptables-masquerade-bit', '13', 'x'],
      { clusterCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'], localhostNodePorts: false, conntrackTCPBeLiberal: true, masqueradeBit: 13 },
    ],
    [['--service', 'demo/web', '--service', 'demo/api:https', 'x'], { select: { services: [{ namespace: 'demo', name: 'web' }, { namespace: 'demo', name: 'api', port: 'https' }], namespaces: [] } }],
    [['-n', 'a,b', '--namespace', 'a', 'x'], { select: { services: [], namespaces: ['a', 'b'] } }],
    [['--from-cluster', '-n', 'a', 'x'], { cluster: { namespaces: ['a'], requestTimeoutMs: 30_000 }, select: { services: [], namespaces: ['a'] } }],
    [['--format', 'restore', 'x'], { format: 'restore' }],
    [['--format', 'save', 'x'], { format: 'save' }],
    [['--format', 'save', '--save-backend', 'legacy', 'x'], { format: 'save', saveBackend: 'legacy' }],
    [['--from-cluster', 'x'], { cluster: { namespaces: [], requestTimeoutMs: 30_000 } }],
    [
      ['--from-cluster', '--kubeconfig', 'kc', '--context', 'prod', '-n', 'a', '--namespace', 'b,c', '--node', 'n1', '--save-manifests', 'out', '--request-timeout', '1m', 'x'],
      { cluster: { kubeconfig: 'kc', context: 'prod', namespaces: ['a', 'b', 'c'], node: 'n1', saveManifests: 'out', requestTimeoutMs: 60_000 }, select: { services: [], namespaces: ['a', 'b', 'c'] } },
    ],
    [['--from-cluster', '-n', 'a', '-n', 'a', 'x'], { cluster: { namespaces: ['a'], requestTimeoutMs: 30_000 }, select: { services: [], namespaces: ['a'] } }],
    [['--from-cluster', '--request-timeout', '0', 'x'], { cluster: { namespaces: [], requestTimeoutMs: 0 } }],
    [['--from-cluster', '--request-timeout', '250ms', 'x'], { cluster: { namespaces: [], requestTimeoutMs: 250 } }],
  ])('%j', (argv, expected) => {
    const o = parse(argv);
    const want: RunOptions = { ...d, paths: ['x'], ...expected };
    expect(o).toEqual(want);
  });

  it.each([
    [['--no-such-flag', 'x'], /unknown option '--no-such-flag'/],
    [['--hostname-override'], /argument missing/],
    [['--node', 'n1', 'x'], /--node needs --from-cluster/],
    [['--node', 'n1', '--request-timeout', 'soon', 'x'], /--node needs --from-cluster/],
    [['--save-backend', 'nft', 'x'], /--save-backend only applies to --format save/],
  ])('rejects %j as a usage error', (argv, message) => {
    expect(() => parseArgs(argv, { out: () => {} })).toThrow(UsageError);
    expect(() => parseArgs(argv, { out: () => {} })).toThrow(message);
  });

  /** Every flag with a value kp-gen checks: a value it refuses, and the one-line message (exit 1). */
  const BAD_VALUES: [string[], string][] = [
    [['--nodes', 'node-1,Node_2'], '--nodes: "Node_2" is not a node name (lower-case letters, digits, - and ., at most 253)'],
    [['--node-ip', '10.0.0.1,10.0.0.300'], '--node-ip: "10.0.0.300" is not an IP address'],
    [['-n', 'shop,Shop'], '--namespace: "Shop" is not a namespace name (lower-case letters, digits and -, at most 63)'],
    [['--from-cluster', '-n', 'a.b'], '--namespace: "a.b" is not a namespace name (lower-case letters, digits and -, at most 63)'],
    [['--from-cluster', '--node', 'Node_1'], '--node: "Node_1" is not a node name (lower-case letters, digits, - and ., at most 253)'],
    [['--node-addresses', 'eth0'], '--node-addresses: "eth0" is not an IP address'],
    [['--cluster-cidr', '10.244.0.0/16,fd00::/129'], '--cluster-cidr: "fd00::/129" is not a CIDR'],
    [['--cluster-cidr', '10.244.0.0'], '--cluster-cidr: "10.244.0.0" is not a CIDR'],
    [['--detect-local-mode', 'PodCIDR'], '--detect-local-mode: "PodCIDR" is not ClusterCIDR, NodeCIDR, BridgeInterface or InterfaceNamePrefix'],
    [['--pod-cidr', '10.244.1.0/33'], '--pod-cidr: "10.244.1.0/33" is not a CIDR'],
    [['--pod-bridge-interface', 'a-very-long-bridge'], '--pod-bridge-interface: "a-very-long-bridge" is not an interface name (1 to 15 characters; no spaces, quotes, slashes or colons)'],
    [['--pod-bridge-interface', 'br 0'], '--pod-bridge-interface: "br 0" is not an interface name (1 to 15 characters; no spaces, quotes, slashes or colons)'],
    [['--pod-interface-name-prefix', 'fifteen-chars-x'], '--pod-interface-name-prefix: "fifteen-chars-x" is not an interface name prefix (1 to 14 characters; no spaces, quotes, slashes or colons)'],
    [['--iptables-masquerade-bit', 'fourteen'], '--iptables-masquerade-bit: "fourteen" is not an integer between 0 and 31'],
    [['--iptables-masquerade-bit', '32'], '--iptables-masquerade-bit: "32" is not an integer between 0 and 31'],
    [['--iptables-masquerade-bit', '-1'], '--iptables-masquerade-bit: "-1" is not an integer between 0 and 31'],
    [['--iptables-masquerade-mark', 'foo'], '--iptables-masquerade-mark: "foo" is not a 32-bit number (decimal, 0x hex or 0-prefixed octal)'],
    [['--iptables-masquerade-mark', '0x100000000'], '--iptables-masquerade-mark: "0x100000000" is not a 32-bit number (decimal, 0x hex or 0-prefixed octal)'],
    [['--iptables-masquerade-mark', '0x4000/0x4000'], '--iptables-masquerade-mark: "0x4000/0x4000" is not a 32-bit number (decimal, 0x hex or 0-prefixed octal)'],
    [['--iptables-masquerade-mark', '09'], '--iptables-masquerade-mark: "09" is not a 32-bit number (decimal, 0x hex or 0-prefixed octal)'],
    [['--nodeport-addresses', '192.168.0.0/24,primary'], '--nodeport-addresses: "primary" cannot be combined with CIDRs'],
    [['--nodeport-addresses', '192.168.0.1'], '--nodeport-addresses: "192.168.0.1" is not a CIDR'],
    [['--ip-family', 'ipv5'], '--ip-family: "ipv5" is not ipv4 or ipv6'],
    [['--iptables-version', 'latest'], '--iptables-version: "latest" is not a version like 1.8.9'],
    [['--nfacct-counters', 'none,ct_state_invalid_dropped_pkts'], '--nfacct-counters: "none" is not ct_state_invalid_dropped_pkts, localhost_nps_accepted_pkts or none'],
    [['--nfacct-counters', 'drops'], '--nfacct-counters: "drops" is not ct_state_invalid_dropped_pkts, localhost_nps_accepted_pkts or none'],
    [['--feature-gates', 'Foo'], '--feature-gates: "Foo" is not Name=true or Name=false'],
    [['--feature-gates', 'Foo=yes'], '--feature-gates: "Foo=yes" is not Name=true or Name=false'],
    [['--format', 'iptables'], '--format: "iptables" is not restore or save'],
    [['--format', 'save', '--save-backend', 'both'], '--save-backend: "both" is not nft or legacy'],
    [['--from-cluster', '--request-timeout', 'soon'], '--request-timeout: "soon" is not a duration like 30s or 1m'],
    [['--request-timeout', '5 s'], '--request-timeout: "5 s" is not a duration like 30s or 1m'],
    [['--service-cluster-ip-range', '10.96.0.0/33'], '--service-cluster-ip-range: "10.96.0.0/33" is not a CIDR'],
    [['--service-cluster-ip-range', '10.96.0.0/12,10.100.0.0/16'], '--service-cluster-ip-range: "10.96.0.0/12,10.100.0.0/16" is not one CIDR, or two of different IP families'],
    [['--service-cluster-ip-range', '10.96.0.0/12,fd00::/108,10.100.0.0/16'], '--service-cluster-ip-range: "10.96.0.0/12,fd00::/108,10.100.0.0/16" is not one CIDR, or two of different IP families'],
    [['--service-cluster-ip-range', ','], '--service-cluster-ip-range: "" is not one CIDR, or two of different IP families'],
    [['--service-cluster-ip-range', 'fd00::/48'], '--service-cluster-ip-range: "fd00::/48" is not an IPv6 CIDR of /64 or longer'],
    [['--service-cluster-ip-range', '10.96.0.0/31'], '--service-cluster-ip-range: "10.96.0.0/31" is not a CIDR with an address to allocate'],
    [['--service-node-port-range', '32767-30000'], '--service-node-port-range: "32767-30000" is not a port range like 30000-32767 (A-B, A+N or one port, within 1-65535)'],
    [['--service-node-port-range', '0-100'], '--service-node-port-range: "0-100" is not a port range like 30000-32767 (A-B, A+N or one port, within 1-65535)'],
    [['--service-node-port-range', '30000+40000'], '--service-node-port-range: "30000+40000" is not a port range like 30000-32767 (A-B, A+N or one port, within 1-65535)'],
    [['--service-node-port-range', '30000-'], '--service-node-port-range: "30000-" is not a port range like 30000-32767 (A-B, A+N or one port, within 1-65535)'],
  ];

  it('refuses a --service whose name no Service can have, as the API server words it', () => {
    const read = (): unknown => parseArgs(['--service', 'shop/web.v2', 'x'], { out: () => {} });
    expect(read).toThrow(
      new UserError(
        `--service: "shop/web.v2": Service name "web.v2" is not a valid name: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`,
        'write NAMESPACE/NAME or NAMESPACE/NAME:PORT, e.g. default/web:http',
      ),
    );
  });

  it.each(BAD_VALUES)('refuses %j: %s', (flags, message) => {
    const read = (): unknown => parseArgs([...flags, 'x'], { out: () => {} });
    expect(read).toThrow(UserError);
    expect(read).not.toThrow(UsageError);
    expect(read).toThrow(new UserError(message));
  });

  it.each([
    [['--iptables-version', '1.8'], { iptablesVersion: '1.8' }],
    [['--iptables-version', 'v1.6.2'], { iptablesVersion: 'v1.6.2' }],
    [['--iptables-masquerade-mark', '16384'], { masqueradeMark: '16384' }],
    [['--iptables-masquerade-mark', '040000'], { masqueradeMark: '040000' }],
    [['--iptables-masquerade-mark', '0xffffffff'], { masqueradeMark: '0xffffffff' }],
    [['--iptables-masquerade-bit', '0'], { masqueradeBit: 0 }],
    [['--iptables-masquerade-bit', '31'], { masqueradeBit: 31 }],
    [['--nodeport-addresses', 'primary'], { nodePortAddresses: ['primary'] }],
    [['--nodeport-addresses', '127.0.0.0/8,fd00::/64'], { nodePortAddresses: ['127.0.0.0/8', 'fd00::/64'] }],
    [['--pod-bridge-interface', 'fifteen-chars-x'], { podBridgeInterface: 'fifteen-chars-x' }],
    [['--pod-interface-name-prefix', 'fourteen-chars'], { podInterfaceNamePrefix: 'fourteen-chars' }],
    [['--feature-gates', 'A=TRUE,B=false', '--feature-gates', 'A=false'], { featureGates: { A: false, B: false } }],
    [['--request-timeout', '1.5h'], {}],
    [['--service-cluster-ip-range', '10.96.0.1/12'], {}],
    [['--service-cluster-ip-range', 'fd00::/64'], { serviceClusterIPRange: [parseCIDR('fd00::/64')!] }],
    [['--service-node-port-range', '30000+2767'], {}],
    [['--service-node-port-range', ' 30000-32767 '], {}],
    [['--service-node-port-range', '8080'], { serviceNodePortRange: { first: 8080, last: 8080 } }],
  ])('accepts %j', (flags, expected) => {
    expect(parse([...flags, 'x'])).toEqual({ ...defaultRunOptions(), paths: ['x'], ...expected });
  });

  it.each([
    [['--kube-proxy-version', '1.9'], '--kube-proxy-version: kube-proxy 1.9 is not supported: kp-gen models 1.10 … 1.34'],
    [['--kube-proxy-version', '1.35'], '--kube-proxy-version: kube-proxy 1.35 is not supported: kp-gen models 1.10 … 1.34'],
    [['--kube-proxy-version', 'latest'], '--kube-proxy-version: "latest" is not a kube-proxy version (kp-gen models 1.10 … 1.34)'],
  ])('refuses %j as a usage error: %s', (flags, message) => {
    const read = (): unknown => parseArgs([...flags, 'x'], { out: () => {} });
    expect(read).toThrow(UsageError);
    expect(read).toThrow(message);
  });

  it('prints its version and the kube-proxy releases it models', () => {
    let out = '';
    expect(parseArgs(['--version'], { out: (o) => (out += o) })).toEqual({ kind: 'exit', code: 0 });
    expect(out).toMatch(/^kp-gen \d+\.\d+\.\d+\nkube-proxy releases: 1\.10 … 1\.34 \(--kube-proxy-version; default 1\.34\)\n$/);
  });

  it('prints help and exits 0', () => {
    let out = '';
    const r = parseArgs(['--help'], { out: (s) => (out += s) });
    expect(r).toEqual({ kind: 'exit', code: 0 });
    expect(out).toContain('Usage: kp-gen');
    expect(out).toContain('--hostname-override');
  });
});
