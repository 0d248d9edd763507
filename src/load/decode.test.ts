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
