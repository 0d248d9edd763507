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
