import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRunOptions } from './options.js';
import { generate } from './run.js';

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
