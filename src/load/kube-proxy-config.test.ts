import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { defaultRunOptions, type RunOptions } from '../options.js';
import { applyKubeProxyConfig } from './kube-proxy-config.js';

const dir = mkdtempSync(join(tmpdir(), 'kp-gen-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** The RunOptions a configuration with `body` (YAML after the header) gives, no flag given. */
function read(body: string): RunOptions {
  const file = join(dir, `config-${files++}.yaml`);
  writeFileSync(file, `apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n${body}\n`);
  const o = defaultRunOptions();
  applyKubeProxyConfig(o, file, () => false);
  return o;
}

describe('KubeProxyConfiguration values, checked as they are read', () => {
  it.each<[string, Partial<RunOptions>]>([
    ['bindAddress: 192.168.1.10', { nodeIPs: ['192.168.1.10'] }],
    ['bindAddress: 0.0.0.0', {}],
    ['clusterCIDR: " 10.244.0.0/16 , fd00:10::/64"', { clusterCIDRs: ['10.244.0.0/16', 'fd00:10::/64'] }],
    ['detectLocalMode: BridgeInterface\ndetectLocal: {bridgeInterface: cbr0}', { detectLocalMode: 'BridgeInterface', podBridgeInterface: 'cbr0' }],
    ['detectLocal: {interfaceNamePrefix: veth}', { podInterfaceNamePrefix: 'veth' }],
    ['iptables: {masqueradeBit: 0}', { masqueradeBit: 0 }],
    ['nodePortAddresses: [primary]', { nodePortAddresses: ['primary'] }],
    ['nodePortAddresses: [127.0.0.0/8, "::1/128"]', { nodePortAddresses: ['127.0.0.0/8', '::1/128'] }],
  ])('%s', (body, expected) => {
    expect(read(body)).toEqual({ ...defaultRunOptions(), ...expected });
  });

  it.each([
    ['bindAddress: node-1', 'bindAddress: "node-1" is not an IP address'],
    ['clusterCIDR: 10.244.0.0/16,10.245.0.0', 'clusterCIDR: "10.245.0.0" is not a CIDR'],
    ['detectLocalMode: PodCIDR', 'detectLocalMode: "PodCIDR" is not ClusterCIDR, NodeCIDR, BridgeInterface or InterfaceNamePrefix'],
    ['detectLocal: {bridgeInterface: "br 0"}', 'detectLocal.bridgeInterface: "br 0" is not an interface name (1 to 15 characters; no spaces, quotes, slashes or colons)'],
    ['detectLocal: {interfaceNamePrefix: a/b}', 'detectLocal.interfaceNamePrefix: "a/b" is not an interface name prefix (1 to 14 characters; no spaces, quotes, slashes or colons)'],
    ['iptables: {masqueradeBit: 32}', 'iptables.masqueradeBit: 32 is not an integer between 0 and 31'],
    ['iptables: {masqueradeBit: 1.5}', 'iptables.masqueradeBit: 1.5 is not an integer between 0 and 31'],
    ['iptables: {masqueradeBit: "14"}', 'iptables.masqueradeBit: must be an integer'],
    ['nodePortAddresses: [primary, 10.0.0.0/8]', 'nodePortAddresses: "primary" cannot be combined with CIDRs'],
    ['nodePortAddresses: [10.0.0.1]', 'nodePortAddresses: "10.0.0.1" is not a CIDR'],
  ])('refuses %s', (body, problem) => {
    const r = (): unknown => read(body);
    expect(r).toThrow(InputError);
    expect(r).toThrow(`: KubeProxyConfiguration: ${problem}`);
  });
});
