import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { decodeManifests } from './decode.js';

function fieldOf(value: unknown): string | undefined {
  try {
    decodeManifests([{ value, file: 'x.yaml', doc: 1 }]);
  } catch (e) {
    if (e instanceof InputError) return e.location.field;
    throw e;
  }
  throw new Error('expected an InputError');
}

const slice = (endpoints: unknown[]): unknown => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 's', labels: { 'kubernetes.io/service-name': 'svc' } },
  addressType: 'IPv4',
  endpoints,
});

describe('decodeManifests field paths', () => {
  it('names nested fields in lists and objects', () => {
    expect(fieldOf(slice([{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'], conditions: { ready: 'yes' } }]))).toBe(
      'endpoints[1].conditions.ready',
    );
    expect(fieldOf(slice([{ addresses: ['10.0.0.1', 7] }]))).toBe('endpoints[0].addresses[1]');
    expect(fieldOf(slice([{ addresses: [], hints: { forZones: [{ name: 'a' }, 'b'] } }]))).toBe('endpoints[0].hints.forZones[1]');
    expect(fieldOf(slice(['x']))).toBe('endpoints[0]');
    expect(fieldOf({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80 }, { nodePort: 'x' }] } })).toBe(
      'spec.ports[1].nodePort',
    );
  });
});

describe('decodeManifests endpoints', () => {
  const endpointsOf = (endpoints: unknown[]): unknown =>
    decodeManifests([{ value: slice(endpoints), file: 'x.yaml', doc: 1 }]).slices[0]!.endpoints;

  it('reads conditions and node names, null as absent', () => {
    expect(
      endpointsOf([
        { addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n1', zone: 'z' },
        { addresses: ['10.0.0.2'], conditions: { ready: null, serving: false }, nodeName: null, hints: null },
        { addresses: ['10.0.0.3'], conditions: null },
        { addresses: [] },
      ]),
    ).toEqual([
      { addresses: ['10.0.0.1'], ready: true, serving: true, terminating: false, nodeName: 'n1' },
      { addresses: ['10.0.0.2'], serving: false },
      { addresses: ['10.0.0.3'] },
      { addresses: [] },
    ]);
  });

  it('reads hints', () => {
    expect(endpointsOf([{ addresses: ['10.0.0.1'], hints: { forZones: [{ name: 'a' }], forNodes: [{ name: 'n' }] } }])).toEqual([
      { addresses: ['10.0.0.1'], zoneHints: ['a'], nodeHints: ['n'] },
    ]);
    expect(endpointsOf([{ addresses: ['10.0.0.1'], hints: {} }])).toEqual([{ addresses: ['10.0.0.1'] }]);
  });

  it('names the field of a wrongly typed node name or conditions', () => {
    expect(fieldOf(slice([{ addresses: ['10.0.0.1'], nodeName: 7 }]))).toBe('endpoints[0].nodeName');
    expect(fieldOf(slice([{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.1'], conditions: [] }]))).toBe('endpoints[1].conditions');
    expect(fieldOf(slice([{ addresses: '10.0.0.1' }]))).toBe('endpoints[0].addresses');
  });
});

describe('decodeManifests labels', () => {
  const labelsOf = (labels: unknown): unknown =>
    decodeManifests([{ value: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', labels } }, file: 'x.yaml', doc: 1 }]).services[0]!
      .source.labels;

  it('reads string labels, a null value as "", no labels as none', () => {
    expect(labelsOf({ app: 'a', 'service.kubernetes.io/headless': '' })).toEqual({ app: 'a', 'service.kubernetes.io/headless': '' });
    expect(labelsOf({ app: null })).toEqual({ app: '' });
    expect(labelsOf(null)).toEqual({});
    expect(labelsOf(undefined)).toEqual({});
  });

  it('names a label that is not a string', () => {
    expect(fieldOf({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', labels: { app: 7 } } })).toBe('metadata.labels.app');
    expect(fieldOf({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', labels: ['x'] } })).toBe('metadata.labels');
  });
});

describe('decodeManifests refuses what the API server would refuse', () => {
  const svc = (spec: unknown, name = 'web'): unknown => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
  const pod = (spec: unknown): unknown => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
  it.each([
    [svc({}, 'x" -j RETURN'), 'metadata.name'],
    [{ ...(svc({}) as object), metadata: { name: 'web', namespace: 'a/b' } }, 'metadata.namespace'],
    [svc({ ports: [{ name: 'A', port: 80 }] }), 'spec.ports[0].name'],
    [svc({ ports: [{ port: 65536 }] }), 'spec.ports[0].port'],
    [svc({ ports: [{ port: -1 }] }), 'spec.ports[0].port'],
    [svc({ ports: [{ port: 80, nodePort: 1e21 }] }), 'spec.ports[0].nodePort'],
    [svc({ ports: [{ port: 80, targetPort: 'a b' }] }), 'spec.ports[0].targetPort'],
    [svc({ ports: [{ port: 80, targetPort: 70000 }] }), 'spec.ports[0].targetPort'],
    [svc({ healthCheckNodePort: 70000 }), 'spec.healthCheckNodePort'],
    [svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }), 'spec.sessionAffinityConfig.clientIP.timeoutSeconds'],
    [svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } }), 'spec.sessionAffinityConfig.clientIP.timeoutSeconds'],
    [svc({ sessionAffinity: 'Sticky' }), 'spec.sessionAffinity'],
    [svc({ type: 'Magic' }), 'spec.type'],
    [svc({ internalTrafficPolicy: 'Anywhere' }), 'spec.internalTrafficPolicy'],
    [{ ...(svc({}) as object), status: { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'Tunnel' }] } } }, 'status.loadBalancer.ingress[0].ipMode'],
    [{ ...(slice([]) as object), metadata: { name: 's', labels: { 'kubernetes.io/service-name': 'a b' } } }, "metadata.labels.kubernetes.io/service-name"],
    [slice([{ addresses: ['10.0.0.1'], nodeName: 'Node_1' }]), 'endpoints[0].nodeName'],
    [slice([{ addresses: ['10.0.0.1'], hints: { forNodes: [{ name: 'a b' }] } }]), 'endpoints[0].hints.forNodes[0].name'],
    [{ ...(slice([]) as object), ports: [{ name: 'http\n', port: 80 }] }, 'ports[0].name'],
    [{ ...(slice([]) as object), ports: [{ port: 65536 }] }, 'ports[0].port'],
    [pod({ nodeName: 'x y' }), 'spec.nodeName'],
    [pod({ containers: [{ ports: [{ name: 'way-too-long-port-name', containerPort: 80 }] }] }), 'spec.containers[0].ports[0].name'],
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: -1 } }, 'spec.replicas'],
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2 ** 31 } }, 'spec.replicas'],
    [{ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.0.0.1', nodeName: '-x' }] }] }, 'subsets[0].addresses[0].nodeName'],
  ])('%j: %s', (value, field) => {
    expect(fieldOf(value)).toBe(field);
  });

  it('accepts what the API server accepts', () => {
    const m = decodeManifests([
      {
        value: svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30000, sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 86400 } }, ports: [{ name: 'http-2', port: 65535, nodePort: 30080, targetPort: 'h2c' }] }),
        file: 'x.yaml',
        doc: 1,
      },
      { value: slice([{ addresses: ['10.0.0.1'], nodeName: 'node-1.example.com' }]), file: 'x.yaml', doc: 2 },
    ]);
    expect(m.services[0]!.affinityTimeoutSeconds).toBe(86400);
    expect(m.slices[0]!.endpoints[0]!.nodeName).toBe('node-1.example.com');
  });
});
