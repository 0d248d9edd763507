import { describe, expect, it } from 'vitest';
import { defaultRunOptions } from '../options.js';
import { applyNodeSettings, nodeSettingsFromObject } from './node-settings.js';

const node = (addresses: { type: string; address: string }[], spec: Record<string, unknown> = {}, labels: Record<string, string> = {}) => ({
  metadata: { name: 'node-1', labels },
  spec,
  status: { addresses },
});

describe('nodeSettingsFromObject (client-go GetNodeHostIPs order)', () => {
  it.each<[string, { type: string; address: string }[], string[]]>([
    ['InternalIP before ExternalIP', [{ type: 'ExternalIP', address: '1.2.3.4' }, { type: 'InternalIP', address: '10.0.0.1' }], ['10.0.0.1']],
    ['first of the other family', [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'InternalIP', address: '10.0.0.2' }, { type: 'InternalIP', address: 'fd00::1' }, { type: 'ExternalIP', address: 'fd00::2' }], ['10.0.0.1', 'fd00::1']],
    ['IPv6 primary', [{ type: 'InternalIP', address: 'fd00::1' }, { type: 'ExternalIP', address: '1.2.3.4' }], ['fd00::1', '1.2.3.4']],
    ['Hostname and bad addresses skipped', [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: 'nonsense' }, { type: 'ExternalIP', address: '1.2.3.4' }], ['1.2.3.4']],
    ['none', [], []],
  ])('%s', (_name, addresses, want) => {
    expect(nodeSettingsFromObject(node(addresses), 'cluster:x').nodeIPs).toEqual(want);
  });

  it('reads podCIDRs, falling back to podCIDR, and the zone label', () => {
    expect(nodeSettingsFromObject(node([], { podCIDR: '10.1.0.0/24', podCIDRs: ['10.1.0.0/24', 'fd00:1::/64'] }, { 'topology.kubernetes.io/zone': 'z1' }), 'f')).toEqual({
      name: 'node-1', nodeIPs: [], podCIDRs: ['10.1.0.0/24', 'fd00:1::/64'], zone: 'z1',
    });
    expect(nodeSettingsFromObject(node([], { podCIDR: '10.1.0.0/24' }), 'f').podCIDRs).toEqual(['10.1.0.0/24']);
  });
});

describe('nodeSettingsFromObject refuses what the API server would refuse', () => {
  const problem = (n: unknown): string => {
    try {
      nodeSettingsFromObject(n, 'cluster:x');
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };
  it.each([
    [{ ...node([]), metadata: { name: 'node 1\n--pod-cidr' } }, 'cluster:x: Node: metadata.name: "node 1\\n--pod-cidr" is not a valid node name'],
    [node([], { podCIDRs: ['10.0.0.0/8 -j ACCEPT'] }), 'cluster:x: Node node-1: spec.podCIDRs[0]: "10.0.0.0/8 -j ACCEPT" is not a CIDR'],
    [node([], {}, { 'topology.kubernetes.io/zone': 'zone a' }), `cluster:x: Node node-1: metadata.labels['topology.kubernetes.io/zone']: "zone a" is not a valid label value`],
  ])('%j', (n, message) => {
    expect(problem(n)).toContain(message);
  });
});

describe('applyNodeSettings', () => {
  const settings = { name: 'node-1', nodeIPs: ['10.0.0.1'], podCIDRs: ['10.1.0.0/24'], zone: 'z1' };
  it('fills unset options', () => {
    const o = applyNodeSettings(defaultRunOptions(), settings);
    expect([o.hostnameOverride, o.nodeIPs, o.podCIDRs, o.nodeZone]).toEqual(['node-1', ['10.0.0.1'], ['10.1.0.0/24'], 'z1']);
  });
  it('keeps options given on the command line', () => {
    const given = { ...defaultRunOptions(), hostnameOverride: 'x', nodeIPs: ['1.1.1.1'], podCIDRs: ['10.9.0.0/24'], nodeZone: 'z9' };
    expect(applyNodeSettings(given, settings)).toEqual(given);
  });
});

describe('the Node\'s kube-proxy release', () => {
  const withVersion = (v: unknown) => ({ metadata: { name: 'n1' }, status: { nodeInfo: { kubeProxyVersion: v } } });
  it.each([
    ['v1.22.17', '1.22.17'],
    ['v1.27.4-eks-2d98532', '1.27.4'],
    ['1.24.0', '1.24.0'],
  ])('%s → %s', (text, want) => {
    expect(nodeSettingsFromObject(withVersion(text), 'f').kubeProxyVersion).toBe(want);
  });
  it('is absent when the field is empty or missing (recent kubelets leave it empty)', () => {
    expect(nodeSettingsFromObject(withVersion(''), 'f').kubeProxyVersion).toBeUndefined();
    expect(nodeSettingsFromObject({ metadata: { name: 'n1' } }, 'f').kubeProxyVersion).toBeUndefined();
  });
  it('refuses text that is not a version, naming the field', () => {
    expect(() => nodeSettingsFromObject(withVersion('latest'), 'f')).toThrow(/status\.nodeInfo\.kubeProxyVersion/);
  });
  it('fills --kube-proxy-version only when it was not given', () => {
    const s = { name: 'n1', nodeIPs: [], podCIDRs: [], kubeProxyVersion: '1.22.17' };
    expect(applyNodeSettings(defaultRunOptions(), s).kubeProxyVersion).toBe('1.22.17');
    expect(applyNodeSettings({ ...defaultRunOptions(), kubeProxyVersion: '1.30' }, s).kubeProxyVersion).toBe('1.30');
  });
});
