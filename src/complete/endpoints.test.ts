import { describe, expect, it } from 'vitest';
import { decodeManifests } from '../load/decode.js';
import type { EndpointSliceManifest } from '../load/manifests.js';
import { completeEndpoints, findPort, selects } from './endpoints.js';

type Obj = Record<string, unknown>;
const opts = { clusterCIDRs: [], nodes: [] };

function svc(name: string, spec: Obj): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name }, spec: { clusterIP: '10.96.0.10', selector: { app: 'a' }, ...spec } };
}

function pod(name: string, o: { ips?: string[]; ready?: boolean; deleting?: boolean; phase?: string; node?: string; ports?: Obj[]; labels?: Obj; ns?: string } = {}): Obj {
  const meta: Obj = { namespace: o.ns ?? 'ns', name, labels: o.labels ?? { app: 'a' } };
  if (o.deleting) meta.deletionTimestamp = '2026-01-01T00:00:00Z';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta,
    spec: { nodeName: o.node ?? 'n1', containers: [{ name: 'c', ports: o.ports ?? [] }] },
    status: {
      phase: o.phase ?? 'Running',
      podIPs: (o.ips ?? ['10.244.0.2']).map((ip) => ({ ip })),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

function run(objects: Obj[]) {
  const m = decodeManifests(objects.map((value, i) => ({ value, file: 'in.yaml', doc: i + 1 })));
  const out = completeEndpoints(m, opts);
  const slices = out.manifests.slices.map((s: EndpointSliceManifest) => ({
    name: s.source.name,
    service: s.serviceName,
    addressType: s.addressType,
    ports: s.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`),
    endpoints: s.endpoints.map((e) => `${e.addresses.join(',')} r=${e.ready} s=${e.serving} t=${e.terminating} ${e.nodeName ?? '-'}`),
  }));
  return { slices, notes: [...out.notes.values()].map((n) => `${n.location.object}: ${n.message}`) };
}

describe('selects', () => {
  it('needs every key of the selector, with the same value', () => {
    expect(selects({ app: 'a' }, { app: 'a', tier: 'x' })).toBe(true);
    expect(selects({ app: 'a', tier: 'y' }, { app: 'a', tier: 'x' })).toBe(false);
    expect(selects({ app: '' }, {})).toBe(false);
  });
});

describe('findPort (targetPort through the container ports)', () => {
  const p = { containerPorts: [{ name: 'http', protocol: 'TCP' as const, containerPort: 8080 }, { name: 'dns', protocol: 'UDP' as const, containerPort: 5353 }] };
  it.each([
    [{ targetPort: 'http', protocol: 'TCP' }, 8080],
    [{ targetPort: 'http', protocol: 'UDP' }, undefined],
    [{ targetPort: 'dns', protocol: 'UDP' }, 5353],
    [{ targetPort: 'grpc', protocol: 'TCP' }, undefined],
    [{ targetPort: 9000, protocol: 'TCP' }, 9000],
    [{ protocol: 'TCP' }, 80],
  ] as const)('%j → %s', (sp, want) => {
    expect(findPort(p, { name: '', nodePort: 0, port: 80, ...sp })).toBe(want);
  });
});

describe('completeEndpoints', () => {
  it('makes conditions as the controller does: terminating is never ready, unless not-ready addresses are published', () => {
    const pods = [pod('p1'), pod('p2', { ready: false }), pod('p3', { deleting: true }), pod('p4', { deleting: true, ready: false })];
    expect(run([svc('s', { ports: [{ port: 80 }] }), ...pods]).slices[0]!.endpoints).toEqual([
      '10.244.0.2 r=true s=true t=false n1',
      '10.244.0.2 r=false s=false t=false n1',
      '10.244.0.2 r=false s=true t=true n1',
      '10.244.0.2 r=false s=false t=true n1',
    ]);
    expect(run([svc('s', { ports: [{ port: 80 }], publishNotReadyAddresses: true }), ...pods]).slices[0]!.endpoints.map((e) => e.split(' ')[1])).toEqual([
      'r=true',
      'r=true',
      'r=true',
      'r=true',
    ]);
  });

  it('leaves out finished pods and pods without an address, and pods of other namespaces', () => {
    const r = run([svc('s', { ports: [{ port: 80 }] }), pod('done', { phase: 'Succeeded' }), pod('pending', { ips: [] }), pod('other', { ns: 'x' }), pod('ok')]);
    expect(r.slices.map((s) => s.endpoints.length)).toEqual([1]);
    expect(r.notes).toEqual(['Service ns/s: made 1 endpoint (IPv4) from 3 Pods']);
  });

  it('makes one slice per family of the Service, each with that family\'s addresses', () => {
    const r = run([
      svc('s', { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] }),
      pod('p', { ips: ['10.244.0.2', 'fd00:10:244::0002'] }),
    ]);
    expect(r.slices.map((s) => `${s.name} ${s.addressType} ${s.endpoints[0]!.split(' ')[0]}`)).toEqual(['s-ipv4 IPv4 10.244.0.2', 's-ipv6 IPv6 fd00:10:244::2']);
  });

  it('groups pods by the ports they resolve; a pod without the named port is no endpoint for it', () => {
    const r = run([
      svc('s', { ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'm', port: 9100 }] }),
      pod('new', { ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('old', { ports: [{ name: 'web', containerPort: 8000 }] }),
    ]);
    expect(r.slices.map((s) => `${s.name} ${s.ports.join(' ')}`)).toEqual(['s-ipv4-0 http:8080/TCP m:9100/TCP', 's-ipv4-1 m:9100/TCP']);
  });

  it('leaves alone Services with slices or Endpoints of their own, headless Services and Services without a selector', () => {
    const slice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: 'ns', name: 'own-1', labels: { 'kubernetes.io/service-name': 'own' } }, addressType: 'IPv4', endpoints: [] };
    const r = run([svc('own', {}), slice, svc('headless', { clusterIP: 'None' }), svc('none', { selector: {} }), pod('p')]);
    expect(r.slices.map((s) => s.name)).toEqual(['own-1']);
    expect(r.notes).toEqual([]);
  });
});
