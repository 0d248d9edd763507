import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { decodeManifests } from '../load/decode.js';
import type { ServiceManifest } from '../load/manifests.js';
import { parseCIDR } from '../model/ip.js';
import { completeManifests, firstChoices, ipFamiliesOf, type CompletionRanges } from './complete.js';
import { serviceIPRange } from './ranges.js';

type Obj = Record<string, unknown>;

const ranges = (cidrs = '10.96.0.0/12', nodePorts = { first: 30000, last: 32767 }): CompletionRanges => ({
  serviceClusterIPRange: cidrs.split(',').map((c) => parseCIDR(c)!),
  serviceNodePortRange: nodePorts,
});

function svc(ns: string, name: string, spec: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec: { ports: [{ port: 80 }], ...spec } };
}

function complete(objects: Obj[], r = ranges()) {
  const { manifests, notes } = completeManifests(decodeManifests(objects.map((value, i) => ({ value, file: 'in.yaml', doc: i + 1 }))), r);
  const byName = new Map(manifests.services.map((s) => [`${s.source.namespace}/${s.source.name}`, s]));
  return { services: manifests.services, byName, notes: notes.map((n) => `${n.location.object}: ${n.message}`) };
}

/** The message of the InputError `f` throws. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return `${e.location.field}: ${e.problem}`;
    throw e;
  }
  throw new Error('no error');
}

describe('IP families, as the API server defaults them on create', () => {
  const families = (spec: Obj, cidrs: string) => {
    const s = decodeManifests([{ value: svc('ns', 's', spec), file: 'in.yaml', doc: 1 }]).services[0]!;
    return ipFamiliesOf(s, cidrs.split(',').map((c) => serviceIPRange(parseCIDR(c)!)));
  };
  const V4 = '10.96.0.0/12';
  const V6 = 'fd00:10:96::/108';
  it.each<[Obj, string, { policy: string; families: number[] }]>([
    [{}, V4, { policy: 'SingleStack', families: [4] }],
    [{}, `${V6},${V4}`, { policy: 'SingleStack', families: [6] }],
    [{ ipFamilies: ['IPv4'] }, `${V6},${V4}`, { policy: 'SingleStack', families: [4] }],
    [{ ipFamilyPolicy: 'PreferDualStack' }, V4, { policy: 'PreferDualStack', families: [4] }],
    [{ ipFamilyPolicy: 'PreferDualStack' }, `${V4},${V6}`, { policy: 'PreferDualStack', families: [4, 6] }],
    [{ ipFamilyPolicy: 'RequireDualStack' }, `${V6},${V4}`, { policy: 'RequireDualStack', families: [6, 4] }],
    [{ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4'] }, `${V6},${V4}`, { policy: 'RequireDualStack', families: [4, 6] }],
    [{ ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6', 'IPv4'] }, `${V4},${V6}`, { policy: 'PreferDualStack', families: [6, 4] }],
  ])('%j on %s', (spec, cidrs, want) => {
    expect(families(spec, cidrs)).toEqual(want);
  });

  it.each<[Obj, string, string]>([
    [{ ipFamilyPolicy: 'DualStack' }, V4, 'spec.ipFamilyPolicy: "DualStack" is not SingleStack, PreferDualStack or RequireDualStack'],
    [{ ipFamilies: ['IPv5'] }, V4, 'spec.ipFamilies[0]: "IPv5" is not IPv4 or IPv6'],
    [{ ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv4'] }, V4, 'spec.ipFamilies[1]: IPv4 is listed twice'],
    [{ ipFamilies: ['IPv4', 'IPv6'] }, `${V4},${V6}`, 'spec.ipFamilyPolicy: must be RequireDualStack or PreferDualStack when spec.ipFamilies lists two families'],
    [
      { ipFamilyPolicy: 'RequireDualStack' },
      V4,
      'spec.ipFamilyPolicy: RequireDualStack, but this cluster is not configured for dual-stack services (--service-cluster-ip-range has no IPv6 CIDR)',
    ],
    [{ ipFamilies: ['IPv6'] }, V4, 'spec.ipFamilies[0]: IPv6 is not configured on this cluster (--service-cluster-ip-range has no IPv6 CIDR)'],
  ])('refuses %j on %s', (spec, cidrs, message) => {
    expect(errorOf(() => families(spec, cidrs))).toBe(message);
  });
});

describe('completion of Services that were never created', () => {
  it('gives each Service its first choices, whatever else is in the input', () => {
    const first = firstChoices('shop', 'web', ranges());
    const alone = complete([svc('shop', 'web', { type: 'NodePort' })]);
    const web = alone.byName.get('shop/web')!;
    expect(web.clusterIPs).toEqual([first.clusterIP(0)]);
    expect(web.ports.map((p) => p.nodePort)).toEqual([first.nodePort(80)]);
    expect(alone.notes).toEqual([`Service shop/web: allocated clusterIP ${first.clusterIP(0)}; nodePort ${first.nodePort(80)} for 80/TCP`]);
    const crowd = complete([svc('a', 'one'), svc('shop', 'web', { type: 'NodePort' }), svc('z', 'two', { type: 'NodePort' })]);
    expect(crowd.byName.get('shop/web')).toEqual({ ...web, source: { ...web.source, doc: 2 } });
  });

  it('fills in what the API server fills in: cluster IPs, families, policy, ClusterIP among the spec fields', () => {
    const s = complete([svc('ns', 'dual', { ipFamilyPolicy: 'PreferDualStack' })], ranges('10.96.0.0/12,fd00:10:96::/108')).byName.get('ns/dual')!;
    const first = firstChoices('ns', 'dual', ranges('10.96.0.0/12,fd00:10:96::/108'));
    expect(s).toMatchObject<Partial<ServiceManifest>>({
      clusterIP: first.clusterIP(0),
      clusterIPs: [first.clusterIP(0), first.clusterIP(1)],
      ipFamilies: ['IPv4', 'IPv6'],
      ipFamilyPolicy: 'PreferDualStack',
    });
  });

  it('does not depend on the order of the Services', () => {
    const objects = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => svc('ns', n, { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    // A 16-port range without a lower band: collisions are certain.
    const r = ranges('10.0.0.0/28', { first: 30000, last: 30015 });
    const forward = complete(objects, r);
    const backward = complete([...objects].reverse(), r);
    const values = (c: ReturnType<typeof complete>) =>
      [...c.byName].map(([k, v]) => [k, v.clusterIPs, v.ports.map((p) => p.nodePort), v.healthCheckNodePort]).sort();
    expect(values(backward)).toEqual(values(forward));
    expect(backward.notes).toEqual(forward.notes);
    const used = forward.services.flatMap((s) => [...s.ports.map((p) => p.nodePort), s.healthCheckNodePort]);
    expect(new Set(used).size).toBe(12);
  });

  it('never takes what another object holds, nor the first address, kept for the kubernetes Service', () => {
    // 10.0.0.0/29: addresses .1 to .6; .1 is the kubernetes Service's, .2 to .5 are held.
    const held = [2, 3, 4, 5].map((i) => svc('held', `s${i}`, { clusterIP: `10.0.0.${i}`, type: 'NodePort', ports: [{ port: 80, nodePort: 30000 + i }] }));
    const { byName } = complete([...held, svc('ns', 'new', { type: 'NodePort' })], ranges('10.0.0.0/29', { first: 30000, last: 30006 }));
    expect(byName.get('ns/new')!.clusterIP).toBe('10.0.0.6');
    expect([30000, 30001, 30006]).toContain(byName.get('ns/new')!.ports[0]!.nodePort);
  });

  it('gives the kubernetes Service the first address of the primary range', () => {
    const { byName, notes } = complete([svc('default', 'kubernetes', { ports: [{ name: 'https', port: 443 }] })], ranges('fd00:10:96::/108,10.96.0.0/12'));
    expect(byName.get('default/kubernetes')!.clusterIPs).toEqual(['fd00:10:96::1']);
    expect(notes).toEqual(['Service default/kubernetes: allocated clusterIP fd00:10:96::1']);
  });

  it('gives node ports as the API server does: NodePort and LoadBalancer, one per port number, given ones kept', () => {
    const { byName, notes } = complete([
      svc('ns', 'dns', {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', nodePort: 30053 },
          { name: 'metrics', port: 9153, protocol: 'TCP' },
        ],
      }),
      svc('ns', 'internal', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, externalTrafficPolicy: 'Local', ports: [{ port: 443, nodePort: 31443 }, { port: 80 }] }),
      svc('ns', 'plain', { type: 'ClusterIP', externalTrafficPolicy: 'Local' }),
    ]);
    const dns = byName.get('ns/dns')!;
    const first = firstChoices('ns', 'dns', ranges());
    expect(dns.ports.map((p) => p.nodePort)).toEqual([30053, 30053, first.nodePort(9153)]);
    expect(dns.healthCheckNodePort).toBe(first.healthCheckNodePort());
    const internal = byName.get('ns/internal')!;
    expect(internal.ports.map((p) => p.nodePort)).toEqual([31443, 0]);
    expect(internal.healthCheckNodePort).toBe(firstChoices('ns', 'internal', ranges()).healthCheckNodePort());
    expect(byName.get('ns/plain')!.ports[0]!.nodePort).toBe(0);
    expect(notes[0]).toBe(
      `Service ns/dns: allocated clusterIP ${first.clusterIP(0)}; nodePorts 30053 for 53/UDP, ${first.nodePort(9153)} for 9153/TCP; healthCheckNodePort ${first.healthCheckNodePort()}`,
    );
  });

  it('leaves alone Services the API server has stored (a cluster IP, or None) and ExternalName', () => {
    const objects = [
      svc('ns', 'stored', { clusterIP: '10.96.0.10', type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
      svc('ns', 'lb-no-node-ports', { clusterIP: '10.96.0.12', type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }),
      svc('ns', 'headless-nodeport', { clusterIP: 'None', type: 'NodePort' }),
      svc('ns', 'headless', { clusterIP: 'None' }),
      svc('ns', 'name', { type: 'ExternalName', externalName: 'example.com' }),
      svc('ns', 'plural-only', { clusterIPs: ['10.96.0.11'] }),
    ];
    const input = decodeManifests(objects.map((value, i) => ({ value, file: 'in.yaml', doc: i + 1 })));
    const out = completeManifests(input, ranges());
    expect(out.manifests).toBe(input);
    expect(out.notes).toEqual([]);
  });

  it('gives a Service that has a cluster IP its missing node ports, and nothing else', () => {
    const first = firstChoices('ns', 'np', ranges());
    const lbFirst = firstChoices('ns', 'lb', ranges());
    const objects = [
      svc('ns', 'np', { clusterIP: '10.96.0.10', type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 443, nodePort: 30443 }] }),
      svc('ns', 'lb', { clusterIPs: ['10.96.0.11'], type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30080 }] }),
      svc('ns', 'bad-port', { clusterIP: '10.96.0.13', type: 'NodePort', ports: [{ port: 0 }] }),
    ];
    const { byName, notes } = complete(objects);
    const np = byName.get('ns/np')!;
    expect(np.clusterIPs).toEqual(['10.96.0.10']);
    expect(np.ipFamilies).toEqual([]);
    expect(np.ports.map((p) => p.nodePort)).toEqual([first.nodePort(80), 30443]);
    expect(byName.get('ns/lb')!.healthCheckNodePort).toBe(lbFirst.healthCheckNodePort());
    expect(byName.get('ns/lb')!.ports[0]!.nodePort).toBe(30080);
    // A port the API server would refuse (kube-proxy skips it) gets no node port. (The decoder
    // refuses one out of range already; port 0, unset, is what gets this far.)
    expect(byName.get('ns/bad-port')!.ports[0]!.nodePort).toBe(0);
    expect(notes).toEqual([
      `Service ns/lb: allocated healthCheckNodePort ${lbFirst.healthCheckNodePort()}`,
      `Service ns/np: allocated nodePort ${first.nodePort(80)} for 80/TCP`,
    ]);
  });

  it('with keepMissingNodePorts, uses Services that have a cluster IP as they are', () => {
    const objects = [
      svc('ns', 'np', { clusterIP: '10.96.0.10', type: 'NodePort' }),
      svc('ns', 'lb', { clusterIP: '10.96.0.11', type: 'LoadBalancer', externalTrafficPolicy: 'Local' }),
    ];
    const input = decodeManifests(objects.map((value, i) => ({ value, file: 'in.yaml', doc: i + 1 })));
    const out = completeManifests(input, { ...ranges(), keepMissingNodePorts: true });
    expect(out.manifests).toBe(input);
    expect(out.notes).toEqual([]);
    // A Service without a cluster IP still gets everything.
    const fresh = complete([svc('ns', 'new', { type: 'NodePort' })], { ...ranges(), keepMissingNodePorts: true });
    expect(fresh.byName.get('ns/new')!.ports[0]!.nodePort).toBe(firstChoices('ns', 'new', ranges()).nodePort(80));
  });

  it('says which Service found a range full', () => {
    const held = svc('held', 'a', { clusterIP: '10.0.0.2' });
    expect(errorOf(() => complete([held, svc('ns', 'b'), svc('ns', 'c')], ranges('10.0.0.0/30')))).toBe(
      'spec.clusterIPs: no IPv4 address left in --service-cluster-ip-range 10.0.0.0/30 (all its 2 addresses are taken)',
    );
    try {
      complete([held, svc('ns', 'b'), svc('ns', 'c')], ranges('10.0.0.0/30'));
    } catch (e) {
      expect((e as InputError).location.object).toMatch(/^Service ns\/[bc]$/);
      expect((e as InputError).hint).toBe('give a larger --service-cluster-ip-range');
    }
    const three = ['a', 'b'].map((n) => svc('ns', n, { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] }));
    expect(errorOf(() => complete(three, ranges('10.96.0.0/12', { first: 30000, last: 30002 })))).toMatch(
      /^spec\.ports\[\]\.nodePort: no node port for port (80|443) left in --service-node-port-range 30000-30002 \(all its 3 ports are taken\)$/,
    );
    const hc = svc('ns', 'lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30000 }] });
    expect(errorOf(() => complete([hc], ranges('10.96.0.0/12', { first: 30000, last: 30000 })))).toBe(
      'spec.healthCheckNodePort: no health-check node port left in --service-node-port-range 30000-30000 (all its 1 ports are taken)',
    );
  });
});
