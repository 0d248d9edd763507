import { describe, expect, it } from 'vitest';
import { decodeManifests } from '../load/decode.js';
import { normalize } from './normalize.js';

const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns' }, spec: { clusterIP: '10.96.0.1', ports: [{ port: 80 }] } };

function slice(name: string, endpoints: unknown[]): unknown {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'ns', labels: { 'kubernetes.io/service-name': 'svc' } },
    addressType: 'IPv4',
    ports: [{ port: 8080 }],
    endpoints,
  };
}

function endpointsOf(...objects: unknown[]): { endpoint: string; isLocal: boolean; terminating: boolean }[] {
  const raw = objects.map((value, i) => ({ value, file: 'x.yaml', doc: i + 1 }));
  const { ports } = normalize(decodeManifests(raw), { ipFamily: 4, nodeName: 'here', readNodeHints: false });
  return ports[0]!.endpoints.map(({ endpoint, isLocal, terminating }) => ({ endpoint, isLocal, terminating }));
}

const ep = (ip: string, nodeName: string, terminating = false): unknown => ({
  addresses: [ip],
  conditions: { ready: !terminating, serving: true, terminating },
  nodeName,
});

describe('normalize: an endpoint in several slices (EndpointSliceCache merging in slice order)', () => {
  it('sorts endpoints by ip:port text and keeps one copy of each', () => {
    expect(endpointsOf(service, slice('a', [ep('10.0.0.9', 'x'), ep('10.0.0.10', 'x'), ep('10.0.0.9', 'x')]))).toEqual([
      { endpoint: '10.0.0.10:8080', isLocal: false, terminating: false },
      { endpoint: '10.0.0.9:8080', isLocal: false, terminating: false },
    ]);
  });

  it('lets the last non-terminating copy win, whatever the file order', () => {
    const a = slice('a', [ep('10.0.0.1', 'x')]);
    const b = slice('b', [ep('10.0.0.1', 'here')]);
    const c = slice('c', [ep('10.0.0.1', 'x', true)]);
    for (const order of [[a, b, c], [c, b, a], [b, a, c]]) {
      expect(endpointsOf(service, ...order)).toEqual([{ endpoint: '10.0.0.1:8080', isLocal: true, terminating: false }]);
    }
  });

  it('keeps the first copy when every copy is terminating', () => {
    const a = slice('a', [ep('10.0.0.1', 'here', true)]);
    const b = slice('b', [ep('10.0.0.1', 'x', true)]);
    expect(endpointsOf(service, b, a)).toEqual([{ endpoint: '10.0.0.1:8080', isLocal: true, terminating: true }]);
  });
});

describe('normalize: EndpointSliceCache before 1.22 (one endpoint per IP and service port)', () => {
  const sliceOnPort = (name: string, port: number, endpoints: unknown[]): unknown => ({ ...(slice(name, endpoints) as object), ports: [{ port }] });
  function run(readyEndpointsOnly: boolean, ...objects: unknown[]): { endpoints: string[]; warnings: string[] } {
    const raw = objects.map((value, i) => ({ value, file: 'x.yaml', doc: i + 1 }));
    const { ports, warnings } = normalize(decodeManifests(raw), {
      ipFamily: 4, nodeName: 'here', readNodeHints: false, endpointDedup: 'ip-first-or-local', readyEndpointsOnly,
      absentFields: { release: '1.21', ipMode: true, nodeHints: true },
    });
    return { endpoints: ports[0]!.endpoints.map((e) => `${e.endpoint}${e.ready ? '' : ' (not ready)'}`), warnings: warnings.map((w) => w.message) };
  }

  it('keeps the first slice\'s port of a shared IP, sorted by ip:port text, and says which it dropped', () => {
    const r = run(false, service, sliceOnPort('a', 8080, [ep('10.0.0.9', 'x'), ep('10.0.0.10', 'x')]), sliceOnPort('b', 8081, [ep('10.0.0.9', 'x')]));
    expect(r.endpoints).toEqual(['10.0.0.10:8080', '10.0.0.9:8080']);
    expect(r.warnings).toEqual([expect.stringContaining('endpoint 10.0.0.9:8081 dropped: kube-proxy 1.21 keeps one endpoint per IP and service port, here 10.0.0.9:8080')]);
  });

  it('lets a later copy on this node win', () => {
    const r = run(false, service, sliceOnPort('a', 8080, [ep('10.0.0.9', 'x')]), sliceOnPort('b', 8081, [ep('10.0.0.9', 'here')]));
    expect(r.endpoints).toEqual(['10.0.0.9:8081']);
    expect(r.warnings).toEqual([expect.stringContaining('endpoint 10.0.0.9:8080 dropped')]);
  });

  it('merges not-ready copies from 1.21, and knows none in 1.19 and 1.20', () => {
    const notReady = { addresses: ['10.0.0.9'], conditions: { ready: false }, nodeName: 'x' };
    const objects = [service, slice('a', [notReady]), slice('b', [ep('10.0.0.9', 'x')])];
    expect(run(false, ...objects).endpoints).toEqual(['10.0.0.9:8080 (not ready)']);
    expect(run(true, ...objects).endpoints).toEqual(['10.0.0.9:8080']);
  });
});
