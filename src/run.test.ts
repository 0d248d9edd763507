import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { defaultRunOptions } from './options.js';
import { checkNodeSettings, generate } from './run.js';

describe('generate', () => {
  it('returns the service ports it planned, reading stdin once', () => {
    let reads = 0;
    const readStdin = (): string => {
      reads++;
      return readFileSync('examples/shop.yaml', 'utf8');
    };
    const r = generate({ ...defaultRunOptions(), paths: ['-'], hostnameOverride: 'node-1' }, { readStdin });
    expect(r.ports.map((p) => p.svcPort.nameString)).toEqual([
      'kube-system/kube-dns:dns',
      'kube-system/kube-dns:dns-tcp',
      'shop/backend:grpc',
      'shop/backend:http',
      'shop/cache:redis',
      'shop/frontend:http',
    ]);
    expect(r.ports.find((p) => p.svcPort.nameString === 'shop/frontend:http')!.endpoints.map((e) => e.endpoint)).toEqual([
      '10.244.1.10:8080',
      '10.244.2.10:8080',
    ]);
    expect(r.text).toContain('-A KUBE-SVC-PY4JZH2ITZYEO4CN');
    expect(reads).toBe(1);
  });
});

describe('checkNodeSettings', () => {
  it("refuses a Node's pod CIDR that is not one, as the flag would be refused", () => {
    const node = { name: 'node-1', nodeIPs: ['10.0.0.1'], podCIDRs: ['10.244.1.0/24', '10.244.2.0/33'] };
    expect(() => checkNodeSettings(node, 'cluster:prod')).toThrow(
      new InputError({ file: 'cluster:prod', object: 'Node node-1', field: 'spec.podCIDRs[1]' }, '"10.244.2.0/33" is not a CIDR'),
    );
    expect(() => checkNodeSettings({ ...node, podCIDRs: ['10.244.1.0/24'] }, 'cluster:prod')).not.toThrow();
  });
});
